// The confirmation page: copy the case number and the code, or download both as a text file,
// and a warning before leaving until one of them is saved (the code is shown only once).
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("case-box");
    if (!box) { return; }
    var status = document.getElementById("copy-status");
    var saved = false;
    function done(message) { saved = true; status.textContent = message; }
    Array.prototype.forEach.call(box.querySelectorAll("button.copy"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = document.getElementById(button.getAttribute("data-copy")).textContent.trim();
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(function () { done(box.dataset.copied); },
            function () { done(box.dataset.copied); });
        } else {
          var area = document.createElement("textarea");
          area.value = text; document.body.appendChild(area); area.select();
          document.execCommand("copy"); document.body.removeChild(area);
          done(box.dataset.copied);
        }
      });
    });
    var save = document.getElementById("save-codes");
    save.hidden = false;
    save.addEventListener("click", function () {
      var blob = new Blob([box.dataset.fileText], { type: "text/plain" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = (box.dataset.filePrefix || "report-") + document.getElementById("case-number").textContent.trim() + ".txt";
      document.body.appendChild(link); link.click(); document.body.removeChild(link);
      done(box.dataset.saved);
    });
    window.addEventListener("beforeunload", function (event) {
      if (saved || document.documentElement.hasAttribute("data-leaving")) { return; }
      event.preventDefault();
      event.returnValue = box.dataset.leave;
      return box.dataset.leave;
    });
    document.documentElement.setAttribute("data-done-ready", "");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
