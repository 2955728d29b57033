// Rapor RB: small progressive enhancements. Pages work without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Submit the period selector as soon as it changes.
  var tahun = document.getElementById("tahun");
  if (tahun && tahun.form) {
    tahun.addEventListener("change", function () { tahun.form.submit(); });
  }
});
