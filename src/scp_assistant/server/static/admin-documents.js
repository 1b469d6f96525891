/* SCP Assistant – the ism console: the documents of the index, upload, delete, read the folder again. */
(function (C) {
  "use strict";
  var $ = C.$, el = C.el, setStatus = C.setStatus, germanDate = C.germanDate, when = C.when, api = C.api, follow = C.follow, reindexed = C.reindexed;

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

  C.loadDocuments = loadDocuments;
})(window.SCPConsole);
