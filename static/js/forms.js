// Disable a form's submit buttons while it is submitting, so a second click or Enter cannot send it
// twice; enable them again when the page comes back from the back/forward cache.
(function () {
  "use strict";

  var BUSY = "data-submitting";

  function submitButtons(form) {
    var inside = Array.prototype.slice.call(
      form.querySelectorAll("button:not([type]), button[type=submit], input[type=submit]")
    );
    var outside = form.id
      ? Array.prototype.slice.call(document.querySelectorAll("[form='" + form.id + "']"))
      : [];
    return inside.concat(outside.filter(function (el) { return el.type === "submit"; }));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-no-disable")) {
      return;
    }
    if (form.hasAttribute(BUSY)) {
      event.preventDefault(); // already on its way
      return;
    }
    if (event.defaultPrevented) {
      return;
    }
    form.setAttribute(BUSY, "");
    form.setAttribute("aria-busy", "true");
    // After this turn: the clicked button's name=value must still go with the form data.
    window.setTimeout(function () {
      submitButtons(form).forEach(function (button) { button.disabled = true; });
    }, 0);
  });

  // A select marked data-autosubmit (the language switcher) sends its form when it changes; its
  // own submit button stays for browsers without script.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.requestSubmit();
    }
  });

  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[" + BUSY + "]"), function (form) {
      form.removeAttribute(BUSY);
      form.removeAttribute("aria-busy");
      submitButtons(form).forEach(function (button) { button.disabled = false; });
    });
  });
})();
