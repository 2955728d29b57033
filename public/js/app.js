// Rapor RB: small progressive enhancements. Pages work without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Submit the period selector as soon as it changes.
  var tahun = document.getElementById("tahun");
  if (tahun && tahun.form) {
    tahun.addEventListener("change", function () { tahun.form.submit(); });
  }
});

// Drag and drop onto an upload form: the dropped files go into its file input and the form
// is submitted. Delegated from the document, so forms swapped in by htmx work too. Without
// JavaScript the plain file input works the same.
(function () {
  function zone(e) { return e.target.closest && e.target.closest("form[data-dropzone]"); }
  ["dragenter", "dragover"].forEach(function (ev) {
    document.addEventListener(ev, function (e) {
      var f = zone(e);
      if (f) { e.preventDefault(); f.classList.add("dragover"); }
    });
  });
  document.addEventListener("dragleave", function (e) {
    var f = zone(e);
    if (f) { f.classList.remove("dragover"); }
  });
  document.addEventListener("drop", function (e) {
    var f = zone(e);
    if (!f) { return; }
    e.preventDefault();
    f.classList.remove("dragover");
    if (e.dataTransfer && e.dataTransfer.files.length) {
      f.querySelector("input[type=file]").files = e.dataTransfer.files;
      f.submit();
    }
  });
})();
