// Keyboard work in the queue: j/k (or the arrow keys) move between reports, o or Enter opens
// one, c claims it, x ticks it (supervisors), n/p turn the page, / jumps to the search box.
// Keys are ignored while typing in a field, so the filters and search work as usual.
(function () {
  "use strict";
  function start() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#queue tbody tr[data-report]"));
    var current = -1;
    function select(index) {
      if (!rows.length) { return; }
      current = Math.max(0, Math.min(rows.length - 1, index));
      rows.forEach(function (row, i) { row.classList.toggle("current", i === current); });
      var link = rows[current].querySelector("a.open");
      if (link) { link.focus(); }
    }
    function inField(target) {
      var tag = target && target.tagName;
      return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || (target && target.isContentEditable);
    }
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || inField(event.target)) { return; }
      var row = rows[current];
      var link;
      switch (event.key) {
        case "j": case "ArrowDown": select(current + 1); break;
        case "k": case "ArrowUp": select(current - 1); break;
        case "o":
          if (row) { row.querySelector("a.open").click(); }
          break;
        case "c":
          if (row && row.querySelector("form.claim")) { row.querySelector("form.claim").submit(); }
          break;
        case "x":
          if (row && row.querySelector("input[type=checkbox]")) {
            var box = row.querySelector("input[type=checkbox]");
            box.checked = !box.checked;
          }
          break;
        case "n":
          link = document.querySelector("#pager-top a[rel=next]");
          if (link) { link.click(); }
          break;
        case "p":
          link = document.querySelector("#pager-top a[rel=prev]");
          if (link) { link.click(); }
          break;
        case "/":
          document.getElementById("q").focus();
          break;
        default: return;
      }
      event.preventDefault();
    });
    rows.forEach(function (row, i) {
      row.addEventListener("focusin", function () {
        current = i;
        rows.forEach(function (other, j) { other.classList.toggle("current", j === i); });
      });
    });
    document.documentElement.setAttribute("data-queue-ready", "");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
