// The label workbench: digits check (or toggle) the labels.
(function () {
  "use strict";
  const kit = window.expertloopKit;
  window.expertloopKinds.label = {
    fields: [["value.labels", "Label"]],
    value: (form) => ({ labels: kit.checked(form, "label") }),
    restore: (form, draft) => kit.setChecked(form, "label", draft.labels),
    key: (event) => kit.choose(document.getElementById("judgment-form"), event.key.toLowerCase()),
  };
})();
