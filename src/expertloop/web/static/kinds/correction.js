// The correction workbench: edit the model answer in place, tag error types, D shows a line
// diff (a small LCS, or only the counts when the texts are too long for it).
(function () {
  "use strict";
  const kit = window.expertloopKit;
  const MAX_CELLS = 4000000;

  function lineDiff(before, after) {
    const a = before.split("\n");
    const b = after.split("\n");
    if (a.length * b.length > MAX_CELLS) return null;
    const table = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
    for (let i = a.length - 1; i >= 0; i -= 1) {
      for (let j = b.length - 1; j >= 0; j -= 1) {
        table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
      }
    }
    const lines = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i] === b[j]) lines.push(["  ", a[i++]]), j++;
      else if (j < b.length && (i === a.length || table[i][j + 1] >= table[i + 1][j])) lines.push(["+ ", b[j++]]);
      else lines.push(["- ", a[i++]]);
    }
    return lines;
  }

  function showDiff() {
    const edited = document.getElementById("edited");
    const lines = lineDiff(edited.dataset.original, edited.value);
    const pane = document.getElementById("diff");
    const counts = document.getElementById("diff-counts");
    pane.replaceChildren();
    if (!lines) {
      counts.textContent = "(too long to compare here; the server stores the diff)";
      pane.hidden = true;
      return;
    }
    const added = lines.filter(([mark]) => mark === "+ ").length;
    const removed = lines.filter(([mark]) => mark === "- ").length;
    counts.textContent = "+" + added + " / -" + removed + " lines";
    for (const [mark, text] of lines) {
      const span = document.createElement("span");
      span.className = mark === "+ " ? "diff-add" : mark === "- " ? "diff-del" : "diff-same";
      span.textContent = mark + text + "\n";
      pane.append(span);
    }
    pane.hidden = false;
  }

  window.expertloopKinds.correction = {
    fields: [
      ["value.edited", "Corrected answer"],
      ["value.error_types", "Error types"],
    ],
    value: (form) => ({ edited: form.elements.edited.value, error_types: kit.checked(form, "error_type") }),
    restore(form, draft) {
      if (typeof draft.edited === "string") form.elements.edited.value = draft.edited;
      kit.setChecked(form, "error_type", draft.error_types);
    },
    key(event) {
      const form = document.getElementById("judgment-form");
      const key = event.key.toLowerCase();
      if (key === "e") form.elements.edited.focus();
      else if (key === "d") showDiff();
      else return kit.choose(form, key);
      return true;
    },
  };
})();
