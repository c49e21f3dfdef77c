// Progressive enhancement for an upload's page (/admin/imports/<id>/): polls the upload's
// JSON status and moves the server-rendered <progress> bar and counts; once the upload is
// done, reloads the page once so the server lists the per-row errors. Without this script
// the page works the same with its reload link.
(function () {
  "use strict";
  var section = document.getElementById("upload-status");
  if (!section || section.getAttribute("data-completed") === "true" || !window.fetch) return;
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("upload-progress");
  var live = document.getElementById("live-status");
  function set(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = String(value);
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) {
        if (!res.ok) throw new Error("status " + res.status);
        return res.json();
      })
      .then(function (s) {
        bar.max = s.total_rows > 0 ? s.total_rows : 1;
        bar.value = s.processed_rows;
        bar.textContent = s.percent + "%";
        set("processed-rows", s.processed_rows);
        set("total-rows", s.total_rows);
        set("ok-rows", s.ok_rows);
        set("error-rows", s.error_rows);
        set("forgotten-rows", s.forgotten_rows);
        set("upload-state", s.is_completed ? "done" : s.status);
        if (s.is_completed) {
          if (live) live.textContent = "Upload done: " + s.ok_rows + " imported, " + s.error_rows + " with errors.";
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 500);
})();
