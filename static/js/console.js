/* Small behaviours of the console pages (no build step): pickers, toggles, select-all. */
(function () {
  "use strict";

  function fire(input) {
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    // A click outside a picker closes its popup list (the project search results).
    document.querySelectorAll(".picker-popup").forEach(function (popup) {
      if (!popup.closest(".picker-field").contains(event.target)) { popup.innerHTML = ""; }
    });
    var pick = event.target.closest("[data-pick]");
    if (pick) {
      event.preventDefault();
      var input = document.getElementById(pick.dataset.target);
      if (input) { input.value = pick.dataset.pick; fire(input); input.focus(); }
      var panel = pick.dataset.close && document.getElementById(pick.dataset.close);
      if (panel) { panel.innerHTML = ""; }
      return;
    }
    var clear = event.target.closest("[data-clear]");
    if (clear) {
      var target = document.getElementById(clear.dataset.clear);
      if (target) { target.innerHTML = ""; }
      return;
    }
    var toggle = event.target.closest("[data-toggle]");
    if (toggle) {
      var box = document.getElementById(toggle.dataset.toggle);
      if (box) { box.hidden = !box.hidden; var first = box.querySelector("input"); if (first && !box.hidden) first.focus(); }
    }
  });

  // The override checkbox switches between the picked location and the typed wildcard path.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("[data-disables]")) {
      document.getElementById(box.dataset.disables).disabled = box.checked;
      var other = document.getElementById(box.dataset.enables);
      other.disabled = !box.checked;
      if (box.checked) { other.focus(); }
    }
    if (box.matches && box.matches("[data-check-all]")) {
      box.closest("table").querySelectorAll("tbody input[type=checkbox]").forEach(function (c) { c.checked = box.checked; });
    }
  });

  // Close a picker's popup list when focus leaves it.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll(".picker-popup").forEach(function (p) { p.innerHTML = ""; });
    }
  });
})();
