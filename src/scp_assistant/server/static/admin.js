/* SCP Assistant – the ism console: sign in, navigation, audit trail; loaded last (server/app.py ADMIN_SCRIPTS). */
(function (C) {
  "use strict";
  var $ = C.$, el = C.el, token = C.token, setStatus = C.setStatus, focusOn = C.focusOn, when = C.when, api = C.api, KEY = C.KEY;

  // ---- sign in ------------------------------------------------------------------------------------
  function signOut(message) {
    try { sessionStorage.removeItem(KEY); } catch (e) { /* storage blocked */ }
    $("app").hidden = true; $("signin").hidden = false; $("signout").hidden = true; $("who").hidden = true;
    setStatus($("signin-status"), message || "", !!message);
    $("token").focus();
  }
  $("signin-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var value = $("token").value.trim();
    setStatus($("signin-status"), "Prüfe das Token …");
    fetch("/api/v1/admin/session", { headers: { Authorization: "Bearer " + value } }).then(function (res) {
      if (!res.ok) {
        setStatus($("signin-status"), res.status === 403
          ? "Der Admin-Zugang ist auf dem Server nicht eingerichtet (SCP_SERVER__ADMIN_TOKEN)."
          : "Das Token stimmt nicht. Bitte prüfen und erneut versuchen.", true);
        $("token").focus(); $("token").select();
        return;
      }
      try { sessionStorage.setItem(KEY, value); } catch (err) { /* storage blocked: this page only */ }
      $("token").value = "";
      start();
    }, function () { setStatus($("signin-status"), "Keine Verbindung zum Server.", true); });
  });
  $("signout").addEventListener("click", function () { signOut(""); });

  function start() {
    $("signin").hidden = true; $("app").hidden = false; $("signout").hidden = false;
    setStatus($("signin-status"), "");
    show("documents");
    focusOn($("docs-h"));  // the sign-in form it was on is gone
  }

  // ---- navigation ---------------------------------------------------------------------------------
  var loaders = { documents: C.loadDocuments, feedback: function () { C.loadFeedback(); C.loadCases(); }, eval: C.loadRuns,
    audit: loadAudit, explain: function () { /* nothing to load: the form asks */ } };
  document.querySelectorAll("nav button[data-view]").forEach(function (b) {
    b.addEventListener("click", function () { show(b.dataset.view); });
  });
  function show(view) {
    document.querySelectorAll("nav button[data-view]").forEach(function (b) {
      if (b.dataset.view === view) { b.setAttribute("aria-current", "page"); } else { b.removeAttribute("aria-current"); }
    });
    document.querySelectorAll(".view").forEach(function (v) { v.hidden = v.id !== "view-" + view; });
    loaders[view]();
  }

  // ---- audit ---------------------------------------------------------------------------------------
  var DETAILS = { added: "neu", updated: "geändert", removed: "entfernt", file: "Datei", chunks: "Abschnitte",
    "case": "Testfall", question: "Frage", expect: "erwartet", set: "Fragensatz", questions: "Fragen" };
  function loadAudit() {
    return api("/api/v1/admin/audit").then(function (entries) {
      var body = $("audit-table").querySelector("tbody");
      body.textContent = "";
      entries.forEach(function (a) {
        var row = el("tr");
        row.appendChild(el("td", null, when(a.at)));
        row.appendChild(el("td", null, a.actor));
        row.appendChild(el("td", null, a.action));
        row.appendChild(el("td", null, a.doc_id || "–"));
        row.appendChild(el("td", null, Object.keys(a.detail || {}).map(function (k) {
          var value = a.detail[k];
          return (DETAILS[k] || k) + ": " + (Array.isArray(value) ? (value.join(", ") || "–") : value);
        }).join("; ")));
        body.appendChild(row);
      });
    });
  }

  C.signOut = signOut;
  C.show = show;
  if (token()) { start(); } else { $("token").focus(); }
})(window.SCPConsole);
