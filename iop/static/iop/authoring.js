/* Writing an IOP fast: keyboard shortcuts on the IOP edit page.
 *
 * The page lists them under "Hurtigtaster" (#iop-shortcuts); every shortcut
 * is Alt + a key, read from event.code so it works with any keyboard layout:
 *
 *   Alt+N  a new goal in the subject where the focus is (else the first subject)
 *   Alt+J  the next empty field of the goal being written (else the next field)
 *   Alt+K  fill the goal's empty criteria from the school's criteria templates
 *   Alt+1…9  go to subject 1…9 of the table of contents
 *
 * Goals save themselves while the teacher writes (htmx, "input delay:2s" on
 * the goal form), so with this script running the page hides the goals' own
 * "Save goal" buttons (html[data-iop-autosave]); without JavaScript they stay
 * and submit the form as before.
 */
(function () {
  "use strict";

  document.documentElement.setAttribute("data-iop-autosave", "");

  function sections() {
    return Array.prototype.slice.call(document.querySelectorAll("section.iop-section"));
  }

  // The subject the teacher worked in last: a goal's form is swapped after a
  // save or a template fill, and the focus leaves with it.
  var lastSection = null;
  document.addEventListener("focusin", function (event) {
    var section = event.target && event.target.closest ? event.target.closest("section.iop-section") : null;
    if (section) lastSection = section.id;
  });

  function currentSection() {
    var active = document.activeElement;
    var here = active && active.closest ? active.closest("section.iop-section") : null;
    if (here) return here;
    if (lastSection && document.getElementById(lastSection)) return document.getElementById(lastSection);
    // Else the subject whose heading was reached last (the table of contents, scrolling).
    var hash = window.location.hash.replace("#", "");
    var target = hash ? document.getElementById(hash) : null;
    if (target && target.closest) here = target.closest("section.iop-section");
    return here || sections()[0] || null;
  }

  // A goal's form opens with the focus in its text: the caret goes to the
  // end, so that a teacher who starts typing adds to the text instead of
  // breaking its first word.
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (!field || !field.hasAttribute || !field.hasAttribute("autofocus") || field.dataset.caretPlaced) return;
    if (typeof field.setSelectionRange !== "function" || typeof field.value !== "string") return;
    field.dataset.caretPlaced = "1";
    field.setSelectionRange(field.value.length, field.value.length);
  });

  var lastGoal = null;
  document.addEventListener("focusin", function (event) {
    var goal = event.target && event.target.closest ? event.target.closest("li.iop-goal") : null;
    if (goal) lastGoal = goal.id;
  });

  function currentGoalForm() {
    var active = document.activeElement;
    var form = active && active.closest ? active.closest("li.iop-goal") : null;
    if (form) return form;
    var last = lastGoal ? document.getElementById(lastGoal) : null;
    if (last && last.querySelector("form[data-draft]")) return last;
    var section = currentSection();
    var open = section ? section.querySelectorAll("li.iop-goal form[data-draft]") : [];
    return open.length ? open[open.length - 1].closest("li.iop-goal") : null;
  }

  function fields(root) {
    return Array.prototype.slice.call(root.querySelectorAll("form[data-draft] textarea, form[data-draft] input[type=text]"))
      .filter(function (el) { return !el.disabled && el.offsetParent !== null; });
  }

  function nextField() {
    var goal = currentGoalForm();
    var list = fields(goal || document);
    if (!list.length) return;
    var at = list.indexOf(document.activeElement);
    var after = list.slice(at + 1);
    var empty = after.filter(function (el) { return !el.value.trim(); });
    var next = empty[0] || after[0] || list[0];
    next.focus();
  }

  function addGoal() {
    var section = currentSection();
    if (!section) return;
    var button = section.querySelector("[data-add-goal]");
    if (button) button.click();
  }

  function fillCriteria() {
    var goal = currentGoalForm();
    var button = goal ? goal.querySelector("[data-criteria-fill]") : null;
    if (button) button.click();
  }

  function goToSubject(n) {
    var link = document.querySelectorAll("#iop-toc [data-toc-subject]")[n - 1];
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").replace("#", ""));
    if (!target) return;
    target.scrollIntoView({ block: "start" });
    lastSection = target.id;
    var heading = target.querySelector("h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
    if (history.replaceState) history.replaceState(null, "", link.getAttribute("href"));
  }

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (!document.getElementById("iop-toc")) return;
    var code = event.code || "";
    var done = true;
    if (code === "KeyN") addGoal();
    else if (code === "KeyJ") nextField();
    else if (code === "KeyK") fillCriteria();
    // Only where Alt and a digit key give the digit: on a Mac keyboard Option
    // and a digit types a character ("@", "$", "[" …), which must stay typed.
    else if (/^Digit[1-9]$/.test(code) && event.key === code.slice(5)) goToSubject(parseInt(code.slice(5), 10));
    else done = false;
    if (done) event.preventDefault();
  });
})();
