/* SCP Assistant – the ism console. The admin token travels only in the Authorization header and is kept in
 * sessionStorage (this tab), never in a cookie or a URL. Server text is only ever inserted as text. */
(function () {
  "use strict";
  var KEY = "scp-admin-token";
  var $ = function (id) { return document.getElementById(id); };
  var METRICS = [
    // the names of the HTML report (eval/report.py), so that both say the same
    ["answer_accuracy", "Antwortgenauigkeit", "Anteil der beantwortbaren Fragen mit richtiger, belegter Antwort."],
    ["refusal_accuracy", "Korrekte Ablehnungen", "Anteil der nicht beantwortbaren Fragen, die abgelehnt wurden."],
    ["false_refusal", "Falsche Ablehnungen", "Anteil der beantwortbaren Fragen, die abgelehnt wurden (niedriger ist besser)."],
    ["citation_hit", "Richtige Quelle zitiert", "Anteil der Antworten, die eine erwartete Quelle nennen."],
    ["citation_precision", "Quellen-Präzision", "Anteil der genannten Quellen, die zur Frage passen."],
    ["lead_fact", "Antwort zuerst", "Anteil der Antworten mit einem Kernfakt in den ersten 300 Zeichen."]
  ];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") { node.className = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function token() { try { return sessionStorage.getItem(KEY) || ""; } catch (e) { return ""; } }
  function setStatus(node, text, error) { node.textContent = text || ""; node.classList.toggle("error", !!error); }
  // where the keyboard goes when the control it was on disappears or is disabled (not back to the page's start)
  function focusOn(node) { if (!node.hasAttribute("tabindex")) { node.setAttribute("tabindex", "-1"); } node.focus(); }
  function pct(x) {  // 0.033 -> "3,3 %", as the report writes it
    return x === null || x === undefined ? "–" : String(Math.round(x * 1000) / 10).replace(".", ",") + " %";
  }
  function germanDate(value) {
    var m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(value || "");
    if (!m) { return value || "undatiert"; }
    return m[3] ? m[3] + "." + m[2] + "." + m[1] : m[2] + "/" + m[1];
  }
  function when(iso) {
    var d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString("de-DE", { dateStyle: "medium", timeStyle: "short" });
  }

  function api(path, options) {
    options = options || {};
    var headers = options.headers || {};
    headers.Authorization = "Bearer " + token();
    options.headers = headers;
    return fetch(path, options).catch(function () {
      throw new Error("Keine Verbindung zum Server. Bitte erneut versuchen.");
    }).then(function (res) {
      if (res.status === 401) { signOut("Bitte erneut anmelden: das Token wurde nicht angenommen."); }
      var type = res.headers.get("content-type") || "";
      var body = type.indexOf("json") >= 0 ? res.json() : res.text();
      return body.then(function (data) {
        if (!res.ok) {
          var message = (data && data.error && data.error.message) || ("Fehler " + res.status);
          throw new Error(message);
        }
        return data;
      });
    });
  }

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
  var loaders = { documents: loadDocuments, feedback: function () { loadFeedback(); loadCases(); }, eval: loadRuns,
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

  // ---- documents ----------------------------------------------------------------------------------
  var documents = [];
  function loadDocuments() {
    return api("/api/v1/admin/documents").then(function (docs) { documents = docs; renderDocuments(); },
      function (err) { setStatus($("upload-status"), err.message, true); });
  }
  function renderDocuments() {
    var q = $("doc-search").value.trim().toLowerCase();
    var body = $("doc-table").querySelector("tbody");
    body.textContent = "";
    documents.filter(function (d) {
      return !q || (d.title + " " + d.publisher + " " + d.doc_id).toLowerCase().indexOf(q) >= 0;
    }).forEach(function (d) {
      var row = el("tr");
      var name = el("td", null, d.title);
      // the id (what search results and test cases name), its sections and where it comes from, under the title
      name.appendChild(el("span", { "class": "id" }, d.doc_id + " · " + d.chunks + (d.chunks === 1 ? " Abschnitt" : " Abschnitte") +
        " · " + d.origin + (d.uploaded_at ? " am " + when(d.uploaded_at) : "")));
      if (/^https?:\/\//i.test(d.source_url || "")) {  // where it comes from, to check it against the original
        name.appendChild(el("a", { href: d.source_url, target: "_blank", rel: "noopener", "class": "id" }, d.source_url));
      }
      row.appendChild(name);
      row.appendChild(el("td", null, d.publisher || "–"));
      row.appendChild(el("td", null, d.date ? germanDate(d.date) : "undatiert"));
      row.appendChild(el("td", null, typeName(d.doc_type)));
      row.appendChild(el("td", null, d.region || "–"));
      var notes = el("td");
      d.warnings.forEach(function (w) { notes.appendChild(el("span", { "class": "tag warn" }, w)); notes.appendChild(document.createTextNode(" ")); });
      row.appendChild(notes);
      var actions = el("td");
      var del = el("button", { type: "button", "class": "danger", "aria-label": "Löschen: " + d.title }, "Löschen");
      del.addEventListener("click", function () {
        if (!window.confirm("„" + d.title + "“ wirklich löschen? Der Assistent antwortet danach ohne dieses Dokument.")) { return; }
        setStatus($("upload-status"), "Lösche „" + d.title + "“ und lese neu ein …");
        api("/api/v1/admin/documents/" + encodeURIComponent(d.doc_id), { method: "DELETE" })
          .then(function (r) { return follow(r.job_id, $("upload-status")); })
          .then(loadDocuments, function (err) { setStatus($("upload-status"), err.message, true); });
      });
      actions.appendChild(del);
      row.appendChild(actions);
      body.appendChild(row);
    });
  }
  function typeName(value) {  // the label the upload form shows for a document type (any other value as it is)
    var option = Array.prototype.filter.call($("m-type").options, function (o) { return value && o.value === value; })[0];
    return option ? option.textContent : (value || "–");
  }
  $("doc-search").addEventListener("input", renderDocuments);
  $("reindex-button").addEventListener("click", function () {
    var button = $("reindex-button");
    // one run at a time; the button stays focusable (a disabled one would drop the keyboard to the page's start)
    if (button.getAttribute("aria-disabled") === "true") { return; }
    button.setAttribute("aria-disabled", "true");
    setStatus($("reindex-status"), "Lese den Korpus-Ordner neu ein …");
    api("/api/v1/admin/reindex-jobs", { method: "POST" })
      .then(function (r) { return follow(r.job_id, $("reindex-status")); })
      .then(function (job) {
        var report = job.report || {};
        if (report.errors && report.errors.length) { setStatus($("reindex-status"), reindexed(report), true); }
        return loadDocuments();
      }, function (err) { setStatus($("reindex-status"), err.message, true); })
      .then(enable, enable);
    function enable() { button.removeAttribute("aria-disabled"); }
  });
  $("file").addEventListener("change", function () {
    var name = ($("file").files[0] || {}).name || "";
    $("pdf-meta").hidden = !/\.pdf$/i.test(name);
    if (!$("pdf-meta").hidden && !$("m-title").value) {
      $("m-title").value = name.replace(/\.pdf$/i, "").replace(/[_-]+/g, " ");
    }
  });
  $("upload-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var file = $("file").files[0];
    if (!file) { setStatus($("upload-status"), "Bitte eine Datei wählen.", true); return; }
    var form = new FormData();
    form.append("file", file);
    if (/\.pdf$/i.test(file.name)) {
      if (!$("m-title").value.trim()) { setStatus($("upload-status"), "Bitte einen Titel für die PDF angeben.", true); $("m-title").focus(); return; }
      if (!$("m-type").value) { setStatus($("upload-status"), "Bitte die Art des Dokuments wählen.", true); $("m-type").focus(); return; }
      form.append("meta", JSON.stringify({
        id: $("m-id").value.trim() || undefined, title: $("m-title").value.trim(), publisher: $("m-publisher").value.trim(),
        date: $("m-date").value, doc_type: $("m-type").value, region: $("m-region").value.trim(),
        source_url: $("m-url").value.trim()
      }));
    }
    setStatus($("upload-status"), "Lade „" + file.name + "“ hoch und prüfe die Datei …");
    $("upload-button").disabled = true;  // one upload at a time: a second click would queue the same file again
    api("/api/v1/admin/documents", { method: "POST", body: form })
      .then(function (r) { return follow(r.job_id, $("upload-status")); })
      .then(function () { $("upload-form").reset(); $("pdf-meta").hidden = true; return loadDocuments(); },
        function (err) { setStatus($("upload-status"), err.message, true); })
      .then(enable, enable);
    function enable() { $("upload-button").disabled = false; }
  });

  function follow(jobId, status) {
    // the index is rebuilt beside the serving one: poll the job until it is done or failed
    return new Promise(function (resolve, reject) {
      var started = Date.now();
      function poll() {
        api("/api/v1/admin/jobs/" + encodeURIComponent(jobId)).then(function (job) {
          if (job.status === "done") { setStatus(status, describe(job.report)); resolve(job); return; }
          if (job.status === "failed") { reject(new Error((job.report && job.report.error) || "Der Auftrag ist fehlgeschlagen.")); return; }
          var seconds = Math.round((Date.now() - started) / 1000);
          var doing = job.kind === "eval" ? "Die Fragen werden durchlaufen …" : "Wird eingelesen …";
          setStatus(status, (job.status === "queued" ? "Wartet auf den Start …" : doing) + " (" + seconds + " s)");
          setTimeout(poll, 700);
        }, reject);
      }
      poll();
    });
  }
  function describe(report) {
    if (!report) { return "Fertig."; }
    if (report.metrics) { return "Lauf abgeschlossen."; }
    var parts = [];
    if (report.status === "neu eingelesen") { return reindexed(report); }
    if (report.status === "gelöscht") { parts.push("„" + report.doc_id + "“ wurde gelöscht und der Index neu aufgebaut."); }
    else { parts.push("Fertig: „" + report.doc_id + "“ ist eingelesen (" + report.chunks + (report.chunks === 1 ? " Abschnitt)." : " Abschnitte).")); }
    if (report.warnings && report.warnings.length) { parts.push("Hinweise: " + report.warnings.join("; ") + "."); }
    if (report.errors && report.errors.length) { parts.push("Andere Dateien mit Fehlern: " + report.errors.join("; ") + "."); }
    return parts.join(" ");
  }

  function reindexed(report) {
    var parts = ["Neu eingelesen: " + report.documents + " Dokumente, " + report.chunks + " Abschnitte."];
    var changes = [["neu", report.added], ["geändert", report.updated], ["entfernt", report.removed]]
      .filter(function (c) { return c[1].length; })
      .map(function (c) { return c[0] + ": " + c[1].join(", "); });
    parts.push(changes.length ? "Änderungen – " + changes.join("; ") + "." : "Keine Änderungen gegenüber dem Index.");
    if (report.errors.length) { parts.push("Dateien mit Fehlern (nicht im Index): " + report.errors.join("; ") + "."); }
    if (report.warnings.length) { parts.push("Hinweise: " + report.warnings.join("; ") + "."); }
    return parts.join(" ");
  }

  // ---- why a question gets its answer --------------------------------------------------------------
  function decimal(x, digits) { return x === null || x === undefined ? "–" : x.toFixed(digits).replace(".", ","); }
  function table(caption, heads, rows) {
    var wrap = el("div", { "class": "table-wrap" });
    var t = el("table");
    t.appendChild(el("caption", null, caption));
    var head = el("tr");
    heads.forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
    t.appendChild(el("thead")).appendChild(head);
    var body = t.appendChild(el("tbody"));
    rows.forEach(function (cells) {
      var tr = el("tr");
      cells.forEach(function (c) { tr.appendChild(el("td", c.cls ? { "class": c.cls } : null, c.text)); });
      body.appendChild(tr);
    });
    wrap.appendChild(t);
    return wrap;
  }
  function explainQuestion(question) {
    show("explain");
    $("ex-question").value = question;
    focusOn($("ex-h"));  // the feedback entry it came from is hidden now
    runExplain();
  }
  var explaining = false;
  function runExplain() {
    var question = $("ex-question").value.trim();
    if (!question) { setStatus($("ex-status"), "Bitte eine Frage eingeben.", true); $("ex-question").focus(); return; }
    if (explaining) { return; }  // one at a time; the button stays focusable
    explaining = true;
    $("ex-button").setAttribute("aria-disabled", "true");
    $("ex-result").textContent = "";
    setStatus($("ex-status"), "Prüfe …");
    api("/api/v1/admin/explain", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: question }) })
      .then(function (r) {
        renderExplanation(r);
        setStatus($("ex-status"), "Geprüft: " + r.decision + ".");
        focusOn($("ex-result").querySelector("h3"));
      }, function (err) { setStatus($("ex-status"), err.message, true); })
      .then(enable, enable);
    function enable() { explaining = false; $("ex-button").removeAttribute("aria-disabled"); }
  }
  $("explain-form").addEventListener("submit", function (e) { e.preventDefault(); runExplain(); });
  var REFUSALS = { not_covered: "steht nicht in den Unterlagen", out_of_scope: "nicht zum Programm",
    adversarial: "Manipulationsversuch" };
  function renderExplanation(r) {
    var out = $("ex-result");
    out.appendChild(el("h3", null, "Entscheidung: " + r.decision +
      (r.refusal_reason ? " (" + (REFUSALS[r.refusal_reason] || r.refusal_reason) + ")" : "")));
    if (r.searched !== r.question) { out.appendChild(el("p", null, "Gesucht wurde: " + r.searched)); }
    var reasons = el("ul");
    r.reasons.forEach(function (x) { reasons.appendChild(el("li", null, x)); });
    out.appendChild(reasons);
    out.appendChild(el("h3", null, "Antwort"));
    out.appendChild(el("p", { "class": "answer-text" }, r.answer));
    if (r.signals.length) {
      out.appendChild(el("p", { "class": "hint" }, "Die Wirkung ist gelernt: wie stark das Modell diesen Wert dieser " +
        "Frage zum Ablehnen (+) oder zum Antworten (−) gewichtet, verglichen mit einer durchschnittlichen Frage. " +
        "Abgelehnt wird ab der Schwelle oben."));
      out.appendChild(table("Stärkste Signale des Ablehnungsmodells", ["Signal", "Bedeutung", "Wert", "Wirkung"],
        r.signals.map(function (s) {
          return [{ text: s.name }, { text: s.meaning }, { text: decimal(s.value, 2), cls: "num" },
            { text: (s.push >= 0 ? "+" : "−") + decimal(Math.abs(s.push), 2) + (s.push >= 0 ? " eher ablehnen" : " eher antworten") }];
        })));
    }
    out.appendChild(table("Gefundene Abschnitte (Rang der Suche; gelesen: ihre Textstellen kamen für die Antwort in Frage; " +
      "nicht gelesen: keine Textstelle daraus, etwa bei der Beschreibung eines Dokuments oder nach den gelesenen Abschnitten)",
      ["Rang", "Dokument", "Abschnitt oder Seite", "Gelesen"],
      r.passages.map(function (p) {
        return [{ text: p.rank, cls: "num" }, { text: p.title + " (" + p.doc_id + ")" }, { text: p.where || "–" },
          { text: p.read ? "ja" : "nein" }];
      })));
    if (r.units.length) {
      out.appendChild(table("Textstellen nach Wahrscheinlichkeit, dass sie die Frage beantworten",
        ["Wahrscheinlichkeit", "In der Antwort", "Dokument", "Text"],
        r.units.map(function (u) {
          var used = u.chosen ? "ja" : u.inside ? "ja, als Teil einer gewählten Stelle" :
            (u.excluded ? "nein (anderer Ort, anderes Jahr oder andere Säule)" : "nein");
          return [{ text: decimal(u.p, 2), cls: "num" }, { text: used }, { text: u.doc_id + (u.where ? " – " + u.where : "") },
            { text: u.text, cls: "text" }];
        })));
    }
  }

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
  $("fb-text").addEventListener("input", function () { clearTimeout(typing); typing = setTimeout(loadFeedback, 300); });
  $("fb-more").addEventListener("click", function () { loadFeedback(true); });
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
      check.addEventListener("click", function () { explainQuestion(f.searched || f.question); });
      box.appendChild(check);
      list.appendChild(box);
    });
    if (more && moreWasFocused && items.length) { focusOn(list.children[before]); }  // go on where the new ones start
  }
  var caseFor = null;
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

  // ---- eval runs -----------------------------------------------------------------------------------
  $("eval-form").addEventListener("submit", function (e) {
    e.preventDefault();
    setStatus($("eval-status"), "Lauf wird gestartet …");
    api("/api/v1/admin/eval-runs", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ set: $("ev-set").value }) })
      .then(function (r) { return follow(r.job_id, $("eval-status")); })
      .then(function (job) { showResult(job); return loadRuns(); },
        function (err) { setStatus($("eval-status"), err.message, true); });
  });
  var runs = [];
  function setTitle(name) {  // "cases" -> "Testfälle aus Rückmeldungen", as the choice of sets names it
    var option = $("ev-set").querySelector("option[value='" + CSS.escape(name || "") + "']");
    return option ? option.textContent : name || "–";
  }
  function loadRuns() {
    return api("/api/v1/admin/eval-runs").then(function (items) {
      runs = items;
      var body = $("run-table").querySelector("tbody");
      body.textContent = "";
      items.forEach(function (job) {
        var m = (job.report && job.report.metrics) || {};
        var row = el("tr");
        row.appendChild(el("td", null, when(job.created_at)));
        row.appendChild(el("td", null, setTitle(job.report && job.report.set)));
        row.appendChild(el("td", null, { queued: "wartet", running: "läuft", done: "fertig", failed: "fehlgeschlagen" }[job.status]));
        row.appendChild(el("td", { "class": "num" }, pct(m.answer_accuracy)));
        row.appendChild(el("td", { "class": "num" }, pct(m.refusal_accuracy)));
        var cell = el("td");
        if (job.status === "done") {
          var open = el("button", { type: "button" }, "Ergebnis ansehen");
          open.addEventListener("click", function () { showResult(job); });
          cell.appendChild(open);
        }
        row.appendChild(cell);
        body.appendChild(row);
      });
    });
  }
  function showResult(job) {
    var box = $("eval-result");
    box.textContent = "";
    var report = job.report || {}, m = report.metrics || {};
    var earlier = runs.filter(function (r) { return r.id === report.previous; })[0];
    var before = earlier && earlier.report ? earlier.report.metrics || {} : null;
    var table = el("table", { "class": "metrics" });
    table.appendChild(el("caption", null, "Ergebnis für „" + setTitle(report.set) + "“ (" + (m.questions === 1 ? "1 Frage" : m.questions + " Fragen") + ")" +
      (before ? " im Vergleich zum vorigen Lauf" : "")));
    var head = el("tr");
    ["Kennzahl", "Wert", before ? "Vorher" : null, "Bedeutung"].filter(Boolean).forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var tbody = el("tbody");
    METRICS.forEach(function (def) {
      var row = el("tr");
      row.appendChild(el("th", { scope: "row" }, def[1]));
      row.appendChild(el("td", { "class": "num" }, pct(m[def[0]])));
      if (before) {
        var cell = el("td", { "class": "num" }, pct(before[def[0]]));
        var delta = (m[def[0]] || 0) - (before[def[0]] || 0);
        var better = def[0] === "false_refusal" ? delta < 0 : delta > 0;
        if (Math.abs(delta) > 1e-9) { cell.className += better ? " delta-up" : " delta-down"; }
        row.appendChild(cell);
      }
      row.appendChild(el("td", null, def[2]));
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
    var wrap = el("div", { "class": "table-wrap" }); wrap.appendChild(table); box.appendChild(wrap);
    showStages(box, m.failure_stages, report.failures || []);
    showChanges(box, report.changes);
    var save = el("button", { type: "button" }, "Vollständigen Bericht speichern (HTML)");
    save.addEventListener("click", function () {
      fetch("/api/v1/admin/eval-runs/" + encodeURIComponent(job.id) + "/report", { headers: { Authorization: "Bearer " + token() } })
        .then(function (r) { if (!r.ok) { throw new Error("Bericht nicht verfügbar."); } return r.blob(); })
        .then(function (blob) {
          var made = new Date(job.created_at), two = function (n) { return (n < 10 ? "0" : "") + n; };
          var stamp = isNaN(made) ? "" : made.getFullYear() + "-" + two(made.getMonth() + 1) + "-" + two(made.getDate()) +
            "-" + two(made.getHours()) + two(made.getMinutes());  // which run, in local time as the run list shows it
          var a = el("a", { href: URL.createObjectURL(blob), download: "eval-" + report.set + (stamp ? "-" + stamp : "") + ".html" });
          document.body.appendChild(a); a.click(); a.remove();
        }, function (err) { setStatus($("eval-status"), err.message, true); });
    });
    box.appendChild(el("p")).appendChild(save);
  }

  var STAGES = [["suche", "Suche (ein fehlender Kernfakt stand in keinem gelesenen Abschnitt)"],
    ["auswahl", "Auswahl (gelesen, aber nicht gewählt)"], ["abgelehnt", "zu Unrecht abgelehnt"],
    ["nicht-abgelehnt", "beantwortet statt abgelehnt"], ["quelle", "erwartete Quelle nicht zitiert"], ["laenge", "zu lang"],
    ["fakt", "Kernfakt prüfen (so in keinem Abschnitt des Index zu finden)"]];
  function showStages(box, stages, failures) {  // where the wrong answers went wrong (eval/diagnose.py)
    if (!stages) { return; }
    var shown = STAGES.filter(function (s) { return stages[s[0]]; });
    if (!shown.length) { return; }
    box.appendChild(el("h3", null, "Woran falsche Antworten scheiterten"));
    shown.forEach(function (s) {
      // each stage opens to its questions, and each question to why it got its answer
      var details = el("details", { "class": "stage" });
      details.appendChild(el("summary", null, s[1] + ": " + stages[s[0]]));
      var list = el("ul");
      failures.filter(function (f) { return f.stage === s[0]; }).forEach(function (f) {
        var item = el("li", null, f.id + " – " + f.question + " ");
        var check = el("button", { type: "button", "aria-label": "Antwort prüfen: " + f.id }, "Antwort prüfen");
        check.addEventListener("click", function () { explainQuestion(f.searched || f.question); });
        item.appendChild(check);
        list.appendChild(item);
      });
      details.appendChild(list);
      box.appendChild(details);
    });
  }
  function showChanges(box, changes) {
    // which questions this run gets right or wrong that the previous run of the set did not
    if (!changes) { return; }
    if (changes.added || changes.dropped) {
      box.appendChild(el("p", null, "Seit dem vorigen Lauf sind " + changes.added + " Fragen hinzugekommen und " +
        changes.dropped + " entfallen; die Kennzahlen sind deshalb nur bedingt vergleichbar."));
    }
    var lists = [["Neu falsch", changes.newly_failing || []], ["Neu richtig", changes.newly_passing || []]];
    if (!lists[0][1].length && !lists[1][1].length) {
      box.appendChild(el("p", null, "Keine Frage wird anders beurteilt als im vorigen Lauf."));
      return;
    }
    lists.forEach(function (pair) {
      if (!pair[1].length) { return; }
      box.appendChild(el("h3", null, pair[0] + " gegenüber dem vorigen Lauf (" + pair[1].length + ")"));
      var ul = el("ul");
      pair[1].forEach(function (q) { ul.appendChild(el("li", null, q.id + ": " + q.question)); });
      box.appendChild(ul);
    });
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

  if (token()) { start(); } else { $("token").focus(); }
})();
