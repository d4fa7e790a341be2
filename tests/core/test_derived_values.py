"""What kinds derive when a judgment is stored: a correction's original and diff, a step
review's first wrong step, a rubric's escalation mark; other kinds store the value as checked."""

from __future__ import annotations

from typing import Any

import pytest

from expertloop.core.kinds import KINDS, get_kind

ANSWER = [{"id": "A", "text": "Line one.\nThe capital is Sydney.", "model": "m"}]


def test_correction_keeps_original_diff_and_stats() -> None:
    value = {"edited": "Line one.\nThe capital is Canberra.", "error_types": ["factual"]}
    stored = get_kind("correction").derive_value({}, value, ANSWER, {})
    assert stored["original"] == ANSWER[0]["text"]
    assert stored["edited"] == value["edited"]
    assert "-The capital is Sydney." in stored["diff"].splitlines()
    assert "+The capital is Canberra." in stored["diff"].splitlines()
    assert stored["stats"]["chars_added"] > 0 and stored["stats"]["chars_removed"] > 0


@pytest.mark.parametrize(
    ("labels", "first"),
    [
        (["correct", "correct"], -1),
        (["correct", "neutral", "incorrect", "incorrect"], 2),
        (["incorrect"], 0),
    ],
)
def test_step_review_stores_the_first_wrong_step(labels: list[str], first: int) -> None:
    value = {"steps": [{"label": label, "comment": None} for label in labels]}
    assert get_kind("step_review").derive_value({}, value, [], {})["first_error"] == first


@pytest.mark.parametrize(("flags", "escalated"), [([], False), ([{"flag": "unsafe"}], True)])
def test_rubric_marks_flagged_judgments(flags: list[Any], escalated: bool) -> None:
    value = {"scores": {}, "flags": flags}
    assert get_kind("rubric").derive_value({}, value, [], {})["escalated"] is escalated


@pytest.mark.parametrize("name", sorted(set(KINDS) - {"correction", "step_review", "rubric"}))
def test_other_kinds_store_the_value_unchanged(name: str) -> None:
    value = {"anything": 1}
    assert KINDS[name].derive_value({}, value, [], {}) is value
