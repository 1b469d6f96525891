/* SCP Assistant – the ism console: why a question gets its answer ("Antwort prüfen"). */
(function (C) {
  "use strict";
  var $ = C.$, el = C.el, setStatus = C.setStatus, focusOn = C.focusOn, api = C.api, decimal = C.decimal, table = C.table;

  // ---- why a question gets its answer --------------------------------------------------------------
  function explainQuestion(question) {
    C.show("explain");
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
    if (r.similar && r.similar.length) {  // what the question memory compared it with
      out.appendChild(table("Ähnliche Fragen aus dem Training (das Fragengedächtnis: Textstellen, die ihre Kernfakten " +
        "nennen, und Ablehnungen ähnlicher Fragen fließen in die Entscheidung ein)",
        ["Ähnlichkeit", "Trainingsfrage", "Erwartet"],
        r.similar.map(function (q) {
          return [{ text: decimal(q.similarity, 2), cls: "num" }, { text: q.question, cls: "text" },
            { text: q.declined ? "Ablehnung" : "Kernfakten: " + q.facts.join("; ") }];
        })));
    }
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

  C.explainQuestion = explainQuestion;
})(window.SCPConsole);
