"""Dataset cards: counts, balance, agreement, panel, guideline versions, licence, trainer."""

from __future__ import annotations

import pytest
from export_data import PAIR, consensus, item, judgment

from expertloop.core.exports import kto, preference
from expertloop.core.exports.card import FORMATS, CardSummary, dataset_card
from expertloop.core.exports.records import ExportItem


def _preference_card() -> str:
    summary = CardSummary(name="France DPO", format="preference", license="cc-by-4.0",
                          description="Capitals, judged by experts.")  # fmt: skip
    votes = [
        judgment("e-1", {"choice": "A", "strength": 2}, tracks=("stem",)),
        judgment("e-2", {"choice": "A", "strength": 1}, tracks=("stem", "coding"),
                 guideline_version=3),
    ]  # fmt: skip
    for item_id, choice, agreement in ((1, "A", 0.5), (2, "B", 1.0), (3, "A", None)):
        source = ExportItem(item_id, "pairwise", "Q", responses=PAIR)
        agreed = consensus({"choice": choice}, agreement=agreement, adjudicated=item_id == 3)
        for row in preference.rows(source, votes, agreed):
            summary.update(row)
    summary.add_panel({"region": "EU", "sector": "academia"})
    summary.add_panel({"region": "EU", "sector": "industry"})
    return dataset_card(summary)


def test_card_has_front_matter_counts_and_trainer() -> None:
    card = _preference_card()
    assert card.startswith("---\nlicense: cc-by-4.0\ntags:\n- trl\n")
    assert "# France DPO" in card and "Capitals, judged by experts." in card
    assert "TRL dataset type: preference" in card and "DPOTrainer" in card
    assert "| 3 | 3 | 2 |" in card  # rows, items, experts
    assert "conversational rows: 0 of 3" in card


def test_card_reports_balance_agreement_panel_and_versions() -> None:
    card = _preference_card()
    assert "| chosen A | 2 |" in card and "| chosen B | 1 |" in card
    assert "mean agreement: 0.750" in card  # (0.5 + 1.0) / 2; item 3 has none
    assert "mean consensus confidence: 0.900" in card
    assert "adjudicated rows: 1" in card
    assert "| stem | 2 |" in card and "| coding | 1 |" in card
    assert "| region: EU | 2 |" in card and "| sector: industry | 1 |" in card
    assert "| 2 | 3 |" in card and "| 3 | 3 |" in card  # guideline versions x rows
    assert "## Licence\n\ncc-by-4.0" in card


def test_card_counts_kto_balance_and_conversational_rows() -> None:
    summary = CardSummary(name="kto", format="kto")
    chat = item("pairwise", [{"role": "user", "content": "Q"}], responses=PAIR)
    for row in kto.rows(chat, [judgment("e-1", {"choice": "B"})], consensus({"choice": "B"})):
        summary.update(row)
    card = dataset_card(summary)
    assert "| desirable | 1 |" in card and "| undesirable | 1 |" in card
    assert "conversational rows: 2 of 2" in card and "KTOTrainer" in card
    assert "| rows | items | experts |\n|---|---|---|\n| 2 | 1 | 1 |" in card


def test_stepwise_card_counts_step_labels() -> None:
    summary = CardSummary(name="prm", format="stepwise")
    summary.update({"prompt": "Q", "completions": ["a", "b"], "labels": [True, False],
                    "provenance": {"item_id": 1}})  # fmt: skip
    card = dataset_card(summary)
    assert "| correct step | 1 |" in card and "| wrong step | 1 |" in card
    assert "PRMTrainer" in card and "mean agreement: n/a" in card


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_names_a_trainer(name: str) -> None:
    card = dataset_card(CardSummary(name="x", format=name))
    assert f"`{name}`" in card and FORMATS[name][1] in card
    assert "## Expert panel" in card and "n/a" in card


def test_card_cells_escape_pipes_and_newlines() -> None:
    summary = CardSummary(name="x", format="kto")
    summary.add_panel({"school": "a|b\nc"})
    assert "| school: a\\|b c | 1 |" in dataset_card(summary)
