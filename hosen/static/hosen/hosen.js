/* Hosen: small enhancements on top of pages that work without them. Loaded (deferred) on every page. */
(function () {
  "use strict";
  var doc = document;
  var KEEP = "hosen-keep:";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  // ---- Copy a link: the Clipboard API, else the old copy command, else the link is left selected. ----
  function say(button, ok) {
    var status = button.closest(".share") && button.closest(".share").querySelector("[data-copy-status]");
    if (status) { status.textContent = ok ? button.dataset.copied : button.dataset.copyFailed; }
  }
  doc.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    var input = button && doc.getElementById(button.dataset.copy);
    if (!input) { return; }
    var fallback = function () {
      input.focus();
      input.select();
      var ok = false;
      try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
      say(button, ok);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(function () { say(button, true); }, fallback);
    } else {
      fallback();
    }
  });
  doc.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("input[data-select-on-focus]")) { event.target.select(); }
  });

  // ---- Keep what was typed in forms marked data-keep="key" until they are sent (the thank-you page,
  // marked data-clear-keep="key", forgets it). Never passwords, CSRF tokens or hidden fields, except
  // hidden fields marked data-keep-field (the form's own key, so a resend after a lost answer is one). ----
  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  function keepable(field) {
    var type = (field.type || "").toLowerCase();
    if (!field.name || field.name === "csrfmiddlewaretoken") { return false; }
    if (/^(password|file|submit|button|reset|image)$/.test(type) || field.autocomplete === "one-time-code") {
      return false;
    }
    return type !== "hidden" || field.hasAttribute("data-keep-field");
  }
  function save(form) {
    var store = storage();
    if (!store) { return; }
    var data = {};
    each(form.elements, function (field) {
      if (!keepable(field)) { return; }
      if (field.type === "checkbox") {
        data[field.name] = data[field.name] || [];
        if (field.checked) { data[field.name].push(field.value); }
      } else if (field.type === "radio") {
        if (field.checked) { data[field.name] = field.value; }
      } else if (field.type === "select-multiple") {
        data[field.name] = Array.prototype.filter.call(field.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        data[field.name] = field.value;
      }
    });
    try { store.setItem(KEEP + form.dataset.keep, JSON.stringify(data)); } catch (e) { /* full or private */ }
  }
  function restore(form) {
    var store = storage();
    var data = null;
    try { data = JSON.parse(store && store.getItem(KEEP + form.dataset.keep)); } catch (e) { data = null; }
    if (!data) { return; }
    each(form.elements, function (field) {
      if (!keepable(field) || !Object.prototype.hasOwnProperty.call(data, field.name)) { return; }
      var value = data[field.name];
      if (field.type === "checkbox") {
        field.checked = Array.isArray(value) && value.indexOf(field.value) >= 0;
      } else if (field.type === "radio") {
        field.checked = field.value === value;
      } else if (field.type === "select-multiple") {
        each(field.options, function (o) { o.selected = Array.isArray(value) && value.indexOf(o.value) >= 0; });
      } else if (typeof value === "string") {
        field.value = value;
      }
    });
    // A folded part of the form that holds restored answers opens, so nothing kept is out of sight.
    each(form.querySelectorAll("details[data-open-if-filled]"), function (details) {
      var filled = details.querySelector("input[type=checkbox]:checked") ||
        Array.prototype.some.call(details.querySelectorAll("input[type=text], textarea"), function (f) {
          return f.value.trim() !== "";
        });
      if (filled) { details.open = true; }
    });
  }
  each(doc.querySelectorAll("[data-clear-keep]"), function (element) {
    var store = storage();
    if (store) { store.removeItem(KEEP + element.getAttribute("data-clear-keep")); }
  });
  each(doc.querySelectorAll("form[data-keep]"), restore);
  var saveFrom = function (event) {
    var form = event.target.form || event.target.closest && event.target.closest("form");
    if (form && form.hasAttribute("data-keep")) { save(form); }
  };
  doc.addEventListener("input", saveFrom);
  doc.addEventListener("change", saveFrom);

  // ---- One tap sends once: the submit button rests while the page is on its way (back again on
  // pageshow, e.g. after "back", or after 20 s if the network stalls: the form's key prevents a duplicate).
  function ready(form) {
    delete form.dataset.sending;
    each(form.querySelectorAll("[type=submit]"), function (b) { b.disabled = false; });
  }
  doc.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-keep], form[data-once]")) { return; }
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = "1";
    if (form.hasAttribute("data-keep")) { save(form); }
    // After this event: a disabled button is left out of the data the form sends.
    window.setTimeout(function () {
      each(form.querySelectorAll("[type=submit]"), function (b) { b.disabled = true; });
      window.setTimeout(function () { ready(form); }, 20000);
    }, 0);
  });
  window.addEventListener("pageshow", function () {
    each(doc.querySelectorAll("form[data-keep], form[data-once]"), ready);
  });
}());
