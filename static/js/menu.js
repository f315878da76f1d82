// The header's menu button on narrow screens: shows and hides the navigation, keeping
// aria-expanded true to what is on screen. Without this script the menu is simply always open.
(function () {
  "use strict";

  var header = document.querySelector(".topbar");
  var button = header && header.querySelector(".menu-button");
  if (!button) {
    return;
  }
  header.classList.add("has-menu");
  button.hidden = false;

  function set(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("menu-open", open);
  }

  button.addEventListener("click", function () {
    set(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      set(false);
      button.focus();
    }
  });
  set(false);
})();
