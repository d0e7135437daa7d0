// Quick exit, and a site that leaves one entry in the browser's history.
// - Moving between our own public pages replaces the history entry instead of adding one, so
//   after Quick exit the Back button does not walk back through /report or /take-it-down.
// - Quick exit replaces this last entry with a neutral site.
// - Escape twice also leaves, but asks first when a form holds words the person typed (a
//   half-written report is not thrown away by a stray key press). The button never asks.
// Without JavaScript the links still work and the exit link still leaves (the history stays).
(function () {
  "use strict";
  var NEUTRAL = "https://www.wikipedia.org/";
  var typed = false;
  function leave(event) {
    if (event) { event.preventDefault(); }
    // No page may hold the exit back ("are you sure you want to leave?").
    document.documentElement.setAttribute("data-leaving", "");
    document.body.style.display = "none";
    window.location.replace(NEUTRAL);
  }
  function ours(url) {
    return url.origin === window.location.origin && url.pathname.indexOf("/console") !== 0 &&
      url.pathname.indexOf("/agency") !== 0 && url.pathname.indexOf("/static") !== 0 &&
      url.pathname.indexOf("/api") !== 0;
  }
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey ||
        event.metaKey || event.shiftKey || event.altKey || link.target || link.hasAttribute("download")) { return; }
    if (link.id === "quick-exit") { leave(event); return; }
    var url = new URL(link.href, window.location.href);
    if (!ours(url) || (url.pathname === window.location.pathname && url.hash)) { return; }
    event.preventDefault();
    window.location.replace(url.href);
  });
  // A search or filter form (GET) between our pages is a move too.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // A page's own script may handle its form (take-it-down's status check): leave it be.
    if (!form || event.defaultPrevented || (form.method || "get").toLowerCase() !== "get") { return; }
    var url = new URL(form.action || window.location.href, window.location.href);
    if (!ours(url)) { return; }
    event.preventDefault();
    url.search = new URLSearchParams(new FormData(form)).toString();
    window.location.replace(url.href);
  });
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field && field.form && field.type !== "hidden" && field.value) { typed = true; }
  });
  document.addEventListener("submit", function () { typed = false; });
  var last = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    if (now - last < 600) {
      last = 0;
      var question = document.querySelector("meta[name=leave-question]");
      if (typed && !window.confirm(question ? question.content :
          "Leave now? What you typed will be lost.")) { return; }
      leave(event);
      return;
    }
    last = now;
  });
  document.documentElement.setAttribute("data-exit-ready", "");
})();
