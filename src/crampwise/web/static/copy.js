// Copy buttons: <button data-copy="ID"> copies the value (or text) of the element #ID.
// navigator.clipboard needs a secure context; elsewhere (plain http on a LAN) the text is
// selected instead, so a long-press or Ctrl+C copies it.
(function () {
  "use strict";
  function textOf(el) {
    return "value" in el && el.value !== undefined ? el.value : el.textContent.trim();
  }
  function select(el) {
    if (el.select) { el.focus(); el.select(); return; }
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
  function say(button, words) {
    var status = document.getElementById(button.getAttribute("data-copy") + "-status");
    if (status) status.textContent = words;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy]") : null;
    if (!button) return;
    var el = document.getElementById(button.getAttribute("data-copy"));
    if (!el) return;
    event.preventDefault();
    var text = textOf(el);
    var fallback = function () {
      select(el);
      say(button, "Selected: press Ctrl+C (or long-press and Copy) to copy.");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        say(button, "Copied.");
      }, fallback);
    } else {
      fallback();
    }
  });
})();
