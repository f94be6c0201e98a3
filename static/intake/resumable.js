/* Resumable evidence uploads for the complaint form (progressive enhancement; without it the plain form posts the
 * files itself). The files go first, in pieces, over the tus protocol (tus-js-client, vendored next to this file);
 * a dropped connection is retried and carries on from the last byte the server holds, and so does a second press
 * of the send button. Only when every file has arrived is the form itself posted, naming the finished uploads, so
 * a failed upload never loses what the filer typed. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-resumable]");
  if (!form || !window.tus || !window.tus.isSupported || !window.Intl) { return; }
  var input = form.querySelector('input[type="file"]');
  var send = document.getElementById("send-button");
  var panel = document.getElementById("upload-panel");
  var bar = document.getElementById("upload-progress");
  var statusLine = document.getElementById("upload-status");
  var problem = document.getElementById("upload-problem");
  var texts = JSON.parse(document.getElementById("upload-texts").textContent);
  var csrf = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
  var language = document.documentElement.lang || "en";
  var pending = [];
  var busy = false;
  var lastStatus = 0;

  function format(text, name, value) { return text.replace("%(" + name + ")s", value); }

  function percent(fraction) {
    return new Intl.NumberFormat(language, {style: "percent", maximumFractionDigits: 0}).format(fraction);
  }

  function duration(seconds) {
    var minutes = seconds >= 90;
    try {
      return new Intl.NumberFormat(language, {style: "unit", unit: minutes ? "minute" : "second", unitDisplay: "long",
        maximumFractionDigits: 0}).format(minutes ? Math.round(seconds / 60) : Math.max(1, Math.round(seconds)));
    } catch (error) {
      return minutes ? Math.round(seconds / 60) + " min" : Math.max(1, Math.round(seconds)) + " s";
    }
  }

  function showProblem(text) {
    problem.textContent = text;
    problem.hidden = !text;
    if (text) { problem.focus(); }
  }

  function ready(state) {
    busy = !state;
    send.disabled = !state;
    input.disabled = false;
  }

  // Back to this page from the receipt (the browser's page cache): the button must work again.
  window.addEventListener("pageshow", function () { ready(true); });
  input.addEventListener("change", function () { pending = []; });

  function progress(started) {
    var total = 0, sent = 0;
    pending.forEach(function (item) { total += item.file.size; sent += item.sent; });
    var fraction = total ? sent / total : 1;
    bar.value = Math.floor(fraction * 100);
    var now = Date.now();
    if (now - lastStatus < 1000 && fraction < 1) { return; }  // a screen reader hears it once a second at most
    lastStatus = now;
    var text = format(texts.progress, "percent", percent(fraction));
    var seconds = (now - started.time) / 1000, rate = (sent - started.sent) / seconds;
    if (seconds > 2 && rate > 0 && fraction < 1) {
      text += " " + format(texts.left, "time", duration((total - sent) / rate));
    }
    statusLine.textContent = text;
  }

  function uploadId(url) {
    var parts = url.split("/").filter(Boolean);
    return parts[parts.length - 1];
  }

  function finish() {
    statusLine.textContent = texts.done;
    form.querySelectorAll('input[data-resumable-id]').forEach(function (old) { old.remove(); });
    pending.forEach(function (item) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "resumable";
      hidden.value = uploadId(item.upload.url);
      hidden.setAttribute("data-resumable-id", "");
      form.appendChild(hidden);
    });
    input.disabled = true;  // the bytes are on the server already: the form post carries only the text
    form.submit();
  }

  function failed(item, error) {
    var status = error.originalResponse ? error.originalResponse.getStatus() : 0;
    ready(true);
    if (status === 413 || status === 415) {
      pending = [];  // this file cannot be sent: the filer must choose another
      showProblem((status === 413 ? texts.tooLarge : texts.notAllowed) + " " + item.file.name);
    } else {
      showProblem(texts.stopped);
    }
  }

  function sendFrom(index, started) {
    if (index >= pending.length) { finish(); return; }
    var item = pending[index];
    if (item.done) { sendFrom(index + 1, started); return; }
    if (!item.upload) {
      item.upload = new window.tus.Upload(item.file, {
        endpoint: form.getAttribute("data-resumable"),
        chunkSize: parseInt(form.getAttribute("data-chunk-size"), 10),
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000],  // about 40 s, then the filer can press again
        // Nothing about the file is left in this browser's storage (a shared computer must not show it later).
        storeFingerprintForResuming: false,
        metadata: {filename: item.file.name, filetype: item.file.type},
        headers: {"X-CSRFToken": csrf},
        onProgress: function (bytes) { item.sent = bytes; progress(started); },
        onShouldRetry: function (error) {
          var status = error.originalResponse ? error.originalResponse.getStatus() : 0;
          var retry = !status || status === 409 || status === 423 || status >= 500;
          if (retry) { statusLine.textContent = texts.retrying; lastStatus = Date.now(); }
          return retry;
        },
        onSuccess: function () { item.done = true; item.sent = item.file.size; sendFrom(index + 1, started); },
        onError: function (error) { failed(item, error); }
      });
    }
    item.upload.start();  // a second start carries on from the server's offset
  }

  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.name === "switch_language") { return; }
    if (event.defaultPrevented) { return; }  // the file check found a problem
    if (busy) { event.preventDefault(); return; }
    var files = Array.prototype.slice.call(input.files || []);
    showProblem("");
    document.querySelectorAll(".error-summary").forEach(function (summary) { summary.hidden = true; });
    if (!files.length) {
      setTimeout(function () { ready(false); }, 0);  // one press, one complaint: the form is on its way
      return;
    }
    event.preventDefault();
    ready(false);
    if (!pending.length) {
      pending = files.map(function (file) { return {file: file, upload: null, done: false, sent: 0}; });
    }
    panel.hidden = false;
    var started = {time: Date.now(), sent: 0};
    pending.forEach(function (item) { started.sent += item.sent; });
    lastStatus = 0;
    progress(started);
    sendFrom(0, started);
  });
})();
