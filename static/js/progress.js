// Long work shows progress: a bulk job's page polls its JSON endpoint every second and moves
// its <progress> bar, then reloads to show the report; every POST form disables its buttons
// while the submission is in flight (no inline script: CSP script-src 'self').
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

  function guardSubmissions() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") { return; }
      var buttons = form.querySelectorAll("button, input[type=submit]");
      // After the submission has read the clicked button's name and value.
      window.setTimeout(function () {
        buttons.forEach(function (button) { button.disabled = true; });
        form.setAttribute("aria-busy", "true");
      }, 0);
      // A download or a slow answer must not leave the form dead.
      window.setTimeout(function () { enable(form); }, 15000);
    });
    window.addEventListener("pageshow", function () {
      document.querySelectorAll("form[aria-busy=true]").forEach(enable);
    });
  }

  function enable(form) {
    form.querySelectorAll("button, input[type=submit]").forEach(function (button) {
      button.disabled = false;
    });
    form.removeAttribute("aria-busy");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("bulk-progress");
    if (box && box.getAttribute("data-state") === "running") { poll(box); }
  });
  guardSubmissions();
})();
