// The cluster review workbench: Y / N coherent, E edits the name, digits (or arrows and Space)
// toggle outlier members.
(function () {
  "use strict";
  const kit = window.expertloopKit;
  const members = () => Array.from(document.querySelectorAll('input[name="outlier"]'));
  window.expertloopKinds.cluster_review = {
    fields: [
      ["value.coherent", "Coherent"],
      ["value.name", "Name"],
      ["value.outliers", "Outliers"],
    ],
    value(form) {
      const value = { name: form.elements["cluster-name"].value, outliers: kit.checked(form, "outlier") };
      const coherent = kit.checked(form, "coherent")[0];
      if (coherent !== undefined) value.coherent = coherent === "yes";
      return value;
    },
    restore(form, draft) {
      kit.setChecked(form, "coherent", draft.coherent === undefined ? [] : [draft.coherent ? "yes" : "no"]);
      if (typeof draft.name === "string") form.elements["cluster-name"].value = draft.name;
      kit.setChecked(form, "outlier", draft.outliers);
    },
    key(event) {
      const form = document.getElementById("judgment-form");
      const key = event.key.toLowerCase();
      const all = members();
      const index = all.indexOf(event.target);
      if (key === "arrowdown" || key === "arrowup") {
        const next = key === "arrowdown" ? index + 1 : index - 1;
        (all[Math.min(Math.max(next, 0), all.length - 1)] || document.body).focus();
        return true;
      }
      if (key === "e") {
        form.elements["cluster-name"].focus();
        return true;
      }
      return kit.choose(form, key);
    },
  };
})();
