// The review form: keys (A accept, R reject, V revise, 1-5 clarity, Enter submit, Ctrl+Enter
// from a text box, Esc leaves it) and a localStorage draft of what the reviewer typed, so a
// reload or a lost connection loses nothing. The form itself is a plain post; the server sends
// the page back with the typed text on an error. The queue page, after a review, drops the
// draft of the judgment just reviewed. Drafts and the shared keys come from api.js.
(function () {
  "use strict";

  const PREFIX = "expertloop.review.";
  const VERDICT_KEYS = { a: "accept", r: "reject", v: "revise" };
  const api = window.expertloopApi;

  function startQueue() {
    const notice = document.getElementById("reviewed-notice");
    if (notice) api.clearDraft(PREFIX + notice.dataset.reviewed);
  }

  function startForm(root, form) {
    const key = PREFIX + root.dataset.judgment;
    const feedback = form.elements.namedItem("feedback");
    const revised = form.elements.namedItem("revised_value");
    const submitButton = document.getElementById("submit-button");
    if (!submitButton) return; // already reviewed: a read-only page

    function draft() {
      const verdict = form.querySelector('input[name="verdict"]:checked');
      const clarity = form.querySelector('input[name="clarity"]:checked');
      api.saveDraft(key, {
        verdict: verdict ? verdict.value : "",
        clarity: clarity ? clarity.value : "",
        feedback: feedback.value,
        revised_value: revised.value,
      });
    }

    function restore() {
      const saved = api.loadDraft(key);
      // What the server sent back (after an error) wins over an older draft.
      if (!saved || feedback.value.trim()) return;
      feedback.value = String(saved.feedback || "");
      if (saved.revised_value) revised.value = String(saved.revised_value);
      for (const name of ["verdict", "clarity"]) {
        const input = form.querySelector('input[name="' + name + '"][value="' + saved[name] + '"]');
        if (input) input.checked = true;
      }
    }

    function choose(name, value) {
      const input = form.querySelector('input[name="' + name + '"][value="' + value + '"]');
      if (!input) return false;
      input.checked = true;
      draft();
      return true;
    }

    function onKey(event) {
      const pressed = api.formKey(event, () => form.requestSubmit());
      if (!pressed) return;
      if (VERDICT_KEYS[pressed]) {
        event.preventDefault();
        choose("verdict", VERDICT_KEYS[pressed]);
        if (pressed === "v") revised.focus();
        else if (pressed === "r") feedback.focus();
      } else if (/^[1-5]$/.test(pressed)) {
        event.preventDefault();
        choose("clarity", pressed);
      }
    }

    restore();
    form.addEventListener("input", draft);
    form.addEventListener("change", draft);
    document.addEventListener("keydown", onKey);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const root = document.getElementById("review");
    const form = document.getElementById("review-form");
    if (root && form) startForm(root, form);
    else startQueue();
  });
})();
