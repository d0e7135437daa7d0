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

  // A place to choose files and hash them: the first step's, and "add more" in the status
  // section. Both hash the same way, here, and keep the hashes in their list until sent.
  function picker(prefix) {
    var self = {
      list: $(prefix + "-files"),
      submit: $(prefix + "-submit"),
      progress: $(prefix + "-progress"),
      error: $(prefix + "-error"),
      busy: 0
    };
    $(prefix + "-files-input").addEventListener("change", function (event) {
      var files = Array.prototype.slice.call(event.target.files || []);
      if (files.length + self.list.children.length > MAX_FILES) {
        showError(self.error, msgs.too_many);
        return;
      }
      showError(self.error, "");
      files.forEach(function (file) { hashFile(file, self); });
      event.target.value = "";
      refresh(self);
    });
    return self;
  }

  function hashFile(file, where) {
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
    where.list.appendChild(item);
    var isVideo = file.type.indexOf("video/") === 0;
    where.busy++;
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
      where.busy--;
      refresh(where);
    });
  }

  function readyItems(where) {
    return Array.prototype.slice.call(where.list.querySelectorAll(".td-file[data-state=ready]"));
  }

  // Only these strings leave the device: each file's hashes, never the file.
  function hashesOf(items) {
    var hashes = [];
    items.forEach(function (item) {
      if (item.dataset.pdq) { hashes.push({ type: "pdq", value: item.dataset.pdq }); }
      if (item.dataset.vpdq) { hashes.push({ type: "vpdq", value: item.dataset.vpdq }); }
      hashes.push({ type: "sha256", value: item.dataset.sha256 });
      hashes.push({ type: "md5", value: item.dataset.md5 });
    });
    return hashes;
  }

  function refresh(where) {
    var ready = readyItems(where).length;
    where.submit.disabled = where.busy > 0 || ready === 0;
    where.progress.textContent = where.busy > 0 ? msgs.hashing : (ready ? msgs.ready : "");
  }

  function showError(box, text) {
    box.textContent = text;
    box.hidden = !text;
  }

  // One form of a counted phrase: [singular, plural] as the page's language has them.
  function plural(forms, n) {
    return forms[n === 1 ? 0 : 1].replace("%(num)d", String(n));
  }

  var first = null;
  var more = null;

  function openCase() {
    var age = document.querySelector("input[name=age_at_creation]:checked");
    if (!age) {
      $("td-age-error").hidden = false;
      document.querySelector("input[name=age_at_creation]").focus();
      return;
    }
    var hashes = hashesOf(readyItems(first));
    first.submit.disabled = true;
    first.progress.textContent = msgs.sending;
    showError(first.error, "");
    fetch("/api/v1/takedown/cases", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ hashes: hashes, age_at_creation: age.value, lang: document.documentElement.lang || "en" }),
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
      showError(first.error, msgs.send_failed);
      refresh(first);
    });
  }

  // The case shown in the status section, and the PIN that opened it: adding, attaching and
  // withdrawing act on that case, whatever is typed in the boxes afterwards.
  var shown = null;

  function lockedText(response, error) {
    var seconds = Number(error.retry_after || response.headers.get("Retry-After"));
    if (error.code !== "case_locked" || !(seconds > 0)) { return msgs.locked; }
    var minutes = Math.ceil(seconds / 60);
    if (minutes < 60) { return plural(msgs.locked_minutes, minutes); }
    return plural(msgs.locked_hours, Math.ceil(minutes / 60));
  }

  function failureText(response, body) {
    var error = (body && body.error) || {};
    if (response.status === 429) { return lockedText(response, error); }
    if (response.status === 404) { return msgs.no_case; }
    if (error.code === "case_withdrawn") { return msgs.case_withdrawn; }
    if (error.code === "case_full") { return msgs.case_full; }
    return msgs.send_failed;
  }

  function caseRequest(target, method, path, payload) {
    var headers = { "X-Case-PIN": target.pin };
    var init = { method: method, headers: headers, credentials: "omit" };
    if (payload) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(payload);
    }
    return fetch("/api/v1/takedown/cases/" + encodeURIComponent(target.caseId) + (path || ""), init)
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          if (!response.ok) { throw new Error(failureText(response, body)); }
          return body;
        });
      });
  }

  function paragraph(box, text) {
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
    return p;
  }

  function showStatus(body) {
    var box = $("td-status-result");
    box.textContent = "";
    paragraph(box, body.status === "withdrawn" ? msgs.withdrawn : msgs.open);
    paragraph(box, msgs.in_case + " " + plural(msgs.files, body.files)).id = "td-status-files";
    paragraph(box, msgs.matched + " " + body.platforms_matched);
    paragraph(box, msgs.removed + " " + body.platforms_removed);
    box.dataset.status = body.status;
    box.dataset.files = String(body.files);
    $("td-withdraw").hidden = body.status !== "open";
    $("td-case-more").hidden = body.status !== "open";
    if (body.notices) { showUrls(body.notices.urls, []); }
  }

  function statusFailed(err) {
    var box = $("td-status-result");
    box.textContent = err.message;
    box.dataset.status = "error";
    $("td-withdraw").hidden = true;
    $("td-case-more").hidden = true;
  }

  function addressList(box, entries, describeOne) {
    var list = document.createElement("ul");
    entries.forEach(function (entry) {
      var li = document.createElement("li");
      var code = document.createElement("code");
      code.textContent = entry.url;
      li.appendChild(code);
      li.appendChild(document.createTextNode(": " + describeOne(entry, li)));
      list.appendChild(li);
    });
    box.appendChild(list);
    return list;
  }

  function showUrls(urls, rejected) {
    var box = $("td-urls-result");
    box.textContent = "";
    if (urls.length) {
      paragraph(box, msgs.urls);
      addressList(box, urls, function (entry, li) {
        li.className = "td-url";
        li.dataset.status = entry.status;
        var text = msgs.url_status[entry.status] || entry.status;
        if (entry.due_at) {
          var due = new Date(entry.due_at).toLocaleString(document.documentElement.lang || "en");
          text += ". " + msgs.due.replace("%(date)s", due);
        }
        return text;
      });
    }
    if (rejected.length) {
      var refused = document.createElement("div");
      refused.className = "error";
      refused.id = "td-urls-rejected";
      paragraph(refused, msgs.rejected);
      addressList(refused, rejected, function (entry) {
        return msgs.reasons[entry.reason] || entry.reason;
      });
      box.appendChild(refused);
    }
  }

  function addMore() {
    var hashes = hashesOf(readyItems(more));
    more.submit.disabled = true;
    more.progress.textContent = msgs.sending;
    showError(more.error, "");
    caseRequest(shown, "POST", "/hashes", { hashes: hashes }).then(function (body) {
      more.list.textContent = "";
      showStatus(body);
      more.progress.textContent = body.added ? msgs.added : msgs.already;
    }, function (err) {
      showError(more.error, err.message);
      refresh(more);
    });
  }

  function attachUrls() {
    var lines = $("td-urls").value.split(/\r?\n/).map(function (line) { return line.trim(); })
      .filter(function (line) { return line; });
    if (!lines.length) {
      showError($("td-urls-error"), msgs.no_urls);
      return;
    }
    showError($("td-urls-error"), "");
    $("td-urls-submit").disabled = true;
    caseRequest(shown, "POST", "/urls", { urls: lines }).then(function (body) {
      // What was refused stays in the box, to be corrected; the rest is in the case now.
      $("td-urls").value = body.rejected.map(function (r) { return r.url; }).join("\n");
      showUrls(body.urls, body.rejected);
    }, function (err) {
      showError($("td-urls-error"), err.message);
    }).then(function () {
      $("td-urls-submit").disabled = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    msgs = JSON.parse($("td-messages").textContent);
    first = picker("td");
    more = picker("td-more");
    $("td-submit").addEventListener("click", openCase);
    document.querySelectorAll("input[name=age_at_creation]").forEach(function (radio) {
      radio.addEventListener("change", function () { $("td-age-error").hidden = true; });
    });
    $("td-status-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var target = { caseId: $("td-status-case").value.trim(), pin: $("td-status-pin").value.trim() };
      $("td-urls-result").textContent = "";
      caseRequest(target, "GET").then(function (body) {
        shown = target;
        showStatus(body);
      }, function (err) {
        shown = null;
        statusFailed(err);
      });
    });
    $("td-withdraw").addEventListener("click", function () {
      if (!shown || !window.confirm(msgs.confirm_withdraw)) { return; }
      caseRequest(shown, "DELETE").then(showStatus, statusFailed);
    });
    more.submit.addEventListener("click", addMore);
    $("td-urls-submit").addEventListener("click", attachUrls);
  });
})();
