/* Progressive enhancement only: the server checks everything again. */
(function () {
  // Values and translated messages come from the script element's data attributes (no inline script: CSP).
  var config = document.currentScript.dataset;
  var maxSize = parseInt(config.maxSize, 10) || 0;
  var allowed = (config.allowed || "").split(",");
  var tooLarge = config.tooLarge;
  var notAllowed = config.notAllowed;
  document.querySelectorAll('input[type="file"]').forEach(function (input) {
    var out = document.getElementById(input.getAttribute("data-check") || "file-check");
    if (!out) { return; }
    input.addEventListener("change", function () {
      var problems = [];
      Array.prototype.forEach.call(input.files, function (file) {
        var dot = file.name.lastIndexOf(".");
        var ext = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
        if (maxSize && file.size > maxSize) { problems.push(tooLarge + " " + file.name); }
        else if (allowed.indexOf(ext) < 0) { problems.push(notAllowed + " " + file.name); }
      });
      out.textContent = problems.join(" ");
      out.hidden = problems.length === 0;
      input.setCustomValidity(problems.join(" "));
    });
  });
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var bad = form.querySelector('input[type="file"]');
      var out = bad && document.getElementById(bad.getAttribute("data-check") || "file-check");
      if (event.submitter && event.submitter.name === "switch_language") { return; }
      if (out && !out.hidden && form.contains(out)) { event.preventDefault(); out.focus(); }
    });
  });
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus(); }
  var contact = document.getElementById("contact-details");
  var roles = document.querySelectorAll('input[name="filer_role"]');
  function update() {
    var anon = document.querySelector('input[name="filer_role"][value="anonymous"]');
    if (contact && anon) { contact.hidden = anon.checked; }
  }
  roles.forEach(function (r) { r.addEventListener("change", update); });
  update();
})();
