// The workbench core: global keys, heartbeats, drafts kept in localStorage, and submit / skip
// through the JSON API with the session cookie and its CSRF token. Never clears what the expert
// typed unless the judgment was stored (or the expert skipped on purpose).
//
// Talking to the API, the status line and drafts come from api.js (window.expertloopApi).
// What differs between task kinds lives in static/kinds/<kind>.js, loaded after this file. Each
// registers itself on window.expertloopKinds[kind] as
//   { value(form) -> object, restore(form, draft), key(event, bench) -> handled?,
//     fields: [[fieldPrefix, label], ...], init(form, bench) optional }
// where draft is what value(form) returned when the draft was saved.
(function () {
  "use strict";

  // Small helpers the kind modules share.
  function inputs(form, name) {
    // form.elements also holds inputs outside the form that name it with form="…".
    return Array.from(form.elements).filter((el) => el.tagName === "INPUT" && el.name === name);
  }
  window.expertloopKit = {
    inputs,
    checked(form, name) {
      return inputs(form, name).filter((input) => input.checked).map((input) => input.value);
    },
    setChecked(form, name, values) {
      for (const input of inputs(form, name)) input.checked = (values || []).includes(input.value);
    },
    // Check (or toggle) the option whose data-key is the key pressed.
    choose(form, key) {
      return window.expertloopApi.chooseKey(form, key) !== null;
    },
  };
  window.expertloopKinds = window.expertloopKinds || {};
  document.addEventListener("DOMContentLoaded", start);

  function start() {
    const root = document.getElementById("workbench");
    const form = document.getElementById("judgment-form");
    if (!root || !form) return;

    const assignmentId = root.dataset.assignment;
    const kind = root.dataset.kind;
    const module = (window.expertloopKinds || {})[kind];
    if (!module) {
      throw new Error("no workbench module for the kind " + kind);
    }
    const workUrl = root.dataset.workUrl;
    const idempotencyKey = root.dataset.idempotencyKey;
    const heartbeatMs = Math.max(5, Number(root.dataset.heartbeatSeconds) || 20) * 1000;
    const api = window.expertloopApi;
    const draftKey = "expertloop.draft." + assignmentId;
    const rationale = document.getElementById("rationale");
    const statusBox = document.getElementById("form-status");
    const skipButton = document.getElementById("skip-button");
    const nextLink = document.getElementById("next-link");

    const FIELD_NAMES = [...(module.fields || []), ["rationale", "Rationale"]];

    let busy = false;
    let active = true;
    let skipArmed = false;

    // ---- talking to the API -------------------------------------------------------------
    function post(action, body) {
      return api.post("/api/v1/assignments/" + assignmentId + "/" + action, body);
    }

    const problemOf = api.problemOf;

    // ---- drafts --------------------------------------------------------------------------------
    function saveDraft() {
      api.saveDraft(draftKey, { rationale: rationale.value, value: module.value(form) });
    }

    function restoreDraft() {
      const draft = api.loadDraft(draftKey);
      if (!draft) return;
      if (typeof draft.rationale === "string") rationale.value = draft.rationale;
      if (draft.value && typeof draft.value === "object") module.restore(form, draft.value);
    }

    function clearDraft() {
      api.clearDraft(draftKey);
    }

    // ---- messages next to the form ---------------------------------------------------------
    function clearMarks() {
      for (const el of form.querySelectorAll("[data-field]")) el.removeAttribute("aria-invalid");
    }

    function showStatus(text, tone, details) {
      api.showStatus(statusBox, text, tone, details);
    }

    function markFields(errors) {
      for (const error of errors) {
        for (const el of form.querySelectorAll("[data-field]")) {
          if (String(error.field || "").startsWith(el.dataset.field)) el.setAttribute("aria-invalid", "true");
        }
      }
    }

    function fieldName(field) {
      const found = FIELD_NAMES.find(([prefix]) => String(field || "").startsWith(prefix));
      return found ? found[1] : String(field || "Answer");
    }

    function showProblem(status, problem) {
      const errors = Array.isArray(problem.errors) ? problem.errors : [];
      const code = String(problem.code || "");
      markFields(errors);
      if (status === 409 && code.startsWith("lease.")) {
        showStatus(
          "This item is no longer reserved for you (" + code + "). Your rationale is still here: " +
            "copy it if you need it, then open the next item.",
          "error",
        );
        nextLink.href = workUrl;
        nextLink.hidden = false;
        return;
      }
      if (status === 401 || code === "auth.csrf") {
        showStatus("Your login has ended. Log in again in another tab, then press Enter here: nothing you typed is lost.", "error");
        return;
      }
      if (status === 422 && errors.length) {
        showStatus("Not saved yet:", "error", errors.map((e) => fieldName(e.field) + " " + e.message));
        return;
      }
      showStatus(problem.message || "The server refused this (HTTP " + status + ").", "error");
    }

    // ---- the two actions -------------------------------------------------------------------
    async function submit() {
      if (busy) return;
      busy = true;
      clearMarks();
      showStatus("Saving…", "pending");
      saveDraft();
      let response;
      try {
        response = await post("judgment", {
          value: module.value(form),
          rationale: rationale.value,
          idempotency_key: idempotencyKey,
        });
      } catch (_) {
        busy = false;
        showStatus("Could not reach the server. Nothing is lost: press Enter to try again.", "error");
        return;
      }
      if (response.ok) {
        clearDraft();
        showStatus("Saved. Loading the next item…", "ok");
        window.location.assign(workUrl);
        return;
      }
      busy = false;
      showProblem(response.status, await problemOf(response));
    }

    async function skip() {
      if (busy) return;
      if (rationale.value.trim() && !skipArmed) {
        skipArmed = true;
        showStatus("Press S again to skip this item and discard your rationale.", "pending");
        return;
      }
      busy = true;
      showStatus("Skipping…", "pending");
      let response;
      try {
        response = await post("release", {});
      } catch (_) {
        busy = false;
        showStatus("Could not reach the server to skip. Try again.", "error");
        return;
      }
      if (!response.ok && response.status !== 409) {
        busy = false;
        showProblem(response.status, await problemOf(response));
        return;
      }
      clearDraft();
      window.location.assign(workUrl);
    }

    // ---- keyboard (Enter, Esc and typing as in api.js's formKey) ---------------------------
    function onKey(event) {
      const key = api.formKey(event, submit);
      if (!key) return;
      if (key !== "s") skipArmed = false;
      if (key === "s") {
        event.preventDefault();
        skip();
      } else if (key === "r") {
        event.preventDefault();
        rationale.focus();
      } else if (module.key && module.key(event, bench)) {
        event.preventDefault();
        saveDraft();
      }
    }

    // What a kind module may use: the API, the status line, drafts.
    const bench = { root, post, showStatus, saveDraft, isTyping: api.isTyping, assignmentId };

    // ---- wiring ---------------------------------------------------------------------------------
    if (module.init) module.init(form, bench);
    restoreDraft();
    document.addEventListener("keydown", onKey);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    form.addEventListener("input", saveDraft);
    form.addEventListener("change", () => {
      saveDraft();
      clearMarks();
    });
    skipButton.addEventListener("click", () => skip());
    for (const name of ["keydown", "pointerdown", "input", "scroll"]) {
      window.addEventListener(name, () => { active = true; }, { passive: true, capture: true });
    }
    window.setInterval(async () => {
      const body = { active: active && !document.hidden };
      active = false;
      try {
        const response = await post("heartbeat", body);
        if (response.status === 409 || response.status === 404) {
          showProblem(response.status, await problemOf(response));
        }
      } catch (_) {
        // A missed heartbeat is retried at the next tick; the lease has slack.
      }
    }, heartbeatMs);
  }
})();
