// Quick exit: leave at once and replace this page in the history, so that "back" does not
// return here. Without JavaScript the link still leaves (but the history entry stays).
(function () {
  "use strict";
  function leave(event) {
    if (event) { event.preventDefault(); }
    document.body.style.display = "none";
    window.location.replace("https://www.wikipedia.org/");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("quick-exit");
    if (button) { button.addEventListener("click", leave); }
  });
  // Escape pressed twice quickly also leaves.
  var last = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    if (now - last < 600) { leave(event); }
    last = now;
  });
})();
