// Public survey form, kiosk mode: a form left half-filled at the counter empties itself after
// two minutes without a touch, so the next citizen never sees someone else's answers. The
// form works without this file (the thank-you page returns to an empty form by itself).
(function () {
  "use strict";
  var IDLE_MS = 120 * 1000;
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-kiosk]");
    if (!form) {
      return;
    }
    var timer = null;
    function reset() { window.location.replace(form.getAttribute("action")); }
    function touched() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(reset, IDLE_MS);
    }
    ["input", "change", "click", "keydown", "touchstart", "scroll"].forEach(function (ev) {
      form.addEventListener(ev, touched, { passive: true });
    });
    form.addEventListener("submit", function () { if (timer) { clearTimeout(timer); } });
  });
})();
