// The report form in short steps. Without JavaScript every step shows at once and the form
// still works; with it, one step at a time, and "add another" rows for accounts and payments.
(function () {
  "use strict";
  var MAX_ROWS = { account: 50, payment: 50 };

  function addRow(kind) {
    var box = document.querySelector('[data-rows="' + kind + '"]');
    var waiting = box.querySelector(".row[hidden]");
    if (waiting) {
      waiting.hidden = false;
      var field = waiting.querySelector("input, select");
      if (field) { field.focus(); }
      return;
    }
    var rows = box.querySelectorAll(".row");
    if (rows.length >= MAX_ROWS[kind]) { return; }
    var last = rows[rows.length - 1];
    var next = rows.length;
    var copy = last.cloneNode(true);
    copy.setAttribute("data-row", String(next));
    copy.querySelectorAll("input, select, label, p.label").forEach(function (el) {
      ["id", "name", "for"].forEach(function (attr) {
        var v = el.getAttribute(attr);
        if (v) { el.setAttribute(attr, v.replace(/_\d+_/, "_" + next + "_")); }
      });
      if (el.tagName === "INPUT") { el.value = ""; }
      if (el.tagName === "SELECT") { el.selectedIndex = 0; }
      if (el.matches("p.label")) { el.textContent = el.textContent.replace(/\d+$/, String(next + 1)); }
    });
    box.appendChild(copy);
    var first = copy.querySelector("input, select");
    if (first) { first.focus(); }
  }

  // What is wrong with a step's answers, checked on "Next" as the server would on sending.
  function problems(step, form) {
    var found = [];
    var seen = {};
    step.querySelectorAll("input, select, textarea").forEach(function (field) {
      if (!field.name || field.type === "hidden" || seen[field.name] || field.closest("[hidden]") !== null && field.closest("[hidden]") !== step) { return; }
      var bad = !field.checkValidity();
      if (field.type === "radio") {
        var group = step.querySelectorAll('input[name="' + field.name + '"]');
        bad = field.required && !Array.prototype.some.call(group, function (r) { return r.checked; });
      }
      if (field.name === "description" && field.value.trim().length < 10) { bad = true; }
      if (!bad) { field.removeAttribute("aria-invalid"); return; }
      seen[field.name] = true;
      field.setAttribute("aria-invalid", "true");
      var text = field.type === "radio" ? form.dataset.required :
        field.name === "description" ? form.dataset.description : form.dataset.invalid;
      found.push({ field: field, text: text });
    });
    return found;
  }

  function summarise(step, form, found) {
    var old = step.querySelector(".error-summary");
    if (old) { old.remove(); }
    if (!found.length) { return true; }
    var box = document.createElement("div");
    box.className = "error-summary"; box.setAttribute("role", "alert"); box.tabIndex = -1;
    var title = document.createElement("h2"); title.textContent = form.dataset.fix;
    var list = document.createElement("ul");
    found.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      if (!item.field.id) { item.field.id = "field-" + item.field.name; }
      link.href = "#" + item.field.id; link.textContent = item.text;
      link.addEventListener("click", function (event) { event.preventDefault(); item.field.focus(); });
      li.appendChild(link); list.appendChild(li);
    });
    box.appendChild(title); box.appendChild(list);
    step.insertBefore(box, step.querySelector("legend").nextSibling);
    box.focus();
    return false;
  }

  function stepper(form) {
    var steps = Array.prototype.slice.call(form.querySelectorAll("fieldset.step"));
    var submit = form.querySelector(".submit");
    if (steps.length < 2) { return; }
    var current = 0;
    // After the server refused the form, open the first step with an error (its summary at the
    // top links to each field), not all six at once.
    var firstError = steps.findIndex(function (step) { return step.querySelector(".error") !== null; });
    if (firstError >= 0) { current = firstError; }
    function nav(index) {
      var bar = document.createElement("p");
      bar.className = "step-nav";
      if (index > 0) {
        var back = document.createElement("button");
        back.type = "button"; back.className = "secondary"; back.textContent = form.dataset.back || "Back";
        back.addEventListener("click", function () { show(index - 1); });
        bar.appendChild(back);
      }
      if (index < steps.length - 1) {
        var next = document.createElement("button");
        next.type = "button"; next.textContent = form.dataset.next || "Next";
        next.addEventListener("click", function () {
          if (summarise(steps[index], form, problems(steps[index], form))) { show(index + 1); }
        });
        bar.appendChild(next);
      }
      return bar;
    }
    function show(index) {
      steps.forEach(function (step, i) { step.hidden = i !== index; });
      submit.hidden = index !== steps.length - 1;
      current = index;
      var legend = steps[index].querySelector("legend");
      legend.setAttribute("tabindex", "-1");
      legend.focus();
    }
    steps.forEach(function (step, i) { step.appendChild(nav(i)); });
    steps.forEach(function (step, i) { step.hidden = i !== current; });
    submit.hidden = current !== steps.length - 1;
    // The summary at the top links to fields in any step: open that step, then the field.
    document.querySelectorAll("#error-summary a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        var step = target && target.closest("fieldset.step");
        if (!step) { return; }
        event.preventDefault();
        show(steps.indexOf(step));
        // The error sits just before its field (or before the field's label).
        var el = target.nextElementSibling;
        while (el && !el.matches("input, select, textarea, label[for], label.choice")) {
          el = el.nextElementSibling;
        }
        var field = el && el.matches("label[for]") ? document.getElementById(el.getAttribute("for")) :
          el && el.matches("label.choice") ? el.querySelector("input") : el;
        target.scrollIntoView();
        if (field) { field.focus(); }
      });
    });
    // On sending, the last step too is checked first.
    form.addEventListener("submit", function (event) {
      for (var i = 0; i < steps.length; i += 1) {
        var found = problems(steps[i], form);
        if (found.length) { event.preventDefault(); show(i); summarise(steps[i], form, found); return; }
      }
    });
  }

  // One account and one payment row to start with; "add another" shows the next.
  function fewerRows(kind) {
    var box = document.querySelector('[data-rows="' + kind + '"]');
    if (!box) { return; }
    box.querySelectorAll(".row").forEach(function (row, i) {
      var used = Array.prototype.some.call(row.querySelectorAll("input, select"), function (f) {
        return f.tagName === "SELECT" ? f.selectedIndex > 0 : f.value;
      });
      if (i > 0 && !used) { row.hidden = true; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.report-form");
    if (!form) { return; }
    form.querySelectorAll("button.add-row").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { addRow(button.getAttribute("data-add")); });
    });
    fewerRows("account");
    fewerRows("payment");
    stepper(form);
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
