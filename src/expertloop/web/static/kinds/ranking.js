// The ranking workbench: responses as cards; move the focused card with the arrows or J / K,
// tie it with the one above with T. The order of the cards is the ranking.
(function () {
  "use strict";
  const list = () => document.getElementById("ranking-list");
  const cards = () => Array.from(list().querySelectorAll(".rank-card"));

  function groups() {
    const result = [];
    for (const card of cards()) {
      if (card.dataset.tied === "true" && result.length) result[result.length - 1].push(card.dataset.id);
      else result.push([card.dataset.id]);
    }
    return result;
  }

  function show() {
    const all = cards();
    if (all.length) all[0].dataset.tied = "false";
    let place = 0;
    for (const card of all) {
      if (card.dataset.tied !== "true") place += 1;
      card.querySelector(".rank-place").textContent = "#" + place;
    }
    document.getElementById("ranking-order").textContent = groups()
      .map((group) => group.join(" = "))
      .join("  >  ");
  }

  function move(card, step) {
    const sibling = step < 0 ? card.previousElementSibling : card.nextElementSibling;
    if (!sibling) return;
    if (step < 0) list().insertBefore(card, sibling);
    else list().insertBefore(sibling, card);
    card.focus();
    show();
  }

  window.expertloopKinds.ranking = {
    fields: [["value.ranking", "Ranking"]],
    init: show,
    value: () => ({ ranking: groups() }),
    restore(form, draft) {
      const byId = new Map(cards().map((card) => [card.dataset.id, card]));
      for (const group of draft.ranking || []) {
        group.forEach((id, index) => {
          const card = byId.get(id);
          if (!card) return;
          card.dataset.tied = index > 0 ? "true" : "false";
          list().append(card);
        });
      }
      show();
    },
    key(event) {
      const key = event.key.toLowerCase();
      const all = cards();
      if (/^[1-9]$/.test(key) && all[Number(key) - 1]) {
        all[Number(key) - 1].focus();
        return true;
      }
      const card = event.target.closest && event.target.closest(".rank-card");
      if (!card) return false;
      if (key === "arrowup" || key === "k") move(card, -1);
      else if (key === "arrowdown" || key === "j") move(card, 1);
      else if (key === "t" && list().dataset.allowTies === "true") {
        card.dataset.tied = card.dataset.tied === "true" ? "false" : "true";
        show();
      } else return false;
      return true;
    },
  };
})();
