// The hashing worker: every byte of the victim's files stays in this browser. It answers with
// hashes only (SHA-256, MD5, and PDQ with its quality), which is all the page ever sends.
/* global pdqFromRGBA, md5Hex, sha256Hex */
"use strict";
importScripts("/static/js/pdq.js", "/static/js/digests.js");

function pixelsOf(file) {
  // No colour management and no premultiplied alpha: the same pixels a server-side decoder
  // (PIL) reads, so the PDQ here agrees with `tipline hash`.
  return createImageBitmap(file, { colorSpaceConversion: "none", premultiplyAlpha: "none" })
    .then(function (bitmap) {
      var canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(bitmap, 0, 0);
      var data = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
      bitmap.close();
      return data;
    });
}

self.onmessage = function (event) {
  var msg = event.data;
  if (msg.kind === "frame") {
    var frame = pdqFromRGBA(msg.rgba, msg.width, msg.height);
    self.postMessage({ id: msg.id, pdq: frame.pdq, quality: frame.quality });
    return;
  }
  msg.file.arrayBuffer().then(function (buffer) {
    var bytes = new Uint8Array(buffer);
    var md5 = md5Hex(bytes);
    return sha256Hex(bytes).then(function (sha256) {
      var result = { id: msg.id, sha256: sha256, md5: md5 };
      if (!msg.image) { return result; }
      return pixelsOf(msg.file).then(function (img) {
        var hashed = pdqFromRGBA(img.data, img.width, img.height);
        result.pdq = hashed.pdq;
        result.quality = hashed.quality;
        result.width = img.width;
        result.height = img.height;
        return result;
      });
    });
  }).then(function (result) {
    self.postMessage(result);
  }).catch(function (err) {
    self.postMessage({ id: msg.id, error: String(err && err.message ? err.message : err) });
  });
};
