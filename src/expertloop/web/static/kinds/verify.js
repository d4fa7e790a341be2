// The verify workbench: A accept, X reject, C correct (and type the right label).
(function () {
  "use strict";
  const kit = window.expertloopKit;
  window.expertloopKinds.verify = {
    fields: [
      ["value.verdict", "Verdict"],
      ["value.correction", "Correction"],
    ],
    value(form) {
      const value = {};
      const verdict = kit.checked(form, "verdict")[0];
      if (verdict !== undefined) value.verdict = verdict;
      if (verdict === "correct") value.correction = form.elements.correction.value;
      return value;
    },
    restore(form, draft) {
      kit.setChecked(form, "verdict", draft.verdict ? [draft.verdict] : []);
      form.elements.correction.value = draft.correction || "";
    },
    key(event) {
      const form = document.getElementById("judgment-form");
      const key = event.key.toLowerCase();
      if (!kit.choose(form, key)) return false;
      if (key === "c") form.elements.correction.focus();
      return true;
    },
  };
})();
