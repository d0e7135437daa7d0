// Take it down: hash the chosen files on this device (in a Web Worker; videos frame by frame
// through a <video> element and a canvas) and send only the hashes. No request made by this
// page carries a byte of any file.
"use strict";
(function () {
  var MAX_FILES = 50;
  var msgs = {};
  var worker = null;
  var pending = {};
  var nextId = 1;
  var busy = 0;

  function $(id) { return document.getElementById(id); }

  function ask(message, transfer) {
    if (!worker) {
      worker = new Worker("/static/js/hash-worker.js");
      worker.onmessage = function (event) {
        var done = pending[event.data.id];
        delete pending[event.data.id];
        if (done) { done(event.data); }
      };
    }
    return new Promise(function (resolve) {
      message.id = nextId++;
      pending[message.id] = resolve;
      worker.postMessage(message, transfer || []);
    });
  }

  function once(target, name) {
    return new Promise(function (resolve, reject) {
      function ok() { cleanup(); resolve(); }
      function fail() { cleanup(); reject(new Error(name)); }
      function cleanup() {
        target.removeEventListener(name, ok);
        target.removeEventListener("error", fail);
      }
      target.addEventListener(name, ok);
      target.addEventListener("error", fail);
    });
  }

  // After a seek, the new frame is on screen once Chromium has presented it; drawing at
  // "seeked" alone can catch the frame before. Wait for both, or a moment if frames are not
  // reported (the same frame shown again).
  function seekTo(video, time) {
    var seeked = once(video, "seeked");
    var presented = new Promise(function (resolve) {
      if (video.requestVideoFrameCallback) { video.requestVideoFrameCallback(function () { resolve(); }); }
      setTimeout(resolve, 300);
    });
    video.currentTime = time;
    return seeked.then(function () { return presented; });
  }

  // vPDQ: the PDQ of one frame per second, as ThreatExchange defines it.
  function hashVideo(file) {
    var video = document.createElement("video");
    var url = URL.createObjectURL(file);
    video.muted = true;
    video.preload = "auto";
    video.src = url;
    var canvas = document.createElement("canvas");
    var lines = [];
    return once(video, "loadeddata").then(function () {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      var seconds = Math.max(1, Math.ceil(video.duration || 1));
      var index = 0;
      function step() {
        if (index >= seconds || index >= 3600) { return Promise.resolve(); }
        var at = index;
        return seekTo(video, Math.min(at, Math.max(0, (video.duration || 0) - 0.001))).then(function () {
          ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
          var pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
          return ask({ kind: "frame", rgba: pixels.data, width: pixels.width, height: pixels.height },
            [pixels.data.buffer]);
        }).then(function (frame) {
          lines.push(index + "," + frame.quality + "," + frame.pdq + "," + at.toFixed(3));
          index++;
          return step();
        });
      }
      return step();
    }).then(function () {
      URL.revokeObjectURL(url);
      return { vpdq: lines.join("\n"), frames: lines.length };
    }, function (err) {
      URL.revokeObjectURL(url);
      throw err;
    });
  }

  function describe(item, result) {
    var parts = [];
    if (result.vpdq) {
      parts.push(msgs.video + " · " + result.frames + " " + msgs.frames);
    } else {
      parts.push(msgs.image + " · " + msgs.quality + " " + result.quality);
    }
    item.querySelector(".td-summary").textContent = parts.join("");
    item.querySelector(".td-hash").textContent = "SHA-256 " + result.sha256;
    if (!result.vpdq && result.quality < 50) {
      var warn = document.createElement("p");
      warn.className = "td-warning";
      warn.textContent = msgs.low_quality;
      item.appendChild(warn);
      item.dataset.lowQuality = "true";
    }
  }

  function hashFile(file, list) {
    var item = document.createElement("li");
    item.className = "td-file";
    item.dataset.state = "hashing";
    var name = document.createElement("strong");
    name.textContent = file.name; // shown here only; never sent
    var summary = document.createElement("span");
    summary.className = "td-summary";
    summary.textContent = msgs.hashing;
    var hash = document.createElement("code");
    hash.className = "td-hash";
    item.appendChild(name);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(summary);
    item.appendChild(document.createElement("br"));
    item.appendChild(hash);
    list.appendChild(item);
    var isVideo = file.type.indexOf("video/") === 0;
    busy++;
    return ask({ kind: "file", file: file, image: !isVideo }).then(function (result) {
      if (result.error) { throw new Error(result.error); }
      if (!isVideo) { return result; }
      return hashVideo(file).then(function (video) {
        result.vpdq = video.vpdq;
        result.frames = video.frames;
        return result;
      });
    }).then(function (result) {
      item.dataset.sha256 = result.sha256;
      item.dataset.md5 = result.md5;
      if (result.pdq) {
        item.dataset.pdq = result.pdq;
        item.dataset.quality = String(result.quality);
      }
      if (result.vpdq) { item.dataset.vpdq = result.vpdq; }
      item.dataset.state = "ready";
      describe(item, result);
    }, function () {
      item.dataset.state = "failed";
      summary.textContent = msgs.failed;
    }).then(function () {
      busy--;
      refresh();
    });
  }

  function readyItems() {
    return Array.prototype.slice.call(document.querySelectorAll(".td-file[data-state=ready]"));
  }

  function refresh() {
    var ready = readyItems().length;
    $("td-submit").disabled = busy > 0 || ready === 0;
    $("td-progress").textContent = busy > 0 ? msgs.hashing : (ready ? msgs.ready : "");
  }

  function showError(text) {
    var box = $("td-error");
    box.textContent = text;
    box.hidden = !text;
  }

  function submit() {
    var hashes = [];
    readyItems().forEach(function (item) {
      if (item.dataset.pdq) { hashes.push({ type: "pdq", value: item.dataset.pdq }); }
      if (item.dataset.vpdq) { hashes.push({ type: "vpdq", value: item.dataset.vpdq }); }
      hashes.push({ type: "sha256", value: item.dataset.sha256 });
      hashes.push({ type: "md5", value: item.dataset.md5 });
    });
    var age = document.querySelector("input[name=age_at_creation]:checked").value;
    $("td-submit").disabled = true;
    $("td-progress").textContent = msgs.sending;
    showError("");
    fetch("/api/v1/takedown/cases", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ hashes: hashes, age_at_creation: age, lang: document.documentElement.lang || "en" }),
      credentials: "omit"
    }).then(function (response) {
      if (response.status !== 201) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (body) {
      $("td-case-id").textContent = body.case_id;
      $("td-pin").textContent = body.pin;
      $("td-start").hidden = true;
      $("td-done").hidden = false;
      $("td-status-case").value = body.case_id;
      $("td-done").scrollIntoView();
    }).catch(function () {
      showError(msgs.send_failed);
      refresh();
    });
  }

  function caseRequest(method) {
    var caseId = $("td-status-case").value.trim();
    return fetch("/api/v1/takedown/cases/" + encodeURIComponent(caseId), {
      method: method,
      headers: { "X-Case-PIN": $("td-status-pin").value.trim() },
      credentials: "omit"
    }).then(function (response) {
      if (response.status === 429) { throw new Error(msgs.locked); }
      if (!response.ok) { throw new Error(msgs.no_case); }
      return response.json();
    });
  }

  function showStatus(body) {
    var box = $("td-status-result");
    box.textContent = "";
    var lines = [
      body.status === "withdrawn" ? msgs.withdrawn : msgs.open,
      msgs.hashes + " " + body.hashes,
      msgs.matched + " " + body.platforms_matched,
      msgs.removed + " " + body.platforms_removed
    ];
    lines.forEach(function (text) {
      var p = document.createElement("p");
      p.textContent = text;
      box.appendChild(p);
    });
    box.dataset.status = body.status;
    $("td-withdraw").hidden = body.status !== "open";
  }

  function statusFailed(err) {
    var box = $("td-status-result");
    box.textContent = err.message;
    box.dataset.status = "error";
    $("td-withdraw").hidden = true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    msgs = JSON.parse($("td-messages").textContent);
    $("td-files-input").addEventListener("change", function (event) {
      var files = Array.prototype.slice.call(event.target.files || []);
      var list = $("td-files");
      if (files.length + list.children.length > MAX_FILES) {
        showError(msgs.too_many);
        return;
      }
      showError("");
      files.forEach(function (file) { hashFile(file, list); });
      event.target.value = "";
      refresh();
    });
    $("td-submit").addEventListener("click", submit);
    $("td-status-form").addEventListener("submit", function (event) {
      event.preventDefault();
      caseRequest("GET").then(showStatus, statusFailed);
    });
    $("td-withdraw").addEventListener("click", function () {
      if (!window.confirm(msgs.confirm_withdraw)) { return; }
      caseRequest("DELETE").then(showStatus, statusFailed);
    });
  });
})();
