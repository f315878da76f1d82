/* Selection kept across search and pages for lists marked data-selection (the indicator list).
   The selection lives in sessionStorage (this tab only): either ticked ids, or "all matching"
   a filter. On submit, the share form receives the ids (hidden inputs) or all=1 and the filter;
   "Share selected…" stays disabled while nothing is selected. No inline script (CSP). */
(function () {
  "use strict";

  function init(form) {
    var key = "cybercoop.selection." + form.dataset.selection;
    var filter = { q: form.dataset.q || "", type: form.dataset.type || "", tlp: form.dataset.tlp || "" };
    var rows = Array.prototype.slice.call(document.querySelectorAll('input.select-row[form="' + form.id + '"]'));
    var pageBox = document.getElementById("select-page");
    var shareButton = document.getElementById("share-button");
    var count = document.getElementById("selection-count");
    var allButton = document.getElementById("select-all-matching");
    var clearButton = document.getElementById("clear-selection");

    function load() {
      try {
        var state = JSON.parse(sessionStorage.getItem(key) || "{}");
        return { ids: Array.isArray(state.ids) ? state.ids.map(String) : [], all: state.all || null };
      } catch (e) {
        return { ids: [], all: null };
      }
    }
    function save(state) { sessionStorage.setItem(key, JSON.stringify(state)); }
    function sameFilter(a, b) { return a && b && a.q === b.q && a.type === b.type && a.tlp === b.tlp; }

    var state = load();
    var thousands = form.dataset.thousands || "";  /* the separator intcomma groups with here */
    function grouped(n) {  /* as the server's intcomma writes it: 12,345 / 12 345 / 12.345 */
      return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, thousands);
    }

    function render() {
      var allHere = state.all !== null && sameFilter(state.all, filter);
      rows.forEach(function (box) {
        box.checked = allHere || state.ids.indexOf(box.value) !== -1;
        box.disabled = state.all !== null;
      });
      if (pageBox) {
        var ticked = rows.filter(function (box) { return box.checked; }).length;
        pageBox.checked = rows.length > 0 && ticked === rows.length;
        pageBox.indeterminate = ticked > 0 && ticked < rows.length;
        pageBox.disabled = state.all !== null || rows.length === 0;
      }
      var selected = state.all !== null || state.ids.length > 0;
      shareButton.disabled = !selected;
      if (state.all !== null) {
        count.textContent = allHere ? form.dataset.allHere || "All matching this search are selected."
                                    : form.dataset.allElsewhere || "All matching an earlier search are selected.";
      } else if (state.ids.length) {
        count.textContent = grouped(state.ids.length) + " " + (state.ids.length === 1 ? (form.dataset.one || "selected") : (form.dataset.many || "selected"));
      } else {
        count.textContent = form.dataset.none || "Nothing selected.";
      }
      if (allButton) { allButton.hidden = state.all !== null || rows.length === 0; }
      clearButton.hidden = !selected;
    }

    function toggle(id, on) {
      var at = state.ids.indexOf(id);
      if (on && at === -1) { state.ids.push(id); }
      if (!on && at !== -1) { state.ids.splice(at, 1); }
    }

    rows.forEach(function (box) {
      box.addEventListener("change", function () { toggle(box.value, box.checked); save(state); render(); });
    });
    if (pageBox) {
      pageBox.addEventListener("change", function () {
        rows.forEach(function (box) { toggle(box.value, pageBox.checked); });
        save(state); render();
      });
    }
    if (allButton) {
      allButton.addEventListener("click", function () { state = { ids: [], all: filter }; save(state); render(); });
    }
    clearButton.addEventListener("click", function () { state = { ids: [], all: null }; save(state); render(); });

    form.addEventListener("submit", function (event) {
      if (state.all === null && state.ids.length === 0) { event.preventDefault(); return; }
      Array.prototype.slice.call(form.querySelectorAll("input.selection-carried")).forEach(function (el) { el.remove(); });
      rows.forEach(function (box) { box.disabled = true; }); /* the carried inputs say it all */
      function carry(name, value) {
        var input = document.createElement("input");
        input.type = "hidden"; input.name = name; input.value = value; input.className = "selection-carried";
        form.appendChild(input);
      }
      if (state.all !== null) {
        carry("all", "1");
        ["q", "type", "tlp"].forEach(function (name) { if (state.all[name]) { carry(name, state.all[name]); } });
      } else {
        state.ids.forEach(function (id) { carry("ids", id); });
      }
    });
    /* Back from the share page (bfcache): the rows were disabled for the submit. */
    window.addEventListener("pageshow", function () { state = load(); render(); });
    render();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-selection]"), init);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
