// Long work shows progress: a bulk job's page polls its JSON endpoint every second and moves
// its <progress> bar, then reloads to show the report (no inline script: CSP script-src 'self').
// Submit buttons are disabled in flight by forms.js, on every page.
(function () {
  "use strict";

  function poll(box) {
    var url = box.getAttribute("data-progress-url");
    var bar = document.getElementById("bulk-bar");
    var status = document.getElementById("bulk-status");
    var template = box.getAttribute("data-running-text") || "";
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (job) {
          bar.max = Math.max(job.total || 0, 1);
          bar.value = job.done || 0;
          bar.textContent = (job.done || 0) + " / " + (job.total || 0);
          if (template) {
            status.textContent = template
              .replace("%(done)s", job.done || 0)
              .replace("%(total)s", job.total || 0)
              .replace("%(errors)s", job.errors || 0);
          }
          if (job.state === "running") {
            window.setTimeout(tick, 1000);
          } else {
            window.location.reload();
          }
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    window.setTimeout(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("bulk-progress");
    if (box && box.getAttribute("data-state") === "running") { poll(box); }
  });
})();
