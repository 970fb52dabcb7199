// The header menu: open in the header on wide screens, behind the "Menu"
// button below 1024 px. Without this script the menu is simply open (the
// page renders it so); the "More" list is a plain <details> either way.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 63.99rem)");

  function place() {
    var menu = document.querySelector("[data-site-menu]");
    if (!menu) return;
    if (narrow.matches) menu.removeAttribute("open");
    else menu.setAttribute("open", "");
  }

  function closeMore(except) {
    document.querySelectorAll("[data-site-more][open]").forEach(function (more) {
      if (more !== except) more.removeAttribute("open");
    });
  }

  document.addEventListener("DOMContentLoaded", place);
  if (narrow.addEventListener) narrow.addEventListener("change", place);

  // A click outside or Escape closes the "More" list (focus returns to its button);
  // Escape then closes the "Menu" panel of a narrow screen the same way.
  document.addEventListener("click", function (event) {
    closeMore(event.target.closest && event.target.closest("[data-site-more]"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("[data-site-more][open]");
    if (!open && narrow.matches) open = document.querySelector("[data-site-menu][open]");
    if (!open) return;
    open.removeAttribute("open");
    open.querySelector("summary").focus();
  });
})();
