// The victim's side of the notices page, all of it in this browser:
// - who is sending (name, relationship, email) is filled into the notices here, and never leaves
//   the page: those fields belong to no form, the notices are prepared without leaving the page
//   (so the fields keep what was typed), and nothing of them is kept, not even in localStorage;
// - where each address stands (reported, removed, still up), with a reminder once the company's
//   deadline has passed, and the list of addresses itself, kept in localStorage until the victim
//   asks to forget them;
// - "Copy" says that it copied.
// Without JavaScript the page still gives every notice; only these are missing.
(function () {
  "use strict";
  var STATES = "tipline.notices"; // address -> {state, reportedAt}
  var ADDRESSES = "tipline.notices.urls"; // the addresses being tracked, in the order given
  var COPIED_FOR_MS = 4000;

  function read(key, fallback) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null") || fallback; } catch (e) { return fallback; }
  }
  function write(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function forget(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* private mode */ }
  }

  // Who is sending --------------------------------------------------------------------------
  function sender() {
    var checked = document.querySelector('input[name="notices-relationship"]:checked');
    var name = document.getElementById("notices-name");
    var email = document.getElementById("notices-email");
    return {
      relationship: checked ? checked.value : "self",
      name: name ? name.value.trim() : "",
      email: email ? email.value.trim() : ""
    };
  }
  function fillIn() {
    var who = sender();
    document.querySelectorAll("textarea[data-variants]").forEach(function (area) {
      var variants = JSON.parse(area.getAttribute("data-variants"));
      var blanks = JSON.parse(area.getAttribute("data-blanks"));
      var text = variants[who.relationship] || variants.self;
      // Split on the name's blank first, so that a name is never itself taken for a blank.
      area.value = text.split(blanks.name).map(function (part) {
        return who.email ? part.split(blanks.contact).join(who.email) : part;
      }).join(who.name || blanks.name);
    });
  }

  // The addresses being tracked ---------------------------------------------------------------
  function showKept() {
    var section = document.getElementById("notices-kept");
    if (!section) { return; }
    var list = read(ADDRESSES, []);
    var states = read(STATES, {});
    var labels = JSON.parse(section.getAttribute("data-states"));
    var ul = document.getElementById("notices-kept-list");
    ul.textContent = "";
    list.forEach(function (url) {
      var li = document.createElement("li");
      var code = document.createElement("code");
      code.textContent = url;
      li.appendChild(code);
      li.appendChild(document.createTextNode(": " + labels[(states[url] || {}).state || ""]));
      ul.appendChild(li);
    });
    section.hidden = list.length === 0;
  }
  function remember(urls) {
    var list = read(ADDRESSES, []);
    urls.forEach(function (url) { if (list.indexOf(url) < 0) { list.push(url); } });
    if (list.length) { write(ADDRESSES, list); }
    showKept();
  }
  function forgetAll() {
    forget(ADDRESSES);
    forget(STATES);
    document.getElementById("notices-urls").value = "";
    document.querySelectorAll(".notice-state").forEach(function (select) { select.value = ""; });
    document.querySelectorAll(".notice-reminder").forEach(function (note) { note.hidden = true; });
    showKept();
    var status = document.getElementById("notices-forget-status");
    status.textContent = document.getElementById("notices-kept").getAttribute("data-forgotten");
    // The button is gone with its section: give the focus somewhere useful.
    document.getElementById("notices-urls").focus();
  }

  // The prepared notices ----------------------------------------------------------------------
  function remind(row, entry, hours) {
    // No deadline (a site outside the directory, a search engine): nothing to be late for.
    var late = hours > 0 && entry && (entry.state === "reported" || entry.state === "still_up") &&
      entry.reportedAt && Date.now() > entry.reportedAt + hours * 3600 * 1000;
    row.querySelector(".notice-reminder").hidden = !late;
  }
  function wireResult() {
    var states = read(STATES, {});
    var urls = [];
    document.querySelectorAll(".notice").forEach(function (notice) {
      var hours = Number(notice.getAttribute("data-deadline-hours")) || 0;
      notice.querySelectorAll("tr[data-url]").forEach(function (row) {
        var url = row.getAttribute("data-url");
        var select = row.querySelector(".notice-state");
        urls.push(url);
        if (states[url]) { select.value = states[url].state; }
        remind(row, states[url], hours);
        select.addEventListener("change", function () {
          var now = read(STATES, {});
          var entry = now[url] || {};
          entry.state = select.value;
          if (select.value === "reported" && !entry.reportedAt) { entry.reportedAt = Date.now(); }
          now[url] = entry;
          write(STATES, now);
          remind(row, entry, hours);
          remember([url]);
        });
      });
    });
    document.querySelectorAll(".notice-copy").forEach(function (button) {
      var status = button.parentNode.querySelector(".notice-copied");
      var timer = null;
      function copied() {
        status.textContent = status.getAttribute("data-done");
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { status.textContent = ""; }, COPIED_FOR_MS);
      }
      function byCommand() { if (document.execCommand("copy")) { copied(); } }
      button.hidden = false;
      button.addEventListener("click", function () {
        var area = document.getElementById(button.getAttribute("data-target"));
        area.select();
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(area.value).then(copied, byCommand);
        } else { byCommand(); }
      });
    });
    fillIn();
    if (urls.length) { remember(urls); }
  }

  // Prepare the notices without leaving the page: the form carries the addresses and the
  // under-18 answer only; the sender's fields are in no form, and stay as typed.
  function prepareInPage(form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.DOMParser || !window.URLSearchParams) { return; }
      event.preventDefault();
      fetch(form.getAttribute("action"), {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
        headers: { Accept: "text/html" }
      }).then(function (response) { return response.text(); }).then(function (html) {
        var answer = new DOMParser().parseFromString(html, "text/html");
        var out = answer.getElementById("notices-out");
        var errors = answer.getElementById("notices-errors");
        // Not the notices page (an expired form, say): let the browser show the answer.
        if (!out || !errors) { form.submit(); return; }
        document.getElementById("notices-out").innerHTML = out.innerHTML;
        document.getElementById("notices-errors").innerHTML = errors.innerHTML;
        var token = answer.querySelector('#notices-form input[name="csrf_token"]');
        if (token) { form.querySelector('input[name="csrf_token"]').value = token.value; }
        wireResult();
        var title = document.getElementById("notices-result-title");
        if (title) { title.focus(); }
      }).catch(function () { form.submit(); });
    });
  }

  function start() {
    var who = document.getElementById("notices-sender");
    if (who) {
      who.hidden = false;
      who.addEventListener("input", fillIn);
      who.addEventListener("change", fillIn);
    }
    var forgetButton = document.getElementById("notices-forget");
    if (forgetButton) { forgetButton.addEventListener("click", forgetAll); }
    var addresses = document.getElementById("notices-urls");
    var kept = read(ADDRESSES, []);
    if (addresses && !addresses.value.trim() && kept.length) { addresses.value = kept.join("\n"); }
    showKept();
    var form = document.getElementById("notices-form");
    if (form) { prepareInPage(form); }
    wireResult();
    // Marks the tracking as wired up, so a test (or a script) knows a change will be kept.
    document.documentElement.setAttribute("data-notices-ready", "");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
