"""Stepwise supervision rows from step reviews: consensus first error, neutral, after-error."""

from __future__ import annotations

from typing import Any

import pytest
from export_data import CHAT, assert_provenance, consensus, item, judgment

from expertloop.core.exports import stepwise
from expertloop.core.exports.records import ExportOptions

STEPS = ["s0", "s1", "s2", "s3"]


def _review(*labels: str) -> dict[str, Any]:
    first = labels.index("incorrect") if "incorrect" in labels else -1
    return {"steps": [{"label": name} for name in labels], "first_error": first}


CASES: list[tuple[list[dict[str, Any]], Any, ExportOptions, list[str], list[bool]]] = [
    # the consensus first error decides, whatever the single judgments say
    ([_review("correct", "correct", "correct", "correct")], {"first_error": 2},
     ExportOptions(), ["s0", "s1", "s2"], [True, True, False]),
    ([_review("correct", "correct", "correct", "correct")], {"first_error": 2},
     ExportOptions(after_error="keep"), STEPS, [True, True, False, False]),
    ([_review("correct", "incorrect", "correct", "correct")], {"first_error": -1},
     ExportOptions(), STEPS, [True, True, True, True]),
    ([_review("incorrect", "correct", "correct", "correct")], {"first_error": 0},
     ExportOptions(), ["s0"], [False]),
    # no consensus: the single judgment's labels
    ([_review("correct", "neutral", "incorrect", "correct")], None,
     ExportOptions(), ["s0", "s1", "s2"], [True, True, False]),
    ([_review("correct", "neutral", "incorrect", "correct")], None,
     ExportOptions(neutral_label=False), ["s0", "s1", "s2"], [True, False, False]),
    ([_review("correct", "neutral", "incorrect", "correct")], None,
     ExportOptions(after_error="keep"), STEPS, [True, True, False, True]),
    ([_review("neutral", "correct", "correct", "correct")], None,
     ExportOptions(neutral_label=False), STEPS, [False, True, True, True]),
]  # fmt: skip


@pytest.mark.parametrize(("values", "agreed", "options", "completions", "labels"), CASES)
def test_stepwise_labels(
    values: list[dict[str, Any]],
    agreed: Any,
    options: ExportOptions,
    completions: list[str],
    labels: list[bool],
) -> None:
    votes = [judgment(f"e-{i}", v) for i, v in enumerate(values, 1)]
    merged = None if agreed is None else consensus(agreed)
    source = item("step_review", "Q?", data={"steps": STEPS})
    out = list(stepwise.rows(source, votes, merged, options=options))
    assert len(out) == 1
    row = out[0]
    assert (row["prompt"], row["completions"], row["labels"]) == ("Q?", completions, labels)
    assert len(row["completions"]) == len(row["labels"])
    assert all(isinstance(label, bool) for label in row["labels"])
    assert_provenance(row, [f"e-{i}" for i in range(1, len(values) + 1)])
    expected_source = "judgment" if agreed is None else "consensus"
    assert row["provenance"]["label_source"] == expected_source


def test_several_judgments_without_consensus_give_no_row() -> None:
    votes = [judgment("e-1", _review(*["correct"] * 4)), judgment("e-2", _review(*["correct"] * 4))]
    assert list(stepwise.rows(item("step_review", data={"steps": STEPS}), votes, None)) == []


def test_per_judgment_gives_one_row_each() -> None:
    votes = [
        judgment("e-1", _review("correct", "incorrect", "correct", "correct")),
        judgment("e-2", _review("correct", "correct", "correct", "correct")),
        judgment(
            "e-3", _review("incorrect", "correct", "correct", "correct"), review_state="rejected"
        ),
    ]
    source = item("step_review", data={"steps": STEPS})
    options = ExportOptions(per_judgment=True)
    out = list(stepwise.rows(source, votes, consensus({"first_error": 0}), options=options))
    assert [r["labels"] for r in out] == [[True, False], [True, True, True, True]]


def test_mismatched_step_counts_are_skipped() -> None:
    votes = [judgment("e-1", _review("correct", "correct"))]
    assert list(stepwise.rows(item("step_review", data={"steps": STEPS}), votes, None)) == []
    bad = consensus({"first_error": 9})
    assert list(stepwise.rows(item("step_review", data={"steps": STEPS}), votes, bad)) == []


def test_chat_prompt_is_written_as_text() -> None:
    votes = [judgment("e-1", _review("correct", "correct", "correct", "correct"))]
    row = next(stepwise.rows(item("step_review", CHAT, data={"steps": STEPS}), votes, None))
    assert row["prompt"] == "Be brief.\n\nCapital of France?"
