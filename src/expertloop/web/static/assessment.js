// An attempt at an assessment: a countdown from the server's remaining time, keyboard moves
// between questions, answers kept as a localStorage draft, and submit through the JSON API with
// the session's CSRF token (api.js). The draft is cleared only once the server has stored the
// answers.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", start);

  function start() {
    const root = document.getElementById("attempt");
    const form = document.getElementById("attempt-form");
    if (!root || !form) return;
    const attemptId = root.dataset.attempt;
    const draftKey = "expertloop.attempt." + attemptId;
    const api = window.expertloopApi;
    const statusBox = document.getElementById("form-status");
    const reloadLink = document.getElementById("reload-link");
    const questions = Array.from(form.querySelectorAll(".question"));
    const endsAt = Date.now() + Number(root.dataset.secondsLeft || 0) * 1000;
    let current = 0;
    let busy = false;

    // ---- answers and drafts ---------------------------------------------------------------
    function answerOf(section) {
      const kind = section.dataset.kind;
      const inputs = Array.from(section.querySelectorAll("input, textarea"));
      if (kind === "single_choice") {
        const chosen = inputs.find((el) => el.checked);
        return chosen ? chosen.value : null;
      }
      if (kind === "multiple_choice") {
        const chosen = inputs.filter((el) => el.checked).map((el) => el.value);
        return chosen.length ? chosen : null;
      }
      const text = inputs[0].value.trim();
      if (kind === "numeric") {
        if (text === "") return null;
        const number = Number(text.replace(",", "."));
        // Not a number: send the text, so the server names the question instead of the
        // answer vanishing.
        return Number.isFinite(number) ? number : text;
      }
      return text === "" ? null : inputs[0].value;
    }

    function answers() {
      const found = {};
      for (const section of questions) {
        const value = answerOf(section);
        if (value !== null) found[section.dataset.question] = value;
      }
      return found;
    }

    function rawValues() {
      const found = {};
      for (const section of questions) {
        const inputs = Array.from(section.querySelectorAll("input, textarea"));
        found[section.dataset.question] = inputs.map((el) =>
          el.type === "radio" || el.type === "checkbox" ? el.checked : el.value,
        );
      }
      return found;
    }

    function saveDraft() {
      api.saveDraft(draftKey, rawValues());
    }

    function restoreDraft() {
      const draft = api.loadDraft(draftKey);
      if (!draft) return;
      for (const section of questions) {
        const saved = draft[section.dataset.question];
        if (!Array.isArray(saved)) continue;
        section.querySelectorAll("input, textarea").forEach((el, index) => {
          if (index >= saved.length) return;
          if (el.type === "radio" || el.type === "checkbox") el.checked = Boolean(saved[index]);
          else el.value = String(saved[index]);
        });
      }
    }

    function clearDraft() {
      api.clearDraft(draftKey);
    }

    // ---- focus and keys ---------------------------------------------------------------------
    function focusQuestion(index) {
      current = Math.max(0, Math.min(questions.length - 1, index));
      const section = questions[current];
      for (const q of questions) q.classList.toggle("focused", q === section);
      const box = section.querySelector('input[type="text"], textarea');
      (box || section).focus();
      section.scrollIntoView({ block: "nearest" });
    }

    function choose(number) {
      const section = questions[current];
      const option = section.querySelector('input[data-index="' + number + '"]');
      if (!option) return false;
      option.checked = option.type === "checkbox" ? !option.checked : true;
      saveDraft();
      return true;
    }

    function inTextBox(el) {
      return el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type === "text"));
    }

    function onKey(event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit();
        return;
      }
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (inTextBox(document.activeElement)) {
        if (event.key === "Escape") questions[current].focus();
        return;
      }
      const key = event.key.toLowerCase();
      let handled = true;
      if (key === "j" || key === "arrowdown") focusQuestion(current + 1);
      else if (key === "k" || key === "arrowup") focusQuestion(current - 1);
      else if (/^[1-9]$/.test(key)) handled = choose(Number(key));
      else handled = false;
      if (handled) event.preventDefault();
    }

    // ---- the countdown ---------------------------------------------------------------------
    const clock = document.getElementById("countdown");
    function tick() {
      const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      const minutes = Math.floor(left / 60);
      clock.textContent = minutes + ":" + String(left % 60).padStart(2, "0");
      clock.classList.toggle("low", left <= 60);
      if (left === 0) {
        clock.textContent = "time is up";
        submit(); // what is answered counts; the server still has a few seconds of grace
        return;
      }
      window.setTimeout(tick, 500);
    }

    // ---- submitting ------------------------------------------------------------------------
    function showStatus(text, tone, details) {
      api.showStatus(statusBox, text, tone, details);
    }

    async function submit() {
      if (busy) return;
      busy = true;
      saveDraft();
      for (const q of questions) q.removeAttribute("aria-invalid");
      showStatus("Submitting…", "pending");
      let response;
      try {
        response = await api.post("/api/v1/attempts/" + attemptId + "/submit", { answers: answers() });
      } catch (_) {
        busy = false;
        showStatus("Could not reach the server. Nothing is lost: press Ctrl+Enter to try again.", "error");
        return;
      }
      if (response.ok) {
        clearDraft();
        window.location.assign("/attempts/" + attemptId);
        return;
      }
      busy = false;
      const problem = await api.problemOf(response);
      const errors = Array.isArray(problem.errors) ? problem.errors : [];
      for (const error of errors) {
        const section = form.querySelector('[data-field="' + error.field + '"]');
        if (section) section.setAttribute("aria-invalid", "true");
      }
      if (response.status === 409) {
        reloadLink.hidden = false;
        clearDraft();
      }
      showStatus(
        problem.message || "The server refused this (HTTP " + response.status + ").",
        "error",
        errors.map((e) => e.field + ": " + e.message),
      );
    }

    restoreDraft();
    form.addEventListener("input", saveDraft);
    form.addEventListener("change", saveDraft);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    form.addEventListener("focusin", (event) => {
      const section = event.target.closest(".question");
      if (section) {
        current = questions.indexOf(section);
        for (const q of questions) q.classList.toggle("focused", q === section);
      }
    });
    document.addEventListener("keydown", onKey);
    tick();
    if (questions.length) focusQuestion(0);
  }
})();
