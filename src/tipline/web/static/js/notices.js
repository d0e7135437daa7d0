// The victim's own record of where each address stands, kept in this browser only (nothing is
// sent to us): reported, removed or still up, with a reminder once the company's deadline has
// passed. Without JavaScript the page still gives every notice; only this tracking is missing.
(function () {
  "use strict";
  var KEY = "tipline.notices";
  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "{}"); } catch (e) { return {}; }
  }
  function save(state) {
    try { window.localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  function remind(row, entry, hours) {
    // No deadline (a site outside the directory, a search engine): nothing to be late for.
    var late = hours > 0 && entry && (entry.state === "reported" || entry.state === "still_up") &&
      entry.reportedAt && Date.now() > entry.reportedAt + hours * 3600 * 1000;
    row.querySelector(".notice-reminder").hidden = !late;
  }
  function start() {
    var state = load();
    document.querySelectorAll(".notice").forEach(function (notice) {
      var hours = Number(notice.getAttribute("data-deadline-hours")) || 0;
      notice.querySelectorAll("tr[data-url]").forEach(function (row) {
        var url = row.getAttribute("data-url");
        var select = row.querySelector(".notice-state");
        if (state[url]) { select.value = state[url].state; }
        remind(row, state[url], hours);
        select.addEventListener("change", function () {
          var entry = state[url] || {};
          entry.state = select.value;
          if (select.value === "reported" && !entry.reportedAt) { entry.reportedAt = Date.now(); }
          state[url] = entry;
          save(state);
          remind(row, entry, hours);
        });
      });
    });
    document.querySelectorAll(".notice-copy").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var area = document.getElementById(button.getAttribute("data-target"));
        area.select();
        if (navigator.clipboard) { navigator.clipboard.writeText(area.value); }
        else { document.execCommand("copy"); }
      });
    });
    // Marks the tracking as wired up, so a test (or a script) knows a change will be kept.
    document.documentElement.setAttribute("data-notices-ready", "");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
