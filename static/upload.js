// Uploads on the Documents section: drop files onto the drop zone, see the upload's progress,
// and get a message before sending more than the server accepts. Without this script the
// form still posts as a plain multipart form.
(function () {
  if (window.zeraUpload) return;
  window.zeraUpload = true;

  function zoneOf(el) { return el && el.closest ? el.closest(".dropzone") : null; }
  function uploadForm(el) { return el && el.closest ? el.closest("form.upload") : null; }
  function say(form, text) {
    var status = form.querySelector("#upload-status");
    if (status) status.textContent = text;
  }
  function megabytes(n) { return (n / 1048576).toFixed(n >= 1048576 ? 0 : 2) + " MB"; }

  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (e) {
      var zone = zoneOf(e.target);
      if (!zone) return;
      e.preventDefault();
      zone.classList.add("over");
    });
  });
  document.addEventListener("dragleave", function (e) {
    var zone = zoneOf(e.target);
    if (zone) zone.classList.remove("over");
  });
  document.addEventListener("drop", function (e) {
    var zone = zoneOf(e.target);
    if (!zone) return;
    e.preventDefault();
    zone.classList.remove("over");
    var input = zone.querySelector("input[type=file]");
    input.files = e.dataTransfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  document.addEventListener("change", function (e) {
    var form = uploadForm(e.target);
    if (!form || e.target.type !== "file") return;
    var names = Array.prototype.map.call(e.target.files, function (f) { return f.name; });
    say(form, names.length ? "Ready to upload: " + names.join(", ") : "");
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = uploadForm(e.target);
    if (!form) return;
    var limit = parseInt(form.dataset.maxBytes || "0", 10);
    var total = 0;
    Array.prototype.forEach.call(form.querySelector("input[type=file]").files, function (f) { total += f.size; });
    if (limit && total > limit) {
      e.preventDefault();
      say(form, "These files add up to " + megabytes(total) + ", more than the " + megabytes(limit) +
        " limit per upload, so nothing was sent. Upload large files one at a time.");
      return;
    }
    var bar = form.querySelector(".upload-progress");
    bar.value = 0;
    bar.hidden = false;
    say(form, "Uploading…");
  });
  document.addEventListener("htmx:xhr:progress", function (e) {
    var form = uploadForm(e.target);
    if (!form || !e.detail.lengthComputable) return;
    form.querySelector(".upload-progress").value = Math.round((100 * e.detail.loaded) / e.detail.total);
  });
  document.addEventListener("htmx:beforeSwap", function (e) {
    // Refused uploads and wrong passwords answer 4xx with a page that explains: show it.
    var status = e.detail.xhr.status;
    var ours = uploadForm(e.target) || (e.detail.requestConfig && uploadForm(e.detail.requestConfig.elt)) ||
      (e.detail.requestConfig && e.detail.requestConfig.elt.closest && e.detail.requestConfig.elt.closest(".password-form"));
    if (ours && (status === 400 || status === 413)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
