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
    var thousands = box.getAttribute("data-thousands") || "";
    function grouped(n) {  // as the server's intcomma writes it: 12,345 / 12 345 / 12.345
      return String(n || 0).replace(/\B(?=(\d{3})+(?!\d))/g, thousands);
    }
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (job) {
          bar.max = Math.max(job.total || 0, 1);
          bar.value = job.done || 0;
          bar.textContent = grouped(job.done) + " / " + grouped(job.total);
          if (template) {
            status.textContent = template
              .replace("%(done)s", grouped(job.done))
              .replace("%(total)s", grouped(job.total))
              .replace("%(errors)s", grouped(job.errors));
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
