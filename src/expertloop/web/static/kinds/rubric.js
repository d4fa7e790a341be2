// The rubric workbench: one row per criterion per response; arrows move between rows, a digit
// scores the focused row (then moves on), C comments on it, F toggles the response's first flag.
(function () {
  "use strict";
  const rows = () => Array.from(document.querySelectorAll(".crit-row"));
  let current = null;

  function focusRow(row) {
    if (!row) return;
    current = row;
    row.focus();
  }

  function rowOf(target) {
    return (target.closest && target.closest(".crit-row")) || current;
  }

  window.expertloopKinds.rubric = {
    fields: [
      ["value.scores", "Scores"],
      ["value.flags", "Flags"],
    ],
    init() {
      document.addEventListener("focusin", (event) => {
        const row = event.target.closest && event.target.closest(".crit-row");
        if (row) current = row;
      });
    },
    value(form) {
      const scores = {};
      for (const row of rows()) {
        const { response, criterion } = row.dataset;
        const picked = row.querySelector('input[type="radio"]:checked');
        const comment = row.querySelector(".crit-comment").value;
        if (!picked && !comment) continue;
        const entry = {};
        if (picked) entry.score = Number(picked.value);
        if (comment) entry.comment = comment;
        (scores[response] = scores[response] || {})[criterion] = entry;
      }
      const flags = [];
      for (const input of form.querySelectorAll('input[type="checkbox"][name^="flag:"]')) {
        if (input.checked) flags.push({ response: input.name.slice(5), flag: input.value });
      }
      return { scores, flags };
    },
    restore(form, draft) {
      for (const row of rows()) {
        const entry = ((draft.scores || {})[row.dataset.response] || {})[row.dataset.criterion] || {};
        for (const radio of row.querySelectorAll('input[type="radio"]')) radio.checked = String(entry.score) === radio.value;
        row.querySelector(".crit-comment").value = entry.comment || "";
      }
      const flagged = new Set((draft.flags || []).map((f) => f.response + "\u0000" + f.flag));
      for (const input of form.querySelectorAll('input[type="checkbox"][name^="flag:"]')) {
        input.checked = flagged.has(input.name.slice(5) + "\u0000" + input.value);
      }
    },
    key(event) {
      const key = event.key.toLowerCase();
      const all = rows();
      const row = rowOf(event.target);
      const index = row ? all.indexOf(row) : -1;
      if (key === "arrowdown" || key === "j") focusRow(all[index + 1] || all[all.length - 1]);
      else if (key === "arrowup" || key === "k") focusRow(all[Math.max(index - 1, 0)]);
      else if (/^[0-9]$/.test(key) && row) {
        const radio = row.querySelector('input[type="radio"][value="' + key + '"]');
        if (!radio) return false;
        radio.checked = true;
        focusRow(all[index + 1] || row);
      } else if (key === "c" && row) row.querySelector(".crit-comment").focus();
      else if (key === "f" && row) {
        const flag = document.querySelector('input[name="flag:' + CSS.escape(row.dataset.response) + '"]');
        if (!flag) return false;
        flag.checked = !flag.checked;
      } else return false;
      return true;
    },
  };
})();
