// The report form in short steps. Without JavaScript every step shows at once and the form
// still works; with it, one step at a time, and "add another" rows for accounts and payments.
(function () {
  "use strict";
  var MAX_ROWS = { account: 50, payment: 50 };

  function addRow(kind) {
    var box = document.querySelector('[data-rows="' + kind + '"]');
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

  function stepper(form) {
    var steps = Array.prototype.slice.call(form.querySelectorAll("fieldset.step"));
    var submit = form.querySelector(".submit");
    if (steps.length < 2 || form.querySelector(".error")) { return; }  // errors: show all
    var current = 0;
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
        next.addEventListener("click", function () { show(index + 1); });
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
    submit.hidden = true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.report-form");
    if (!form) { return; }
    form.querySelectorAll("button.add-row").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { addRow(button.getAttribute("data-add")); });
    });
    stepper(form);
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
