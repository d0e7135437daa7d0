// MD5 and SHA-256 of a file's bytes, in the browser. SHA-256 uses the Web Crypto API when the
// page is a secure context; MD5 (which Web Crypto lacks, and which many platforms still list
// by) and the SHA-256 fallback are written out here (RFC 1321, FIPS 180-4).
/* exported md5Hex, sha256Hex */
"use strict";

function digestHex(words, littleEndian) {
  var hex = "";
  for (var i = 0; i < words.length; i++) {
    for (var b = 0; b < 4; b++) {
      var shift = littleEndian ? b * 8 : (3 - b) * 8;
      hex += ("0" + ((words[i] >>> shift) & 255).toString(16)).slice(-2);
    }
  }
  return hex;
}

// The message padded to a multiple of 64 bytes with its bit length at the end.
function padded(bytes, littleEndian) {
  var length = bytes.length;
  var total = (((length + 8) >> 6) + 1) << 6;
  var out = new Uint8Array(total);
  out.set(bytes);
  out[length] = 0x80;
  var bits = length * 8;
  var high = Math.floor(length / 0x20000000);
  var view = new DataView(out.buffer);
  if (littleEndian) {
    view.setUint32(total - 8, bits >>> 0, true);
    view.setUint32(total - 4, high, true);
  } else {
    view.setUint32(total - 8, high, false);
    view.setUint32(total - 4, bits >>> 0, false);
  }
  return view;
}

var MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
var MD5_K = (function () {
  var k = new Int32Array(64);
  for (var i = 0; i < 64; i++) { k[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) | 0; }
  return k;
})();

function md5Hex(bytes) {
  var view = padded(bytes, true);
  var h0 = 0x67452301, h1 = 0xefcdab89 | 0, h2 = 0x98badcfe | 0, h3 = 0x10325476;
  var m = new Int32Array(16);
  for (var off = 0; off < view.byteLength; off += 64) {
    for (var w = 0; w < 16; w++) { m[w] = view.getInt32(off + w * 4, true); }
    var a = h0, b = h1, c = h2, d = h3;
    for (var i = 0; i < 64; i++) {
      var f, g;
      if (i < 16) { f = (b & c) | (~b & d); g = i; }
      else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
      else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
      else { f = c ^ (b | ~d); g = (7 * i) & 15; }
      var s = MD5_S[(i >> 4) * 4 + (i & 3)];
      var t = (a + f + MD5_K[i] + m[g]) | 0;
      a = d; d = c; c = b;
      b = (b + ((t << s) | (t >>> (32 - s)))) | 0;
    }
    h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
  }
  return digestHex([h0, h1, h2, h3], true);
}

var SHA_K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
]);

function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }

function sha256Plain(bytes) {
  var view = padded(bytes, false);
  var h = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  var w = new Int32Array(64);
  for (var off = 0; off < view.byteLength; off += 64) {
    var i;
    for (i = 0; i < 16; i++) { w[i] = view.getInt32(off + i * 4, false); }
    for (i = 16; i < 64; i++) {
      var s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      var s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (i = 0; i < 64; i++) {
      var t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
        SHA_K[i] + w[i]) | 0;
      var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
  }
  return digestHex(h, false);
}

function sha256Hex(bytes) {
  var subtle = self.crypto && self.crypto.subtle;
  if (!subtle) { return Promise.resolve(sha256Plain(bytes)); }
  return subtle.digest("SHA-256", bytes).then(function (buf) {
    var out = new Uint8Array(buf), hex = "";
    for (var i = 0; i < out.length; i++) { hex += ("0" + out[i].toString(16)).slice(-2); }
    return hex;
  });
}
