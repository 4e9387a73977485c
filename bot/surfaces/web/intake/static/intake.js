/* The report pages' one script (optional: every page works without it).
   1. Solves the form's proof-of-work challenge in the background: finds a counter such that
      SHA-256(token ":" counter) starts with `bits` zero bits (bot/reporting/challenge.py).
   2. Says at once, beside the file field, when a chosen file is too big or too many are
      chosen, instead of after the upload. */
(function () {
  "use strict";
  var K = [0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2];
  var W = new Int32Array(64);

  /* The first 32 bits of SHA-256 of an ASCII string (all the check needs up to 32 bits). */
  function sha256Head(text) {
    var bytes = [], i, n = text.length;
    for (i = 0; i < n; i++) { bytes.push(text.charCodeAt(i) & 0xff); }
    bytes.push(0x80);
    while ((bytes.length % 64) !== 56) { bytes.push(0); }
    var bits = n * 8;
    bytes.push(0, 0, 0, 0, (bits >>> 24) & 0xff, (bits >>> 16) & 0xff, (bits >>> 8) & 0xff, bits & 0xff);
    var h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a,
        h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
    for (var off = 0; off < bytes.length; off += 64) {
      for (i = 0; i < 16; i++) {
        W[i] = (bytes[off + 4 * i] << 24) | (bytes[off + 4 * i + 1] << 16) |
               (bytes[off + 4 * i + 2] << 8) | bytes[off + 4 * i + 3];
      }
      for (i = 16; i < 64; i++) {
        var x = W[i - 15], y = W[i - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
      }
      var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
      for (i = 0; i < 64; i++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (h + S1 + ch + K[i] + W[i]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
    }
    return h0 >>> 0;
  }

  function solve(form) {
    var token = form.querySelector("input[name=challenge]");
    var counter = form.querySelector("input[name=counter]");
    var status = form.querySelector(".pow-status");
    if (!token || !counter) { return; }
    var bits = parseInt(counter.getAttribute("data-bits"), 10);
    var wanted = bits >= 32 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    var next = 0, done = false, sending = false;
    function step() {
      var stop = next + 20000;
      for (; next < stop; next++) {
        if ((sha256Head(token.value + ":" + next) & wanted) === 0) {
          counter.value = String(next);
          done = true;
          if (sending) { form.submit(); }
          else if (status) { status.textContent = ""; }
          return;
        }
      }
      window.setTimeout(step, 0);
    }
    form.addEventListener("submit", function (event) {
      if (done) { return; }
      event.preventDefault();
      sending = true;
      if (status) { status.textContent = status.getAttribute("data-working"); }
    });
    window.setTimeout(step, 0);
  }

  function watchFiles(input) {
    var live = document.getElementById(input.id + "-live");
    input.addEventListener("change", function () {
      var most = parseInt(input.getAttribute("data-max-bytes"), 10);
      var count = parseInt(input.getAttribute("data-max-files"), 10);
      var problem = "";
      if (input.files.length > count) { problem = input.getAttribute("data-too-many"); }
      for (var i = 0; i < input.files.length; i++) {
        if (input.files[i].size > most) { problem = input.getAttribute("data-too-big"); }
      }
      if (live) { live.textContent = problem; live.hidden = !problem; }
      input.setCustomValidity(problem);
    });
  }

  document.querySelectorAll("form.pow-form").forEach(solve);
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(watchFiles);
})();
