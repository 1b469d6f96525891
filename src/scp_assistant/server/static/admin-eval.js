/* SCP Assistant – the ism console: eval runs, their results and where wrong answers went wrong. */
(function (C) {
  "use strict";
  var $ = C.$, el = C.el, token = C.token, setStatus = C.setStatus, pct = C.pct, when = C.when, api = C.api, follow = C.follow;
  var METRICS = [
    // the names of the HTML report (eval/report.py), so that both say the same
    ["answer_accuracy", "Antwortgenauigkeit", "Anteil der beantwortbaren Fragen mit richtiger, belegter Antwort."],
    ["refusal_accuracy", "Korrekte Ablehnungen", "Anteil der nicht beantwortbaren Fragen, die abgelehnt wurden."],
    ["false_refusal", "Falsche Ablehnungen", "Anteil der beantwortbaren Fragen, die abgelehnt wurden (niedriger ist besser)."],
    ["citation_hit", "Richtige Quelle zitiert", "Anteil der Antworten, die eine erwartete Quelle nennen."],
    ["citation_precision", "Quellen-Präzision", "Anteil der genannten Quellen, die zur Frage passen."],
    ["lead_fact", "Antwort zuerst", "Anteil der Antworten mit einem Kernfakt in den ersten 300 Zeichen."]
  ];

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
        check.addEventListener("click", function () { C.explainQuestion(f.searched || f.question); });
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

  C.loadRuns = loadRuns;
})(window.SCPConsole);
