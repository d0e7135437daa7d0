// PDQ, written here from Meta's published algorithm (ThreatExchange's pdq/README and paper):
// luma, two passes of Jarosz box filters, decimation to 64x64, a 16x16 DCT, then one bit per
// coefficient: above the median or not. Also the PDQ quality metric (gradient sum of the
// 64x64 luma). Runs in a Web Worker; nothing here touches the network.
/* exported pdqFromRGBA */
"use strict";

var PDQ_DIM = 64;
var PDQ_DCT = (function () {
  // Rows 1..16 of the 64-point DCT-II (the DC row 0 is left out, as in the reference).
  var m = new Float64Array(16 * 64);
  var scale = Math.sqrt(2 / 64);
  for (var i = 0; i < 16; i++) {
    for (var j = 0; j < 64; j++) {
      m[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
    }
  }
  return m;
})();

function pdqWindow(oldDim) {
  return Math.floor((oldDim + 2 * PDQ_DIM - 1) / (2 * PDQ_DIM));
}

// One running-mean pass over a strided vector; the window is cut short at both ends.
function pdqBox1D(src, dst, start, length, stride, fullWindow) {
  var half = Math.floor((fullWindow + 2) / 2);
  var phase1 = half - 1;
  var phase2 = fullWindow - half + 1;
  var phase3 = length - fullWindow;
  var phase4 = half - 1;
  var li = start, ri = start, oi = start;
  var sum = 0, count = 0, k;
  for (k = 0; k < phase1; k++) { sum += src[ri]; count++; ri += stride; }
  for (k = 0; k < phase2; k++) {
    sum += src[ri]; count++; dst[oi] = sum / count; ri += stride; oi += stride;
  }
  for (k = 0; k < phase3; k++) {
    sum += src[ri]; sum -= src[li]; dst[oi] = sum / count; li += stride; ri += stride; oi += stride;
  }
  for (k = 0; k < phase4; k++) {
    sum -= src[li]; count--; dst[oi] = sum / count; li += stride; oi += stride;
  }
}

function pdqJarosz(a, b, rows, cols, windowRows, windowCols) {
  for (var pass = 0; pass < 2; pass++) {
    var r, c;
    for (r = 0; r < rows; r++) { pdqBox1D(a, b, r * cols, cols, 1, windowRows); }
    for (c = 0; c < cols; c++) { pdqBox1D(b, a, c, rows, cols, windowCols); }
  }
}

function pdqQuality(small) {
  var sum = 0, i, j, d;
  for (i = 0; i < 63; i++) {
    for (j = 0; j < 64; j++) {
      d = Math.trunc(((small[i * 64 + j] - small[(i + 1) * 64 + j]) * 100) / 255);
      sum += Math.abs(d);
    }
  }
  for (i = 0; i < 64; i++) {
    for (j = 0; j < 63; j++) {
      d = Math.trunc(((small[i * 64 + j] - small[i * 64 + j + 1]) * 100) / 255);
      sum += Math.abs(d);
    }
  }
  return Math.min(100, Math.floor(sum / 90));
}

// rgba: Uint8ClampedArray of width*height*4 (canvas ImageData). Returns {pdq: hex, quality}.
function pdqFromRGBA(rgba, width, height) {
  var n = width * height;
  var a = new Float32Array(n);
  var b = new Float32Array(n);
  for (var p = 0, q = 0; p < n; p++, q += 4) {
    a[p] = 0.299 * rgba[q] + 0.587 * rgba[q + 1] + 0.114 * rgba[q + 2];
  }
  pdqJarosz(a, b, height, width, pdqWindow(width), pdqWindow(height));
  var small = new Float64Array(64 * 64);
  for (var i = 0; i < 64; i++) {
    var si = Math.floor(((i + 0.5) * height) / 64);
    for (var j = 0; j < 64; j++) {
      var sj = Math.floor(((j + 0.5) * width) / 64);
      small[i * 64 + j] = a[si * width + sj];
    }
  }
  var quality = pdqQuality(small);
  // B = D * A * D^T, 16x16.
  var tmp = new Float64Array(16 * 64);
  var r, c, k, s;
  for (r = 0; r < 16; r++) {
    for (c = 0; c < 64; c++) {
      s = 0;
      for (k = 0; k < 64; k++) { s += PDQ_DCT[r * 64 + k] * small[k * 64 + c]; }
      tmp[r * 64 + c] = s;
    }
  }
  var coeffs = new Float64Array(256);
  for (r = 0; r < 16; r++) {
    for (c = 0; c < 16; c++) {
      s = 0;
      for (k = 0; k < 64; k++) { s += tmp[r * 64 + k] * PDQ_DCT[c * 64 + k]; }
      coeffs[r * 16 + c] = s;
    }
  }
  var sorted = Array.prototype.slice.call(coeffs).sort(function (x, y) { return x - y; });
  var median = sorted[127];
  // Word i holds row i, bit j its column j; the hex prints word 15 first (the reference order).
  var hex = "";
  for (r = 15; r >= 0; r--) {
    var word = 0;
    for (c = 0; c < 16; c++) {
      if (coeffs[r * 16 + c] > median) { word |= 1 << c; }
    }
    hex += ("000" + word.toString(16)).slice(-4);
  }
  return { pdq: hex, quality: quality };
}
