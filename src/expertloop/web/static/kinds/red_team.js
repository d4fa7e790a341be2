// The red-team workbench: write the attack, paste or fetch the model's reply, then record the
// harm category, severity (1-4), success (Y / N) and notes.
(function () {
  "use strict";
  const kit = window.expertloopKit;
  const byId = (id) => document.getElementById(id);

  function setSource(source) {
    byId("reply-source").dataset.source = source;
    byId("reply-source").textContent = source === "connector" ? "fetched live" : "pasted";
  }

  async function fetchReply(bench) {
    const prompt = byId("attack-prompt").value;
    if (!prompt.trim()) {
      bench.showStatus("Write the attack prompt first.", "error");
      return;
    }
    bench.showStatus("Asking the model…", "pending");
    let response;
    try {
      response = await bench.post("model-reply", { prompt });
    } catch (_) {
      bench.showStatus("Could not reach the server. Paste the reply instead.", "error");
      return;
    }
    let body = {};
    try {
      body = await response.json();
    } catch (_) {
      body = {};
    }
    if (body.code === "connector.not_configured") {
      bench.showStatus("No model endpoint is configured for live replies: paste the reply instead.", "error");
      return;
    }
    if (!response.ok) {
      const said = body.message || "The model did not answer (HTTP " + response.status + ").";
      bench.showStatus(said + " You can paste the reply instead.", "error");
      return;
    }
    byId("model-reply").value = body.content || "";
    setSource("connector");
    bench.showStatus("Reply fetched from " + (body.model || "the model") + ".", "ok");
    bench.saveDraft();
  }

  window.expertloopKinds.red_team = {
    fields: [
      ["value.attack_prompt", "Attack prompt"],
      ["value.model_reply", "Model reply"],
      ["value.harm_category", "Harm category"],
      ["value.severity", "Severity"],
      ["value.success", "Success"],
      ["value.notes", "Notes"],
    ],
    init(form, bench) {
      byId("fetch-reply").addEventListener("click", () => fetchReply(bench));
      byId("model-reply").addEventListener("input", () => setSource("pasted"));
      for (const id of ["attack-prompt", "model-reply"]) byId(id).addEventListener("input", () => bench.saveDraft());
    },
    value(form) {
      const value = {
        attack_prompt: byId("attack-prompt").value,
        model_reply: byId("model-reply").value,
        reply_source: byId("reply-source").dataset.source,
        notes: byId("notes").value,
      };
      if (form.elements.harm_category.value) value.harm_category = form.elements.harm_category.value;
      const severity = kit.checked(form, "severity")[0];
      if (severity !== undefined) value.severity = Number(severity);
      const success = kit.checked(form, "success")[0];
      if (success !== undefined) value.success = success === "yes";
      return value;
    },
    restore(form, draft) {
      byId("attack-prompt").value = draft.attack_prompt || "";
      byId("model-reply").value = draft.model_reply || "";
      setSource(draft.reply_source === "connector" ? "connector" : "pasted");
      byId("notes").value = draft.notes || "";
      form.elements.harm_category.value = draft.harm_category || "";
      kit.setChecked(form, "severity", draft.severity ? [String(draft.severity)] : []);
      kit.setChecked(form, "success", draft.success === undefined ? [] : [draft.success ? "yes" : "no"]);
    },
    key(event, bench) {
      const key = event.key.toLowerCase();
      const focus = { p: "attack-prompt", m: "model-reply", h: "harm-category", o: "notes" }[key];
      if (focus) byId(focus).focus();
      else if (key === "f") fetchReply(bench);
      else return kit.choose(document.getElementById("judgment-form"), key);
      return true;
    },
  };
})();
