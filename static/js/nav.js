// The header menu: open in the header on wide screens, behind the "Menu"
// button below 1024 px. On a wider screen where the header's entries, the
// user's name and "Log out" do not fit on one line (a long menu, long
// names), the name goes first (.site-header--no-name: kept for screen
// readers), then the menu folds behind the button (.site-header--compact,
// laid out as on a narrow screen). A wider window never shows less. Without
// this script the menu is simply open (the page renders it so); the "More"
// list is a plain <details> either way.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 63.99rem)");

  function collapsed() {
    var header = document.querySelector(".site-header");
    return narrow.matches || Boolean(header && header.classList.contains("site-header--compact"));
  }

  // The layout the header was last given ("narrow", "compact" or "wide") and the width it was given for.
  var mode = null;
  var placedWidth = null;

  function place() {
    var menu = document.querySelector("[data-site-menu]");
    var header = document.querySelector(".site-header");
    var inner = header && header.querySelector(".site-header__inner");
    if (!menu || !inner) return;
    var wasOpen = menu.hasAttribute("open");
    var next = "narrow";
    header.classList.remove("site-header--compact", "site-header--no-name");
    if (!narrow.matches) {
      menu.setAttribute("open", ""); // measured with the menu in the header
      var overflows = function () {
        return inner.scrollWidth > inner.clientWidth + 1;
      };
      next = "wide";
      if (overflows()) {
        header.classList.add("site-header--no-name");
        if (overflows()) {
          header.classList.add("site-header--compact");
          next = "compact";
        }
      }
    }
    if (next === "wide") menu.setAttribute("open", "");
    else if (next === mode && wasOpen) menu.setAttribute("open", ""); // the panel the user opened stays open
    else menu.removeAttribute("open");
    if (mode !== null && next !== mode) closeMore(null); // a "More" list left open belongs to the other layout
    mode = next;
    placedWidth = window.innerWidth;
    header.setAttribute("data-layout", next); // the layout given, for styles and tests to read
  }

  var placing = false;
  window.addEventListener("resize", function () {
    // A phone's height changes as its address bar or keyboard comes and goes: only a new width lays the header out again.
    if (placing || window.innerWidth === placedWidth) return;
    placing = true;
    window.requestAnimationFrame(function () {
      placing = false;
      place();
    });
  });

  function closeMore(except) {
    document.querySelectorAll("[data-site-more][open]").forEach(function (more) {
      if (more !== except) more.removeAttribute("open");
    });
  }

  document.addEventListener("DOMContentLoaded", place);
  window.addEventListener("load", place); // once fonts and images are in: the widths they give
  if (narrow.addEventListener) narrow.addEventListener("change", place);

  // A click outside or Escape closes the "More" list (focus returns to its button);
  // Escape (or a click outside) then closes the folded "Menu" panel the same way.
  document.addEventListener("click", function (event) {
    var inside = event.target.closest ? event.target : null;
    closeMore(inside && inside.closest("[data-site-more]"));
    // The folded menu's panel closes on a click outside it, as the "More" list does.
    var menu = document.querySelector("[data-site-menu][open]");
    if (menu && collapsed() && !(inside && inside.closest("[data-site-menu]"))) menu.removeAttribute("open");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("[data-site-more][open]");
    if (!open && collapsed()) open = document.querySelector("[data-site-menu][open]");
    if (!open) return;
    open.removeAttribute("open");
    open.querySelector("summary").focus();
  });

  // A table wider than the screen scrolls sideways in a box of its own
  // (WCAG 1.4.10, reflow at 320 px), never the page. A box that scrolls can
  // be reached with the keyboard, and is named after the table's caption.
  // All the boxes are made first, then all are measured, then marked: one
  // layout for the whole page, not one per table (a page of many tables,
  // such as a plan's history, would otherwise lay itself out once per table).
  function fitTables(root) {
    if (!root || !root.querySelectorAll) return;
    var boxes = [];
    Array.prototype.forEach.call(root.querySelectorAll(".site-main table"), function (table) {
      var box = table.parentElement;
      if (!box.classList.contains("table-scroll")) {
        box = document.createElement("div");
        box.className = "table-scroll";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
      boxes.push(box);
    });
    markScrolling(boxes);
  }

  /* A box that scrolls says so above it, in words (a phone shows no
   * scrollbar until the table is touched); the keyboard and screen readers
   * reach the box itself, named after its table. */
  function hint(box, shown) {
    var before = box.previousElementSibling;
    var there = before && before.classList.contains("table-scroll-hint") ? before : null;
    var texts = document.getElementById("draft-texts");
    var words = texts ? texts.getAttribute("data-wide-table") : "";
    if (shown && !there && words) {
      var p = document.createElement("p");
      p.className = "ds-paragraph table-scroll-hint";
      p.setAttribute("data-size", "xs");
      p.setAttribute("aria-hidden", "true");
      p.textContent = words + " \u2192";
      box.parentNode.insertBefore(p, box);
    } else if (!shown && there) {
      there.remove();
    }
  }

  function markScrolling(boxes) {
    // Reads only, then writes only (a write between reads would lay the page out again).
    var scrolls = boxes.map(function (box) {
      return box.scrollWidth > box.clientWidth + 1;
    });
    boxes.forEach(function (box, i) {
      var caption = box.querySelector("caption");
      var name = caption ? caption.textContent.trim() : "";
      hint(box, scrolls[i]);
      if (scrolls[i]) {
        box.setAttribute("tabindex", "0");
        if (name) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", name);
        }
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  /* A part of the page marked data-refocus (tabindex="-1"), swapped in by
   * htmx after a button was pressed: the focus is put on the part when it
   * went with the button, or stayed on the button that changed it (its
   * form), so a keyboard user goes on from what changed, not from the top
   * of the page or from a button whose work is done. */
  document.addEventListener("htmx:afterSettle", function (evt) {
    var part = evt.target;
    if (!part || !part.matches || !part.matches("[data-refocus]")) return;
    var active = document.activeElement;
    var sender = evt.detail && evt.detail.requestConfig ? evt.detail.requestConfig.elt : null;
    var lost = !active || active === document.body || !document.documentElement.contains(active);
    if (lost || (sender && sender.contains(active))) part.focus();
  });

  document.addEventListener("DOMContentLoaded", function () {
    fitTables(document);
    if (window.htmx) window.htmx.onLoad(fitTables);
  });
  window.addEventListener("resize", function () {
    markScrolling(Array.prototype.slice.call(document.querySelectorAll(".table-scroll")));
  });
})();
