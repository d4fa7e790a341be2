"""Exports over the real samples: HH-RLHF preference pairs and ProcessBench step labels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from export_data import consensus, judgment

from expertloop.core.exports import kto, preference, stepwise
from expertloop.core.exports.card import CardSummary, dataset_card
from expertloop.core.exports.records import ExportItem, ExportOptions
from expertloop.core.kinds.step_review import processbench_item

DATA = Path(__file__).parents[3].parent / "shared/data"
HH = DATA / "hh_rlhf_sample/pairs.jsonl"
PROCESSBENCH = DATA / "processbench_gsm8k/gsm8k.jsonl"


def _lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        pytest.skip(f"{path} is not present")
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _hh_items() -> list[tuple[ExportItem, str, dict[str, Any]]]:
    """Each pair as a pairwise item; the chosen answer sits in A on even ids, B on odd ones."""
    out = []
    for row in _lines(HH):
        chosen_first = int(row["id"]) % 2 == 0
        first, second = (row["chosen"], row["rejected"])[:: 1 if chosen_first else -1]
        responses = [{"id": "A", "text": first}, {"id": "B", "text": second}]
        source = ExportItem(int(row["id"]), "pairwise", row["prompt"], str(row["id"]), responses)
        out.append((source, "A" if chosen_first else "B", row))
    return out


def test_hh_rlhf_preference_rows_recover_every_pair() -> None:
    items = _hh_items()
    summary = CardSummary(name="hh", format="preference")
    count = 0
    for source, choice, original in items:
        votes = [judgment("e-1", {"choice": choice, "strength": 2})]
        options = ExportOptions(margin=True)
        for row in preference.rows(source, votes, consensus({"choice": choice}), options=options):
            assert (row["chosen"], row["rejected"]) == (original["chosen"], original["rejected"])
            assert row["margin"] == 2.0 and row["provenance"]["item_id"] == source.item_id
            summary.update(row)
            count += 1
    assert count == len(items) == 300
    card = dataset_card(summary)
    assert "| 300 | 300 | 1 |" in card
    assert "| chosen A | 150 |" in card and "| chosen B | 150 |" in card


def test_hh_rlhf_kto_rows_are_balanced() -> None:
    labels = [
        row["label"]
        for source, choice, _ in _hh_items()
        for row in kto.rows(source, [judgment("e-1", {"choice": choice})],
                            consensus({"choice": choice}))
    ]  # fmt: skip
    assert len(labels) == 600 and sum(labels) == 300


def test_processbench_stepwise_rows_end_on_the_reference_error() -> None:
    rows = _lines(PROCESSBENCH)
    errors = 0
    for number, line in enumerate(rows):
        mapped = processbench_item(line)
        steps = mapped["data"]["steps"]
        first = int(mapped["metadata"]["reference_first_error"])
        source = ExportItem(number, "step_review", mapped["prompt"], data=mapped["data"])
        labels = [{"label": "incorrect" if i == first else "correct"} for i in range(len(steps))]
        votes = [judgment("e-1", {"steps": labels, "first_error": first})]
        from_judgment = next(stepwise.rows(source, votes, None))
        from_consensus = next(stepwise.rows(source, votes, consensus({"first_error": first})))
        assert from_judgment["labels"] == from_consensus["labels"]
        if first < 0:
            assert from_judgment["labels"] == [True] * len(steps)
        else:
            errors += 1
            assert from_judgment["labels"] == [True] * first + [False]
            assert from_judgment["completions"] == steps[: first + 1]
    assert len(rows) == 400 and 0 < errors < 400
