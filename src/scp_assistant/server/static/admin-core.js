/* SCP Assistant – the ism console, shared helpers (window.SCPConsole). The admin token travels only in the
 * Authorization header and is kept in sessionStorage (this tab), never in a cookie or a URL. Server text is only
 * ever inserted as text. The console's scripts are served as one file, /admin.js, in the order of
 * server/app.py ADMIN_SCRIPTS; each adds its part to window.SCPConsole. */
window.SCPConsole = (function () {
  "use strict";
  var KEY = "scp-admin-token";
  var $ = function (id) { return document.getElementById(id); };

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
      if (res.status === 401) { window.SCPConsole.signOut("Bitte erneut anmelden: das Token wurde nicht angenommen."); }
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

  return { KEY: KEY, $: $, el: el, token: token, setStatus: setStatus, focusOn: focusOn, pct: pct, germanDate: germanDate,
    when: when, api: api, follow: follow, describe: describe, reindexed: reindexed, decimal: decimal, table: table };
})();
