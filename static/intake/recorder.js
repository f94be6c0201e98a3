/* Progressive enhancement: record an audio or video statement in the page and add it to the file input. */
(function () {
  if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.DataTransfer) { return; }
  // Messages come translated in the script tag's data- attributes: no inline script (Content-Security-Policy).
  var me = document.currentScript;
  var recording = me.getAttribute("data-recording");
  var added = me.getAttribute("data-added");
  var denied = me.getAttribute("data-denied");
  document.querySelectorAll("[data-recorder]").forEach(function (box) {
    var input = document.getElementById(box.getAttribute("data-recorder"));
    if (!input) { return; }
    var status = box.querySelector(".recorder-status");
    var stop = box.querySelector(".recorder-stop");
    var starts = box.querySelectorAll("[data-kind]");
    var recorder = null;
    box.hidden = false;
    function busy(on) {
      stop.hidden = !on;
      starts.forEach(function (b) { b.disabled = on; });
      if (on) { stop.focus(); }
    }
    starts.forEach(function (button) {
      button.addEventListener("click", function () {
        var kind = button.getAttribute("data-kind");
        navigator.mediaDevices.getUserMedia(kind === "video" ? {audio: true, video: true} : {audio: true})
          .then(function (stream) {
            var chunks = [];
            var type = kind === "video" ? "video/webm" : "audio/webm";
            recorder = new MediaRecorder(stream, MediaRecorder.isTypeSupported(type) ? {mimeType: type} : undefined);
            recorder.ondataavailable = function (event) { if (event.data.size) { chunks.push(event.data); } };
            recorder.onstop = function () {
              stream.getTracks().forEach(function (track) { track.stop(); });
              var blob = new Blob(chunks, {type: recorder.mimeType || type});
              var stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
              var name = kind + "-statement-" + stamp + ".webm";
              var files = new DataTransfer();
              Array.prototype.forEach.call(input.files, function (file) { files.items.add(file); });
              files.items.add(new File([blob], name, {type: blob.type}));
              input.files = files.files;
              input.dispatchEvent(new Event("change"));
              status.textContent = added + " " + name;
              busy(false);
            };
            recorder.start(1000);
            status.textContent = recording;
            busy(true);
          })
          .catch(function () { status.textContent = denied; });
      });
    });
    stop.addEventListener("click", function () {
      if (recorder && recorder.state !== "inactive") { recorder.stop(); }
    });
  });
})();
