"""Table-driven validation of the correction kind and the diffs of an edit."""

from __future__ import annotations

import random
import time
from typing import Any

import pytest
from kindcheck import check_spec, check_value, fields

from expertloop.core.kinds import get_kind
from expertloop.core.kinds.correction import diff_text, edit_stats, word_diff

KIND = get_kind("correction")
DEFAULT = {
    "error_types": ["factual", "reasoning", "omission", "safety", "style"],
    "require_error_type": True,
    "min_rationale_chars": 0,
}
ANSWER = [{"id": "A", "text": "Take 50 mg twice a day.", "model": "m1"}]

SPECS: list[tuple[Any, str | None]] = [
    ({}, None),
    ({"error_types": ["dose", "interaction"], "require_error_type": False}, None),
    ({"error_types": []}, "spec.error_types"),
    ({"error_types": ["dose", "dose"]}, "spec.error_types[1]"),
    ({"error_types": ["dose", " "]}, "spec.error_types[1]"),
    ({"error_types": "dose"}, "spec.error_types"),
    ({"require_error_type": "true"}, "spec.require_error_type"),
    ({"min_rationale_chars": 10_001}, "spec.min_rationale_chars"),
    ({"show_diff": True}, "spec.show_diff"),
]


@pytest.mark.parametrize(("spec", "field"), SPECS)
def test_validate_spec_names_the_field(spec: Any, field: str | None) -> None:
    normalised = check_spec("correction", spec, field)
    if normalised is not None:
        assert normalised == DEFAULT | spec


OPTIONAL = {"require_error_type": False, "min_rationale_chars": 4}
VALUES: list[tuple[dict[str, Any], Any, str, str | None]] = [
    ({}, {"edited": "Take 5 mg once a day.", "error_types": ["factual"]}, "", None),
    ({}, {"edited": "x", "error_types": ["factual", "safety"]}, "", None),
    (OPTIONAL, {"edited": "Take 5 mg once a day."}, "typo", None),
    ({}, {"edited": "Take 5 mg once a day."}, "", "value.error_types"),
    ({}, {"edited": "Take 5 mg.", "error_types": []}, "", "value.error_types"),
    ({}, {"edited": "Take 5 mg.", "error_types": "factual"}, "", "value.error_types"),
    ({}, {"edited": "Take 5 mg.", "error_types": ["dose"]}, "", "value.error_types[0]"),
    ({}, {"edited": "Take 5 mg.", "error_types": ["style", "style"]}, "", "value.error_types[1]"),
    ({}, {"edited": "   ", "error_types": ["style"]}, "", "value.edited"),
    ({}, {"edited": None, "error_types": ["style"]}, "", "value.edited"),
    ({}, {"error_types": ["style"]}, "", "value.edited"),
    ({}, {"edited": "x" * 1_000_001, "error_types": ["style"]}, "", "value.edited"),
    (OPTIONAL, {"edited": "Take 5 mg."}, "", "rationale"),
    ({}, {"edited": "Take 5 mg.", "error_types": ["style"], "diff": ""}, "", "value.diff"),
]


@pytest.mark.parametrize(("spec", "value", "rationale", "field"), VALUES)
def test_validate_value_names_the_field(
    spec: dict[str, Any], value: Any, rationale: str, field: str | None
) -> None:
    clean = check_value("correction", spec, value, rationale, field)
    if clean is not None:
        assert clean == {"edited": value["edited"], "error_types": value.get("error_types", [])}


@pytest.mark.parametrize(
    ("responses", "expected"),
    [(ANSWER, []), ([], ["responses"]), ([*ANSWER, {**ANSWER[0], "id": "B"}], ["responses"])],
)
def test_check_item_needs_exactly_one_answer(responses: list[Any], expected: list[str]) -> None:
    assert fields(KIND.check_item(DEFAULT, responses, {})) == expected


@pytest.mark.parametrize(
    ("edited", "expected"),
    [
        ("Take 5 mg once a day.", []),
        ("Take 50 mg twice a day.", ["value.edited"]),
        ("  Take 50 mg twice a day.\n", ["value.edited"]),
        ("Take 50 mg  twice a day.", []),
    ],
)
def test_check_value_against_item_needs_a_change(edited: str, expected: list[str]) -> None:
    value = KIND.validate_value(DEFAULT, {"edited": edited, "error_types": ["factual"]}, "")
    assert fields(KIND.check_value_against_item(DEFAULT, value, ANSWER, {})) == expected


