/* SCP Assistant – the ism console: feedback, and test cases made from it. */
(function (C) {
  "use strict";
  var $ = C.$, el = C.el, token = C.token, setStatus = C.setStatus, focusOn = C.focusOn, when = C.when, api = C.api;

  // ---- feedback → eval case -----------------------------------------------------------------------
  var REASONS = { "falsch": "falsch", "unvollständig": "unvollständig", "quelle-falsch": "Quelle passt nicht",
    "veraltet": "veraltet", "nicht-hilfreich": "nicht hilfreich", "sonstiges": "etwas anderes" };
  var shownFeedback = 0, feedbackAsked = 0, lastFeedback = "";
  function loadFeedback(more) {
    var params = new URLSearchParams();
    if ($("fb-rating").value) { params.set("rating", $("fb-rating").value); }
    if ($("fb-reason").value) { params.set("reason", $("fb-reason").value); }
    if ($("fb-since").value) { params.set("since", $("fb-since").value); }
    if ($("fb-text").value.trim()) { params.set("q", $("fb-text").value.trim()); }
    // on after the last entry shown: feedback given meanwhile must not push one seen already onto the next page
    if (more === true && lastFeedback) { params.set("after", lastFeedback); }
    var asked = ++feedbackAsked;  // a slower earlier reply must not overwrite a newer one
    return api("/api/v1/admin/feedback/entries?" + params.toString()).then(function (page) {
      if (asked !== feedbackAsked) { return; }
      renderFeedback(page, more === true);
    }, function (err) { setStatus($("fb-status"), err.message, true); });
  }
  ["fb-rating", "fb-reason", "fb-since"].forEach(function (id) { $(id).addEventListener("change", loadFeedback); });
  var typing = null;
  $("fb-text").addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { typing = null; loadFeedback(); }, 300);
  });
  $("fb-more").addEventListener("click", function () {
    // words typed a moment ago: the list for them first, not more of the old one
    if (typing) { clearTimeout(typing); typing = null; loadFeedback(); return; }
    loadFeedback(true);
  });
  function renderFeedback(page, more) {
    var list = $("fb-list");
    var items = page.entries;
    if (!more) { list.textContent = ""; shownFeedback = 0; }
    var before = shownFeedback;
    shownFeedback += items.length;
    if (items.length) { lastFeedback = items[items.length - 1].id; }
    var moreWasFocused = document.activeElement === $("fb-more");
    $("fb-more").hidden = !page.remaining;
    var newer = page.remaining ? 0 : page.total - shownFeedback;  // given since the list was loaded: above it
    setStatus($("fb-status"), page.total === 1 ? "1 Rückmeldung" : page.total === shownFeedback ?
      "alle " + page.total + " Rückmeldungen" : shownFeedback + " von " + page.total + " Rückmeldungen" +
      (newer > 0 ? " (" + newer + " neue" + " seit dem Laden)" : ""));
    if (!page.total) { list.appendChild(el("p", null, "Keine Rückmeldungen für diese Auswahl.")); return; }
    items.forEach(function (f) {
      var box = el("article", { "class": "feedback-item", "aria-label": "Rückmeldung vom " + when(f.created_at) });
      box.dataset.answerId = f.answer_id || "";
      box.appendChild(el("p", null, when(f.created_at) + " · " + (f.rating === "up" ? "hilfreich" : "nicht hilfreich") +
        (f.reason ? " · Grund: " + (REASONS[f.reason] || f.reason) : "")));
      box.appendChild(el("p", null, "Frage: " + f.question));
      // a follow-up ("Und bis wann?") only makes sense with the topic it was searched with
      if (f.searched) { box.appendChild(el("p", null, "Gesucht wurde: " + f.searched)); }
      if (f.comment) { box.appendChild(el("p", null, "Kommentar: " + f.comment)); }
      // handled already: a test case was made from it
      if (f.case_id) { box.appendChild(el("p", null)).appendChild(el("span", { "class": "tag case-tag" }, "Testfall angelegt: " + f.case_id)); }
      var details = el("details");
      details.appendChild(el("summary", null, "Antwort und Quellen"));
      details.appendChild(el("p", { "class": "answer-text" }, f.answer));
      (f.citations || []).forEach(function (c) { details.appendChild(el("p", null, "[" + c.n + "] " + c.title + " (" + c.doc_id + ")")); });
      box.appendChild(details);
      var make = el("button", { type: "button" }, "Als Testfall übernehmen");
      make.addEventListener("click", function () { openCase(f); });
      box.appendChild(make);
      box.appendChild(document.createTextNode(" "));
      // why it got this answer: searched as it was (a follow-up with its topic)
      var check = el("button", { type: "button" }, "Antwort prüfen");
      check.addEventListener("click", function () { C.explainQuestion(f.searched || f.question); });
      box.appendChild(check);
      list.appendChild(box);
    });
    if (more && moreWasFocused && items.length) { focusOn(list.children[before]); }  // go on where the new ones start
  }
  var caseFor = null;
  var documents = [];  // of the index, for adding a source to a test case
  function openCase(f) {
    caseFor = f;
    $("case-form").hidden = false;
    // a follow-up becomes a case as it was searched, with its topic: "Und bis wann? (Anträge Chancenbudget)"
    $("c-question").value = f.searched || f.question; $("c-facts").value = ""; $("c-expected").value = "";
    // each case starts from "eine Antwort": the choice made for the previous feedback must not carry over
    document.querySelector("input[name=expect][value=answer]").checked = true;
    $("c-answer-fields").hidden = false;
    $("case-save").disabled = false;
    setStatus($("case-status"), "");
    var box = $("c-sources");
    box.querySelectorAll("label").forEach(function (l) { l.remove(); });
    $("c-more").value = "";
    api("/api/v1/admin/feedback/" + encodeURIComponent(f.id) + "/sources").then(function (data) {
      data.documents.forEach(function (d) { addSource(d, d.cited, d.cited ? " – zitiert" : ""); });
    });
    // the document that should have answered may be neither cited nor found: any document of the index can be added
    api("/api/v1/admin/documents").then(function (docs) {
      documents = docs;
      var list = $("c-doc-list");
      list.textContent = "";
      docs.forEach(function (d) { list.appendChild(el("option", { value: d.doc_id, label: d.title })); });
    });
    $("c-question").focus();
  }
  function addSource(d, checked, note) {
    var label = el("label");
    var input = el("input", { type: "checkbox", value: d.doc_id });
    if (checked) { input.checked = true; }
    label.appendChild(input);
    label.appendChild(document.createTextNode(d.title + " (" + d.doc_id + ")" + (note || "")));
    $("c-sources").appendChild(label);
  }
  function addMoreSource() {
    var wanted = $("c-more").value.trim();
    if (!wanted) { return; }
    var low = wanted.toLowerCase();
    var doc = documents.filter(function (d) { return d.doc_id === wanted; })[0] ||
      documents.filter(function (d) { return (d.title || "").toLowerCase() === low; })[0];
    if (!doc) { setStatus($("case-status"), "Kein Dokument „" + wanted + "“ im Index.", true); return; }
    var have = $("c-sources").querySelector("input[value='" + CSS.escape(doc.doc_id) + "']");
    if (have) { have.checked = true; } else { addSource(doc, true, " – hinzugefügt"); }
    $("c-more").value = "";
    setStatus($("case-status"), "Quelle hinzugefügt: " + doc.title + ".");
    $("case-save").disabled = false;
  }
  $("c-more-add").addEventListener("click", addMoreSource);
  $("c-more").addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); addMoreSource(); }  // not the form's submit
  });
  document.querySelectorAll("input[name=expect]").forEach(function (r) {
    r.addEventListener("change", function () {
      $("c-answer-fields").hidden = document.querySelector("input[name=expect]:checked").value !== "answer";
    });
  });
  $("case-cancel").addEventListener("click", function () { $("case-form").hidden = true; });
  $("case-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var expect = document.querySelector("input[name=expect]:checked").value;
    var body = { question: $("c-question").value.trim(), expect: expect,
      answer_id: caseFor && caseFor.answer_id ? caseFor.answer_id : null };
    if (expect === "answer") {
      body.key_facts = $("c-facts").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
      body.sources = Array.prototype.map.call($("c-sources").querySelectorAll("input:checked"), function (i) { return i.value; });
      body.expected_answer = $("c-expected").value.trim() || null;
    }
    $("case-save").disabled = true;  // saved once: a second click would store the same case again
    api("/api/v1/admin/eval-cases", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (c) {
        setStatus($("case-status"), "Gespeichert als Testfall " + c.id + ".");
        markCase(c);
        focusOn($("case-status"));  // the save button it was on is disabled now
        return loadCases();
      },
        function (err) { $("case-save").disabled = false; setStatus($("case-status"), err.message, true); });
  });
  $("case-form").addEventListener("input", function () { $("case-save").disabled = false; });  // changed: save anew

  function markCase(c) {  // the feedback it came from shows it at once
    if (!c.answer_id) { return; }
    document.querySelectorAll("#fb-list .feedback-item").forEach(function (box) {
      if (box.dataset.answerId === c.answer_id && !box.querySelector(".case-tag")) {
        box.insertBefore(el("p", null), box.querySelector("details"))
          .appendChild(el("span", { "class": "tag case-tag" }, "Testfall angelegt: " + c.id));
      }
    });
  }
  function loadCases() {
    return api("/api/v1/admin/eval-cases").then(function (cases) {
      var body = $("case-table").querySelector("tbody");
      body.textContent = "";
      if (!cases.length) {
        var none = el("tr"); none.appendChild(el("td", { colspan: "5" }, "Noch keine Testfälle.")); body.appendChild(none);
      }
      cases.forEach(function (c) {
        var row = el("tr");
        row.appendChild(el("td", null, c.id));
        row.appendChild(el("td", null, c.question));
        row.appendChild(el("td", null, c.expect === "refuse" ? "Ablehnung" : "Antwort"));
        row.appendChild(el("td", null, c.expect === "refuse" ? "–" :
          (c.key_facts || []).join("; ") + " · Quellen: " + ((c.sources || []).join(", ") || "–")));
        var cell = el("td");
        var del = el("button", { type: "button", "class": "danger", "aria-label": "Testfall " + c.id + " löschen" }, "Löschen");
        del.addEventListener("click", function () {
          if (!window.confirm("Testfall " + c.id + " („" + c.question + "“) wirklich löschen?")) { return; }
          api("/api/v1/admin/eval-cases/" + encodeURIComponent(c.id), { method: "DELETE" })
            .then(function () {
              setStatus($("cases-status"), "Testfall " + c.id + " gelöscht.");
              return loadCases().then(function () { focusOn($("cases-h")); });  // its row and button are gone
            },
              function (err) { setStatus($("cases-status"), err.message, true); });
        });
        cell.appendChild(del);
        row.appendChild(cell);
        body.appendChild(row);
      });
    }, function (err) { setStatus($("cases-status"), err.message, true); });
  }
  $("cases-download").addEventListener("click", function () {
    fetch("/api/v1/admin/eval-cases?format=yaml", { headers: { Authorization: "Bearer " + token() } })
      .then(function (r) { if (!r.ok) { throw new Error("Die Testfälle sind nicht verfügbar."); } return r.blob(); })
      .then(function (blob) {
        var a = el("a", { href: URL.createObjectURL(blob), download: "testfaelle-" + new Date().toISOString().slice(0, 10) + ".yaml" });
        document.body.appendChild(a); a.click(); a.remove();
      }, function (err) { setStatus($("cases-status"), err.message, true); });
  });

  C.loadFeedback = loadFeedback;
  C.loadCases = loadCases;
})(window.SCPConsole);
