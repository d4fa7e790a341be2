// Keyboard shortcuts of the profile, roster, expert and tracks pages: a letter focuses the
// element marked data-shortcut="<letter>" (never while typing); Ctrl+Enter submits the form
// the focus is in.
(function () {
  "use strict";

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = event.target && event.target.form;
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    var key = event.key.length === 1 ? event.key.toLowerCase() : "";
    var found = key && document.querySelector('[data-shortcut="' + key + '"]');
    if (found) {
      event.preventDefault();
      found.focus();
    }
  });
})();
