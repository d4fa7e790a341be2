// The step review workbench: the steps are rendered once by the server; the arrows move between
// them, C / I / N label the focused one (and move on). Only the touched step is updated, so a
// 10,000-step solution stays responsive.
(function () {
  "use strict";
  const LABELS = { c: "correct", i: "incorrect", n: "neutral" };
  const MARKS = { correct: "✓", incorrect: "✗", neutral: "–", "": "" };
  let steps = [];
  let current = 0;
  const comments = new Map();

  function setLabel(index, label) {
    const step = steps[index];
    step.dataset.label = label;
    step.querySelector(".step-label").textContent = MARKS[label];
  }

  function summarize() {
    let first = -1;
    let labelled = 0;
    for (let index = 0; index < steps.length; index += 1) {
      const label = steps[index].dataset.label;
      if (label) labelled += 1;
      if (first < 0 && label === "incorrect") first = index;
    }
    const old = document.querySelector(".step.first-error");
    if (old) old.classList.remove("first-error");
    if (first >= 0) steps[first].classList.add("first-error");
    document.getElementById("first-error").textContent = first >= 0 ? "step " + (first + 1) : "none yet";
    document.getElementById("steps-labelled").textContent = String(labelled);
  }

  function go(index) {
    current = Math.min(Math.max(index, 0), steps.length - 1);
    steps[current].focus();
    document.getElementById("step-current").textContent = String(current + 1);
    document.getElementById("step-comment").value = comments.get(current) || "";
  }

  window.expertloopKinds.step_review = {
    fields: [["value.steps", "Steps"]],
    init() {
      steps = Array.from(document.querySelectorAll("#step-list > .step"));
      steps.forEach((step, index) => { step.dataset.index = String(index); });
      document.getElementById("step-list").addEventListener("focusin", (event) => {
        const step = event.target.closest(".step");
        if (step && Number(step.dataset.index) !== current) go(Number(step.dataset.index));
      });
      document.getElementById("step-comment").addEventListener("input", (event) => {
        if (event.target.value) comments.set(current, event.target.value);
        else comments.delete(current);
      });
      summarize();
    },
    value() {
      return {
        steps: steps.map((step, index) => {
          const entry = { label: step.dataset.label || null };
          if (comments.has(index)) entry.comment = comments.get(index);
          return entry;
        }),
      };
    },
    restore(form, draft) {
      (draft.steps || []).forEach((entry, index) => {
        if (index >= steps.length) return;
        setLabel(index, entry.label || "");
        if (entry.comment) comments.set(index, entry.comment);
      });
      summarize();
    },
    key(event) {
      const key = event.key.toLowerCase();
      if (key === "arrowdown" || key === "j") go(current + 1);
      else if (key === "arrowup" || key === "k") go(current - 1);
      else if (key === "m") document.getElementById("step-comment").focus();
      else if (key === "a") {
        steps.forEach((step, index) => { if (!step.dataset.label) setLabel(index, "correct"); });
        summarize();
      } else if (LABELS[key]) {
        if (key === "n" && document.getElementById("step-list").dataset.allowNeutral !== "true") return false;
        setLabel(current, LABELS[key]);
        summarize();
        go(current + 1);
      } else return false;
      return true;
    },
  };
})();
