// The demonstration workbench: the expert writes the ideal answer (more turns when the project
// is multi-turn). Typed and pasted characters and active writing seconds are recorded beside
// the text as integrity signals; they never block a submit.
(function () {
  "use strict";
  const IDLE_MS = 5000;
  const counts = { typed_chars: 0, pasted_chars: 0, active_seconds: 0 };
  let lastActivity = 0;
  const turns = () => Array.from(document.querySelectorAll("#turns .turn-text"));

  function addTurn(role, content) {
    const area = document.createElement("textarea");
    area.className = "turn-text";
    area.dataset.role = role;
    area.rows = role === "user" ? 4 : 10;
    area.id = "turn-" + turns().length;
    area.setAttribute("aria-label", role === "user" ? "User turn" : "Assistant reply");
    area.value = content || "";
    document.getElementById("turns").append(area);
    return area;
  }

  function showCounts() {
    document.getElementById("typed-chars").textContent = String(counts.typed_chars);
    document.getElementById("pasted-chars").textContent = String(counts.pasted_chars);
    document.getElementById("active-seconds").textContent = String(Math.round(counts.active_seconds));
  }

  window.expertloopKinds.demonstration = {
    fields: [["value.messages", "Answer"]],
    init(form, bench) {
      const box = document.getElementById("turns");
      box.addEventListener("input", (event) => {
        lastActivity = Date.now();
        if (event.inputType === "insertText" || event.inputType === "insertReplacementText") {
          counts.typed_chars += (event.data || "").length;
        } else if (event.inputType === "insertLineBreak" || event.inputType === "insertParagraph") {
          counts.typed_chars += 1;
        }
      });
      box.addEventListener("paste", (event) => {
        lastActivity = Date.now();
        counts.pasted_chars += (event.clipboardData ? event.clipboardData.getData("text") : "").length;
      });
      box.addEventListener("keydown", () => { lastActivity = Date.now(); });
      window.setInterval(() => {
        if (!document.hidden && Date.now() - lastActivity < IDLE_MS) counts.active_seconds += 1;
        showCounts();
      }, 1000);
      const add = document.getElementById("add-turn");
      if (add) add.addEventListener("click", () => {
        addTurn("user");
        addTurn("assistant");
        bench.saveDraft();
      });
    },
    value() {
      return {
        messages: turns().map((area) => ({ role: area.dataset.role, content: area.value })),
        integrity: { ...counts },
      };
    },
    restore(form, draft) {
      const messages = Array.isArray(draft.messages) ? draft.messages : [];
      turns().forEach((area, index) => { if (index > 0) area.remove(); });
      messages.forEach((message, index) => {
        if (index === 0) turns()[0].value = message.content || "";
        else addTurn(message.role === "user" ? "user" : "assistant", message.content);
      });
      for (const name of Object.keys(counts)) {
        const number = Number((draft.integrity || {})[name]);
        if (Number.isFinite(number) && number >= 0) counts[name] = number;
      }
      showCounts();
    },
    key(event) {
      const key = event.key.toLowerCase();
      const multi = document.getElementById("judgment-form").dataset.multiTurn === "true";
      if (key === "w") {
        const all = turns();
        all[all.length - 1].focus();
      } else if (key === "u" && multi) {
        addTurn("user").focus();
        addTurn("assistant");
      } else return false;
      return true;
    },
  };
})();
