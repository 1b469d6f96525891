/* SCP Assistant – /einbinden: "Tag kopieren" puts the script tag into the clipboard and says so. */
(function () {
  "use strict";
  var box = document.getElementById("snippet");
  var button = document.getElementById("copy");
  var status = document.getElementById("copy-status");
  if (!box || !button || !status) { return; }
  function said(text) { status.textContent = ""; setTimeout(function () { status.textContent = text; }, 50); }
  function fallback() {
    box.focus(); box.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    said(ok ? "Kopiert." : "Kopieren ging nicht: bitte das Feld markieren (Strg+A) und kopieren (Strg+C).");
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(box.value).then(function () { said("Kopiert."); }, fallback);
    } else {
      fallback();
    }
  });
  box.addEventListener("focus", function () { box.select(); });  // one click or Tab marks the whole tag
})();
