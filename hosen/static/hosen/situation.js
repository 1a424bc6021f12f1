/* The situation room: a polled log that never disturbs the reader, and "copy for WhatsApp". */
(function () {
  "use strict";
  var doc = document;

  // ---- The log polls itself (data-hx-trigger="every Ns" on #room-log). A poll's answer is swapped in only
  // when it is the log partial (marked X-Hosen-Log), never, say, a sign-in page after the session ended;
  // and not while the reader's focus is inside the log (a button about to be pressed would vanish).
  doc.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var request = event.detail.requestConfig;
    if (!target || target.id !== "room-log" || !request || request.verb !== "get") { return; }
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status !== 200 || xhr.getResponseHeader("X-Hosen-Log") !== "1") {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      return;
    }
    if (target.contains(doc.activeElement) && doc.activeElement !== doc.body) {
      event.detail.shouldSwap = false;
    }
  });
  // A failed poll (the network is down) is not an error worth a console message: the next one will try.
  doc.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt && event.detail.elt.id === "room-log") { event.preventDefault(); }
  });

  // ---- Copy for WhatsApp: the Clipboard API, else the old copy command on a read-only copy of the text,
  // else that read-only copy stays in sight, selected, for copying by hand. ----
  function status(button, text) {
    var box = button.closest("li") || button.parentNode;
    var place = box && box.querySelector("[data-room-copy-status]");
    if (place) { place.textContent = text; }
  }
  function fallback(button, text) {
    var box = button.closest("li") || button.parentNode;
    var area = box && box.querySelector(".copy-fallback");
    var ok = false;
    if (area) {
      area.value = text;
      area.hidden = false;
      area.focus();
      area.select();
      try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
      if (ok) { area.hidden = true; button.focus(); }
    }
    status(button, ok ? button.dataset.copied : button.dataset.copyFailed);
  }
  doc.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-room-copy]");
    var source = button && doc.getElementById(button.dataset.roomCopy);
    if (!source) { return; }
    var text = source.value;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { status(button, button.dataset.copied); },
        function () { fallback(button, text); });
    } else {
      fallback(button, text);
    }
  });
  // The copy button only makes sense with this script: without it, the text is there to copy by hand.
  Array.prototype.forEach.call(doc.querySelectorAll("[data-room-copy]"), function (button) { button.hidden = false; });
}());
