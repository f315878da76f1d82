/* Charts of the dashboards (home, deliveries): each <canvas data-chart="ID"> is drawn with
 * Chart.js from the JSON of <script type="application/json" id="ID"> (Django's json_script),
 * so no script is inline. The same numbers are in a table next to each chart for screen
 * readers and for browsers without JavaScript.
 *
 * JSON: {"kind": "bar", "stacked": true, "labels": [...],
 *        "datasets": [{"label": "...", "data": [...], "tone": "ok|warn|bad|info|muted"}]} */
(function () {
  "use strict";

  var TONES = {
    ok: "#2e7d32",
    warn: "#ef8f00",
    bad: "#c62828",
    info: "#1f4e79",
    muted: "#8a94a6",
  };

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.datasets.map(function (set) {
      var colour = TONES[set.tone] || TONES.info;
      return {
        label: set.label,
        data: set.data,
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: spec.kind === "line" ? 2 : 0,
        pointRadius: 0,
        fill: false,
      };
    });
    // The page's language formats the numbers; right-to-left pages mirror the legend, the
    // tooltips and the x axis (the newest day at the left end of the reading direction).
    var root = document.documentElement;
    var rtl = root.getAttribute("dir") === "rtl";
    canvas.chart = new window.Chart(canvas, {
      type: spec.kind || "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        locale: root.getAttribute("lang") || undefined,
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", rtl: rtl }, tooltip: { rtl: rtl } },
        scales: {
          x: { stacked: !!spec.stacked, reverse: rtl, ticks: { maxRotation: 0, autoSkip: true } },
          y: { stacked: !!spec.stacked, beginAtZero: true, position: rtl ? "right" : "left", ticks: { precision: 0 } },
        },
      },
    });
    canvas.setAttribute("data-drawn", "1");
  }

  function drawAll() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i += 1) {
      draw(canvases[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
