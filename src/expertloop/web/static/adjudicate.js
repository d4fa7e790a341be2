// The adjudication screen's keys: a digit or letter chooses the option that shows it (its
// data-key), R writes the reason, Enter adjudicates, Ctrl+Enter adjudicates from the reason and
// Esc leaves it (the shared keys and choosing by data-key come from api.js). Enter in a one-line
// box adjudicates too. The form posts normally; on an error the page comes back with what was
// typed.
(function () {
  "use strict";

  function start() {
    const form = document.getElementById("adjudication-form");
    if (!form) return;
    const api = window.expertloopApi;
    const reason = document.getElementById("reason");
    let sending = false;

    function submit() {
      if (sending) return;
      sending = true;
      form.requestSubmit();
    }

    function choose(key) {
      const input = api.chooseKey(form, key);
      if (!input) return false;
      const next = input.dataset.focus && document.getElementById(input.dataset.focus);
      if (next) next.focus();
      return true;
    }

    document.addEventListener("keydown", (event) => {
      const key = api.formKey(event, submit, (target) => target.tagName === "TEXTAREA");
      if (!key) return;
      if (key === "r") {
        event.preventDefault();
        reason.focus();
      } else if (choose(key)) {
        event.preventDefault();
      }
    });
    // A field marked invalid stops being outlined once it changes.
    form.addEventListener("change", (event) => {
      const field = event.target.closest("[data-field]");
      if (field) field.removeAttribute("aria-invalid");
    });
    form.addEventListener("submit", () => { sending = true; });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
