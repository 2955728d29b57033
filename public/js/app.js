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
      // requestSubmit, not submit: htmx (and the size check below) see the submission.
      if (f.requestSubmit) { f.requestSubmit(); } else { f.submit(); }
    }
  });
})();

// Nothing typed is ever lost (every page inherits this, for every form htmx submits):
// - before a request, the form's fields are kept in localStorage (per user and form action),
//   and dropped once a save succeeds;
// - an error answers with a fragment and X-Galat (the server's error handler) and the page is
//   not swapped: the message shows above the form, the typed values stay in it;
// - an ended session offers "Masuk kembali", which returns to the same indicator, where the
//   kept values are put back into the form;
// - no answer at all (the network) says so above the form.
(function () {
  var PREFIX = "raporrb:draft:";
  var MAX_AGE = 30 * 24 * 3600 * 1000;

  function user() { return (document.body && document.body.getAttribute("data-user")) || ""; }
  function formOf(elt) { return elt && (elt.tagName === "FORM" ? elt : elt.closest && elt.closest("form")); }
  function actionPath(form) {
    var a = form.getAttribute("hx-post") || form.getAttribute("action") || "";
    try { return new URL(a, location.href).pathname; } catch (e) { return a; }
  }
  function key(form) { return PREFIX + user() + ":" + actionPath(form); }
  function store() { try { return window.localStorage; } catch (e) { return null; } }

  function fields(form) {
    var out = {}, any = false;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "_csrf" || el.type === "file" || el.type === "submit") { return; }
      if ((el.type === "radio" || el.type === "checkbox")) {
        if (el.checked) { out[el.name] = el.value; any = true; }
        return;
      }
      out[el.name] = el.value;
      if (el.type !== "hidden" && el.value !== "") { any = true; }
    });
    return any ? out : null;
  }

  function saveDraft(form) {
    var s = store(), f = fields(form);
    if (!s || !f || !user()) { return; }
    try { s.setItem(key(form), JSON.stringify({ at: Date.now(), fields: f })); } catch (e) { /* full: keep the page */ }
  }
  function dropDraft(form) { var s = store(); if (s) { s.removeItem(key(form)); } }

  // restore puts a kept draft back into its form, only where it can be saved: a read-only form
  // (a disabled fieldset: a sheet submitted, returned or final) keeps showing what is stored,
  // and the draft stays kept for when the form is editable again.
  function restore(form) {
    var s = store();
    if (!s || !user() || form.querySelector("fieldset[disabled]")) { return false; }
    var raw = s.getItem(key(form));
    if (!raw) { return false; }
    var d;
    try { d = JSON.parse(raw); } catch (e) { s.removeItem(key(form)); return false; }
    if (!d || !d.fields || Date.now() - d.at > MAX_AGE) { s.removeItem(key(form)); return false; }
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "_csrf" || el.type === "file" || !(el.name in d.fields)) { return; }
      if (el.type === "radio" || el.type === "checkbox") { el.checked = d.fields[el.name] === el.value; }
      else { el.value = d.fields[el.name]; }
    });
    say(form, "draft-restored", "Isian yang belum tersimpan dipulihkan. Periksa lalu tekan Simpan.", "status");
    return true;
  }

  // say puts one message above form, replacing an earlier one of the same kind.
  function say(form, cls, text, role, node) {
    var old = form.parentNode.querySelector(":scope > ." + cls);
    if (old) { old.remove(); }
    var p = node || document.createElement("p");
    if (!node) { p.textContent = text; }
    p.classList.add(cls, "alert", cls === "draft-restored" ? "alert-info" : "alert-error");
    p.setAttribute("role", role || "alert");
    form.parentNode.insertBefore(p, form);
    return p;
  }

  function clearSaid(form) {
    ["inline-error", "draft-restored"].forEach(function (cls) {
      var old = form.parentNode && form.parentNode.querySelector(":scope > ." + cls);
      if (old) { old.remove(); }
    });
  }

  function loginLink(form) {
    var anchor = form.id ? form : form.closest("[id]");
    var back = location.pathname + location.search + (anchor ? "#" + anchor.id : location.hash);
    var a = document.createElement("a");
    a.href = "/masuk?lanjut=" + encodeURIComponent(back);
    a.className = "btn btn-small relogin";
    a.textContent = "Masuk kembali";
    return a;
  }

  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = formOf(e.detail.elt);
    if (!form) { return; }
    // Files larger than the limit are refused here, before they are sent.
    var max = parseInt(form.getAttribute("data-max") || "0", 10);
    var input = form.querySelector("input[type=file]");
    if (max > 0 && input && input.files) {
      for (var i = 0; i < input.files.length; i++) {
        if (input.files[i].size > max) {
          e.preventDefault();
          say(form, "inline-error", "Berkas " + input.files[i].name + " melebihi batas " + Math.round(max / 1048576 * 10) / 10 + " MB. Perkecil atau pisahkan berkasnya.");
          return;
        }
      }
    }
    saveDraft(form);
  });

  // beforeSwap, not afterRequest: a swap may replace the form, and events on an element no
  // longer in the page never reach the document.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var elt = (e.detail.requestConfig && e.detail.requestConfig.elt) || e.detail.elt;
    // A form, or whatever element made the request (a link with hx-get): the message goes
    // above it either way.
    var form = formOf(elt) || elt, xhr = e.detail.xhr;
    if (!form || !xhr || !form.parentNode) { return; }
    if (xhr.status >= 200 && xhr.status < 300) { if (form.tagName === "FORM") { dropDraft(form); } return; }
    var status = xhr.getResponseHeader("X-Galat");
    if (!status) { return; } // the page answered in place (a form shown again with its error)
    var holder = document.createElement("div");
    holder.innerHTML = xhr.responseText; // the server's escaped fragment
    var p = holder.querySelector(".inline-error") || document.createElement("p");
    if (!p.textContent) { p.textContent = "Gagal (" + status + "). Isian Anda masih di sini; coba lagi."; }
    if (status === "401") {
      p.textContent = "Sesi Anda telah berakhir. Isian Anda disimpan di peramban ini; masuk kembali untuk melanjutkan. ";
      p.appendChild(loginLink(form));
    }
    if (form.isConnected) { say(form, "inline-error", "", "alert", p); }
  });

  document.addEventListener("htmx:sendError", function (e) {
    var form = formOf(e.detail.elt) || e.detail.elt;
    if (form) { say(form, "inline-error", "Tidak ada jawaban dari server (koneksi terputus?). Isian Anda masih di sini; coba lagi."); }
  });

  // A new request clears the last message of its form.
  document.addEventListener("htmx:beforeSend", function (e) {
    var form = formOf(e.detail.elt);
    if (form) { clearSaid(form); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var first = null;
    Array.prototype.forEach.call(document.querySelectorAll("form[hx-post]"), function (form) {
      if (restore(form) && !first) { first = form; }
    });
    if (first && !location.hash) { first.scrollIntoView({ block: "center" }); }
  });
})();

// A page restored from the back/forward cache (Back after an action) would show the state
// before the action, with buttons that no longer apply: load it again from the server, as a
// browser without that cache does. Drafts the page kept are put back as on any load.
window.addEventListener("pageshow", function (e) {
  if (e.persisted) { window.location.reload(); }
});
