"""Table-driven validation of the step_review kind, first errors, and the ProcessBench mapping."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from kindcheck import check_spec, check_value, fields

from expertloop.core.errors import Invalid
from expertloop.core.items import read_items
from expertloop.core.kinds import get_kind
from expertloop.core.kinds.step_review import first_error, processbench_item

KIND = get_kind("step_review")
PROCESSBENCH = Path(__file__).parents[2].parent / "shared/data/processbench_gsm8k/gsm8k.jsonl"
STRICT = {"allow_neutral": False, "min_rationale_chars": 5}

SPECS: list[tuple[Any, str | None]] = [
    ({}, None),
    ({"allow_neutral": False, "min_rationale_chars": 5}, None),
    ({"allow_neutral": None}, "spec.allow_neutral"),
    ({"min_rationale_chars": 10**6}, "spec.min_rationale_chars"),
    ({"labels": ["ok", "bad"]}, "spec.labels"),
    ("allow_neutral", "spec"),
]


@pytest.mark.parametrize(("spec", "field"), SPECS)
def test_validate_spec_names_the_field(spec: Any, field: str | None) -> None:
    normalised = check_spec("step_review", spec, field)
    if normalised is not None:
        assert normalised == {"allow_neutral": True, "min_rationale_chars": 0} | spec


def steps(*labels: str) -> dict[str, Any]:
    return {"steps": [{"label": label} for label in labels]}


VALUES: list[tuple[dict[str, Any], Any, str, str | None]] = [
    ({}, steps("correct", "neutral", "incorrect"), "", None),
    ({}, {"steps": [{"label": "incorrect", "comment": "8 * 3 is 24, not 21"}]}, "", None),
    (STRICT, steps("correct", "incorrect"), "step 2 is off", None),
    (STRICT, steps("correct", "neutral"), "step 2 is off", "value.steps[1].label"),
    (STRICT, steps("correct", "incorrect"), "no", "rationale"),
    ({}, steps("correct", "wrong"), "", "value.steps[1].label"),
    ({}, steps("correct", None), "", "value.steps[1].label"),
    ({}, {"steps": ["correct"]}, "", "value.steps[0]"),
    ({}, {"steps": [{"label": "correct", "comment": 3}]}, "", "value.steps[0].comment"),
    ({}, {"steps": [{"label": "correct", "score": 1}]}, "", "value.steps[0].score"),
    ({}, {"steps": []}, "", "value.steps"),
    ({}, {"steps": "correct"}, "", "value.steps"),
    ({}, steps(*["correct"] * 20_001), "", "value.steps"),
    ({}, {"steps": [{"label": "correct"}], "first_error": 0}, "", "value.first_error"),
]


@pytest.mark.parametrize(("spec", "value", "rationale", "field"), VALUES)
def test_validate_value_names_the_field(
    spec: dict[str, Any], value: Any, rationale: str, field: str | None
) -> None:
    clean = check_value("step_review", spec, value, rationale, field)
    if clean is not None:
        assert [step["label"] for step in clean["steps"]] == [s["label"] for s in value["steps"]]
        assert [step["comment"] for step in clean["steps"]] == [
            s.get("comment") for s in value["steps"]
        ]


def test_validate_value_lists_only_the_first_problems_of_a_long_bad_payload() -> None:
    spec = KIND.validate_spec({})
    with pytest.raises(Invalid) as raised:
        KIND.validate_value(spec, steps(*["wrong"] * 10_000), "")
    errors = fields(raised.value.errors)
    assert errors[:2] == ["value.steps[0].label", "value.steps[1].label"]
    assert errors[-1] == "value.steps" and len(errors) == 21


ITEMS: list[tuple[Any, list[str]]] = [
    ({"steps": ["First add 3.", "Then double it."]}, []),
    ({"steps": ["only one"]}, []),
    ({}, ["data.steps"]),
    ({"steps": []}, ["data.steps"]),
    ({"steps": "First add 3."}, ["data.steps"]),
    ({"steps": ["x"] * 20_001}, ["data.steps"]),
    ({"steps": ["First add 3.", ""]}, ["data.steps[1]"]),
    ({"steps": ["First add 3.", "   ", 4]}, ["data.steps[1]", "data.steps[2]"]),
    ({"steps": ["x" * 100_001]}, ["data.steps[0]"]),
    ({"steps": ["x" * 100_000] * 51}, ["data.steps"]),
    ({"steps": ["a"], "answer": "42"}, ["data.answer"]),
]


@pytest.mark.parametrize(("data", "expected"), ITEMS)
def test_check_item_names_the_step(data: dict[str, Any], expected: list[str]) -> None:
    assert fields(KIND.check_item(KIND.validate_spec({}), [], data)) == expected


def test_a_ten_thousand_step_solution_validates_quickly() -> None:
    spec = KIND.validate_spec({})
    data = {"steps": [f"Step {i}: carry the {i % 10}." for i in range(10_000)]}
    started = time.perf_counter()
    (draft,) = read_items([{"prompt": "Add them all.", "data": data}], kind=KIND, spec=spec)
    value = KIND.validate_value(spec, steps(*["correct"] * 9_999, "incorrect"), "")
    assert KIND.check_value_against_item(spec, value, [], draft.data) == []
    assert time.perf_counter() - started < 1.0
    assert first_error([step["label"] for step in value["steps"]]) == 9_999


@pytest.mark.parametrize(
    ("labelled", "item_steps", "expected"),
    [(2, 2, []), (1, 2, ["value.steps"]), (3, 2, ["value.steps"])],
)
def test_check_value_against_item_needs_one_label_per_step(
    labelled: int, item_steps: int, expected: list[str]
) -> None:
    spec = KIND.validate_spec({})
    value = KIND.validate_value(spec, steps(*["correct"] * labelled), "")
    data = {"steps": ["a step"] * item_steps}
    assert fields(KIND.check_value_against_item(spec, value, [], data)) == expected


FIRST_ERRORS: list[tuple[list[str], int]] = [
    ([], -1),
    (["correct", "correct"], -1),
    (["correct", "neutral", "correct"], -1),
    (["incorrect"], 0),
    (["correct", "neutral", "incorrect", "incorrect"], 2),
    (["correct", "correct", "correct", "incorrect"], 3),
]


@pytest.mark.parametrize(("labels", "index"), FIRST_ERRORS)
def test_first_error_is_the_first_incorrect_step(labels: list[str], index: int) -> None:
    assert first_error(labels) == index


def test_processbench_item_maps_one_row() -> None:
    row = {
        "id": "gsm8k-7",
        "generator": "Qwen2-7B-Instruct",
        "problem": "Tom has 3 apples...",
        "steps": ["He buys 2 more.", "3 + 2 = 6."],
        "final_answer_correct": False,
        "label": 1,
    }
    assert processbench_item(row) == {
        "external_id": "gsm8k-7",
        "prompt": "Tom has 3 apples...",
        "data": {"steps": ["He buys 2 more.", "3 + 2 = 6."]},
        "metadata": {
            "generator": "Qwen2-7B-Instruct",
            "final_answer_correct": False,
            "reference_first_error": 1,
            "source": "processbench_gsm8k",
        },
    }


def test_processbench_item_names_missing_fields() -> None:
    with pytest.raises(Invalid) as raised:
        processbench_item({"id": "x", "problem": "p", "steps": ["s"]})
    assert raised.value.code == "items.invalid"
    assert fields(raised.value.errors) == ["generator", "final_answer_correct", "label"]


def test_every_processbench_row_maps_to_a_valid_item() -> None:
    rows = [json.loads(line) for line in PROCESSBENCH.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 400
    drafts = read_items(
        [processbench_item(row) for row in rows], kind=KIND, spec=KIND.validate_spec({})
    )
    assert len(drafts) == 400
    for row, draft in zip(rows, drafts, strict=True):
        assert draft.external_id == row["id"]
        assert draft.data == {"steps": row["steps"]}
        assert draft.metadata["reference_first_error"] == row["label"]
        assert -1 <= row["label"] < len(row["steps"])


def test_check_item_lists_only_the_first_bad_steps() -> None:
    errors = fields(KIND.check_item(KIND.validate_spec({}), [], {"steps": [""] * 10_000}))
    assert errors == [f"data.steps[{i}]" for i in range(20)] + ["data.steps"]