def test_diff_text_is_a_unified_line_diff() -> None:
    original = "Dose: 50 mg.\nTwice a day.\nWith food.\n"
    edited = "Dose: 5 mg.\nTwice a day.\nWith food.\nCheck kidney function.\n"
    assert diff_text(original, edited).splitlines() == [
        "--- original",
        "+++ edited",
        "@@ -1,3 +1,4 @@",
        "-Dose: 50 mg.",
        "+Dose: 5 mg.",
        " Twice a day.",
        " With food.",
        "+Check kidney function.",
    ]


def test_diff_text_is_empty_when_the_lines_are_equal() -> None:
    assert diff_text("same\ntext", "same\ntext") == ""
    assert diff_text("", "") == ""


WORD_DIFFS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "Take 50 mg twice a day.",
        "Take 5 mg once a day.",
        [
            ("equal", "Take "),
            ("delete", "50"),
            ("insert", "5"),
            ("equal", " mg "),
            ("delete", "twice"),
            ("insert", "once"),
            ("equal", " a day."),
        ],
    ),
    ("a b", "a b c", [("equal", "a b"), ("insert", " c")]),
    ("a, b", "a b", [("equal", "a"), ("delete", ","), ("equal", " b")]),
    ("", "new", [("insert", "new")]),
    ("old", "", [("delete", "old")]),
    ("same", "same", [("equal", "same")]),
]


@pytest.mark.parametrize(("original", "edited", "runs"), WORD_DIFFS)
def test_word_diff_on_known_edits(original: str, edited: str, runs: list[tuple[str, str]]) -> None:
    result = word_diff(original, edited)
    assert result == runs
    assert "".join(text for op, text in result if op != "insert") == original
    assert "".join(text for op, text in result if op != "delete") == edited


STATS: list[tuple[str, str, dict[str, float]]] = [
    ("same", "same", {"chars_added": 0, "chars_removed": 0, "ratio": 1.0}),
    ("", "", {"chars_added": 0, "chars_removed": 0, "ratio": 1.0}),
    ("", "abc", {"chars_added": 3, "chars_removed": 0, "ratio": 0.0}),
    ("a b", "a b c", {"chars_added": 2, "chars_removed": 0, "ratio": 6 / 8}),
    ("Take 50 mg", "Take 5 mg", {"chars_added": 1, "chars_removed": 2, "ratio": 16 / 19}),
]


@pytest.mark.parametrize(("original", "edited", "stats"), STATS)
def test_edit_stats_on_known_edits(original: str, edited: str, stats: dict[str, float]) -> None:
    assert edit_stats(original, edited) == pytest.approx(stats)


def test_word_diff_matches_lines_then_words() -> None:
    original = "Dose: 50 mg.\nTwice a day.\n"
    edited = "Dose: 5 mg.\nTwice a day.\n"
    assert word_diff(original, edited) == [
        ("equal", "Dose: "),
        ("delete", "50"),
        ("insert", "5"),
        ("equal", " mg.\nTwice a day.\n"),
    ]


def test_word_diff_reports_a_huge_rewritten_line_whole_and_fast() -> None:
    original = "x " * 500_000
    edited = "y " + original[2:]
    started = time.perf_counter()
    assert word_diff(original, edited) == [("delete", original), ("insert", edited)]
    assert time.perf_counter() - started < 2.0


def test_word_diff_of_a_long_repetitive_answer_is_fast_and_rebuilds_both_texts() -> None:
    rng = random.Random(7)
    words = [rng.choice(["the", "dose", "is", "50", "mg", "daily"]) for _ in range(10_000)]
    edited_words = ["changed" if i % 50 == 0 else w for i, w in enumerate(words)]
    original = "".join(w + ("\n" if i % 12 == 11 else " ") for i, w in enumerate(words))
    edited = "".join(w + ("\n" if i % 12 == 11 else " ") for i, w in enumerate(edited_words))
    started = time.perf_counter()
    runs = word_diff(original, edited)
    assert time.perf_counter() - started < 2.0
    assert "".join(text for op, text in runs if op != "insert") == original
    assert "".join(text for op, text in runs if op != "delete") == edited
    assert edit_stats(original, edited)["ratio"] > 0.95
