// The pairwise workbench: A / B / T choose, 1-3 set the strength.
(function () {
  "use strict";
  const kit = window.expertloopKit;
  window.expertloopKinds.pairwise = {
    fields: [
      ["value.choice", "Choice"],
      ["value.strength", "Strength"],
    ],
    value(form) {
      const value = {};
      const choice = kit.checked(form, "choice")[0];
      const strength = kit.checked(form, "strength")[0];
      if (choice !== undefined) value.choice = choice;
      if (strength !== undefined) value.strength = Number(strength);
      return value;
    },
    restore(form, draft) {
      kit.setChecked(form, "choice", draft.choice === undefined ? [] : [draft.choice]);
      kit.setChecked(form, "strength", draft.strength === undefined ? [] : [String(draft.strength)]);
    },
    key: (event) => kit.choose(document.getElementById("judgment-form"), event.key.toLowerCase()),
  };
})();
