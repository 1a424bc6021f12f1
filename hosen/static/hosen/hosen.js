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
  // Staff forms — those carrying a submission key or a version (data-guard) and something to type — are kept
  // too, by their path ("page:/a/x/needs/new/"); the page after a save forgets them (data-clear-keep, from
  // the server). A draft comes back only when it differs from what the page shows, with a word and a way to
  // discard it. It comes back with the version it was typed on, so saving it over a record changed meanwhile
  // shows the conflict view instead of overwriting.
  function actionPath(form) {
    try {
      return new URL(form.getAttribute("action") || "", window.location.href).pathname;
    } catch (e) { return window.location.pathname; }
  }
  function typedFields(form) {
    return form.querySelector("textarea, input[type=text], input[type=email], input[type=tel], input:not([type])");
  }
  function adopt(root) {
    var found = [];
    each(root.querySelectorAll("form"), function (form) {
      if (form.hasAttribute("data-keep") || !form.querySelector("input[data-guard]") || !typedFields(form)) {
        return;
      }
      form.setAttribute("data-keep", "page:" + actionPath(form));
      form.setAttribute("data-staff-keep", "");
      found.push(form);
    });
    return found;
  }
  function visibleValues(form) {
    var values = [];
    each(form.elements, function (field) {
      if (!keepable(field) || field.type === "hidden") { return; }
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) { return; }
      values.push(field.name + "=" + field.value);
    });
    return values.join("&");
  }
  function restoreStaff(form) {
    var before = visibleValues(form);
    var guards = Array.prototype.map.call(form.querySelectorAll("input[data-guard]"), function (input) {
      return [input, input.value];
    });
    restore(form);
    if (visibleValues(form) === before) {
      // Nothing typed differs from the page (it is the page that came back with the text): the page's key
      // and version stand — after a conflict, the version is the one to save over.
      guards.forEach(function (pair) { pair[0].value = pair[1]; });
      return;
    }
    var notice = doc.getElementById("kept-notice");
    if (notice && notice.content) { form.insertBefore(notice.content.cloneNode(true), form.firstChild); }
  }
  var staffForms = adopt(doc);
  each(doc.querySelectorAll("form[data-keep]"), function (form) {
    if (staffForms.indexOf(form) < 0) { restore(form); }
  });
  staffForms.forEach(restoreStaff);
  doc.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-discard-kept]");
    var form = button && button.closest("form[data-keep]");
    if (!form) { return; }
    var store = storage();
    if (store) { store.removeItem(KEEP + form.dataset.keep); }
    window.location.reload();
  });
  // htmx: a form swapped in is kept from now on; one that was saved in place is forgotten.
  doc.addEventListener("htmx:load", function (event) { adopt(event.target.parentNode || event.target); });
  doc.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail && event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form");
    var store = storage();
    if (form && store && event.detail.successful && form.hasAttribute("data-staff-keep")) {
      store.removeItem(KEEP + form.dataset.keep);
    }
  });
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

  // ---- Nothing typed is lost or cut. ----
  // A field with data-maxlength (the server writes maxlength so: a browser would cut a paste at it without
  // a word) counts its characters from 80% of the limit on, and says how many to remove once it is over.
  // Nothing is cut: the form's own check has the last word. The words come from <body data-chars-*>.
  var LIMITED = "textarea[data-maxlength], input[data-maxlength]:not([type=hidden]):not([type=password])";
  var live = null;
  var liveTimer = null;
  var counters = 0;
  function typedLength(field) {
    // As the server counts: without the spaces it strips, a character beyond the BMP (an emoji) as one, and
    // in a textarea each line break as two (the browser sends CR LF).
    var value = field.value.replace(/^\s+|\s+$/g, "").replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, "_");
    return value.length + (field.tagName === "TEXTAREA" ? (value.match(/\n/g) || []).length : 0);
  }
  function words(name, n) {
    return (doc.body.getAttribute(name) || "{n}").replace("{n}", String(n));
  }
  function counterOf(field, make) {
    var counter = doc.getElementById(field.getAttribute("data-counter") || "");
    if (counter || !make) { return counter; }
    counters += 1;
    counter = doc.createElement("span");
    counter.className = "char-count";
    counter.id = "char-count-" + counters;
    field.setAttribute("data-counter", counter.id);
    field.insertAdjacentElement("afterend", counter);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? described + " " + counter.id : counter.id);
    return counter;
  }
  function count(field) {
    var limit = parseInt(field.getAttribute("data-maxlength"), 10);
    if (!(limit > 0)) { return ""; }
    var used = typedLength(field);
    var near = used >= Math.ceil(limit * 0.8);
    var counter = counterOf(field, near);
    if (!counter) { return ""; }
    counter.hidden = !near;
    counter.classList.toggle("over", used > limit);
    counter.textContent = !near ? "" : used > limit ? words("data-chars-over", used - limit)
      : words("data-chars-left", limit - used);
    return counter.textContent;
  }
  function countAll(root) {
    var fields = Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll(LIMITED) : []);
    if (root.matches && root.matches(LIMITED)) { fields.push(root); }
    if (fields.length && !live) {
      // One polite voice for the whole page, heard once typing pauses rather than at every key.
      live = doc.createElement("span");
      live.className = "visually-hidden char-count-live";
      live.setAttribute("aria-live", "polite");
      doc.body.appendChild(live);
    }
    each(fields, count);
  }
  doc.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches(LIMITED)) { return; }
    var said = count(event.target);
    window.clearTimeout(liveTimer);
    liveTimer = window.setTimeout(function () { if (live) { live.textContent = said; } }, 700);
  });
  countAll(doc);
  doc.addEventListener("htmx:load", function (event) { countAll(event.target); });

  // ---- Where the focus goes. An htmx answer that replaced the part holding the focus (a checklist item saved in
  // place) leaves it nowhere: it goes to the first field marked invalid in what came back, else to that part's
  // [data-focus-after-swap] control (the item's "Update"). A link in an error summary focuses its field, not
  // only scrolls to it. ----
  // Where the focus was is noted as the request leaves (the button pressed is disabled right after, which moves
  // the focus away), by the nearest element with an id around it: the part that comes back has the same id.
  doc.addEventListener("htmx:beforeRequest", function (event) {
    var active = doc.activeElement;
    var home = active && active !== doc.body && active.closest && active.closest("[id]");
    if (event.detail.xhr) { event.detail.xhr.hosenFocusHome = home ? home.id : ""; }
  });
  doc.addEventListener("htmx:afterSettle", function (event) {
    var id = event.detail.xhr && event.detail.xhr.hosenFocusHome;
    var root = id && doc.getElementById(id);
    if (!root || (doc.activeElement && doc.activeElement !== doc.body)) { return; }
    var marked = root.querySelectorAll("[data-focus-after-swap]");
    var next = root.querySelector("[aria-invalid=true]:checked") || root.querySelector("[aria-invalid=true]") ||
      (marked.length === 1 ? marked[0] : null);
    if (next) { next.focus(); }
  });
  doc.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    var field = link && doc.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    event.preventDefault();
    var folded = field.closest("details");
    if (folded) { folded.open = true; }
    field.focus();
    field.scrollIntoView({block: "center"});
  });

  // A link that no longer works: the draft this phone kept for it (data-keep, above) shown back in words
  // through the page's guide to the form's fields, to copy and send again through a new link.
  function asLine(label, text) {
    if (text.indexOf("\n") >= 0) { return label + "\n" + text; }
    return label + (/[?:؟]$/.test(label) ? " " : ": ") + text;
  }
  each(doc.querySelectorAll("[data-kept-draft]"), function (box) {
    var store = storage();
    var data = null;
    var guide = [];
    try {
      data = JSON.parse(store && store.getItem(KEEP + box.getAttribute("data-kept-draft")));
      guide = JSON.parse(box.getAttribute("data-guide")) || [];
    } catch (e) { data = null; }
    if (!data || typeof data !== "object") { return; }
    var list = box.querySelector("dl");
    var lines = [];
    guide.forEach(function (field) {
      var name = field[0], label = field[1], kind = field[2], choices = field[3], initial = field[4];
      var value = data[name];
      var values = (Array.isArray(value) ? value : [value]).filter(function (v) {
        return typeof v === "string" && v.trim() !== "";
      });
      var text;
      if (kind === "bool") {
        text = values.length ? box.getAttribute("data-yes") : "";
      } else if (kind === "choice") {
        if (!Array.isArray(value) && values.length === 1 && values[0] === initial) { values = []; }
        text = values.map(function (v) {
          return Object.prototype.hasOwnProperty.call(choices, v) ? choices[v] : v;
        }).join(", ");
      } else {
        text = values.join(", ").replace(/^\s+|\s+$/g, "");
      }
      if (!text) { return; }
      var term = doc.createElement("dt");
      var detail = doc.createElement("dd");
      var isolated = doc.createElement("bdi");
      term.textContent = label;
      isolated.textContent = text;
      isolated.setAttribute("dir", "auto");
      detail.appendChild(isolated);
      list.appendChild(term);
      list.appendChild(detail);
      lines.push(asLine(label, text));
    });
    if (!lines.length) { return; }
    box.querySelector("textarea").value = lines.join("\n");
    box.hidden = false;
  });
  doc.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-forget-draft]");
    var box = button && button.closest("[data-kept-draft]");
    if (!box) { return; }
    var store = storage();
    if (store) { store.removeItem(KEEP + box.getAttribute("data-kept-draft")); }
    box.hidden = true;
    var heading = doc.querySelector("main h1");
    if (heading) { heading.tabIndex = -1; heading.focus(); }
  });
}());
