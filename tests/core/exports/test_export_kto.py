"""KTO rows: pairwise sides and rubric thresholds, flags and conversational form."""

from __future__ import annotations

from typing import Any

import pytest
from export_data import CHAT, PAIR, assert_provenance, consensus, item, judgment

from expertloop.core.exports import kto
from expertloop.core.exports.common import is_chat
from expertloop.core.exports.records import ExportOptions


def _labels(rows: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    return [(r["completion"], r["label"]) for r in rows]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("A", [("Paris.", True), ("Lyon.", False)]),
        ("B", [("Lyon.", True), ("Paris.", False)]),
        ("tie", []),
    ],
)
def test_pairwise_gives_chosen_true_and_rejected_false(
    choice: str, expected: list[tuple[str, bool]]
) -> None:
    votes = [judgment("e-1", {"choice": choice, "strength": 2})]
    out = list(kto.rows(item("pairwise", responses=PAIR), votes, consensus({"choice": choice})))
    assert _labels(out) == expected
    for row in out:
        assert row["prompt"] == "Capital of France?"
        assert_provenance(row, ["e-1"])


def _rubric(scores: dict[str, list[int]], flags: list[str] | None = None) -> dict[str, Any]:
    return {
        "scores": {r: {f"c{i}": {"score": s} for i, s in enumerate(v)} for r, v in scores.items()},
        "flags": [{"response": r, "flag": "unsafe"} for r in flags or []],
    }


RUBRICS: list[tuple[list[dict[str, Any]], ExportOptions, list[tuple[str, bool]]]] = [
    # e-1: A mean 4.5, B mean 3; e-2: A 3.5, B 2 -> panel A 4.0 (True at 4.0), B 2.5
    (
        [_rubric({"A": [5, 4], "B": [3, 3]}), _rubric({"A": [4, 3], "B": [2, 2]})],
        ExportOptions(),
        [("Paris.", True), ("Lyon.", False)],
    ),
    (
        [_rubric({"A": [5, 4], "B": [3, 3]}), _rubric({"A": [4, 3], "B": [2, 2]})],
        ExportOptions(kto_threshold=2.5),
        [("Paris.", True), ("Lyon.", True)],
    ),
    (
        [_rubric({"A": [5, 5], "B": [1, 1]}, flags=["A"])],
        ExportOptions(),
        [("Paris.", False), ("Lyon.", False)],
    ),
    (
        [_rubric({"A": [5, 5], "B": [1, 1]}, flags=["A"])],
        ExportOptions(flagged_undesirable=False),
        [("Paris.", True), ("Lyon.", False)],
    ),
    (
        [_rubric({"A": [5, 4], "B": [3, 3]}), _rubric({"A": [4, 3], "B": [2, 2]})],
        ExportOptions(per_judgment=True),
        [("Paris.", True), ("Lyon.", False), ("Paris.", False), ("Lyon.", False)],
    ),
]


@pytest.mark.parametrize(("values", "options", "expected"), RUBRICS)
def test_rubric_labels_by_mean_score(
    values: list[dict[str, Any]], options: ExportOptions, expected: list[tuple[str, bool]]
) -> None:
    votes = [judgment(f"e-{i}", v) for i, v in enumerate(values, 1)]
    out = list(kto.rows(item("rubric", responses=PAIR), votes, None, options=options))
    assert _labels(out) == expected
    for row in out:
        assert "score" in row["provenance"] and row["provenance"]["response"] in {"A", "B"}


def test_rubric_prefers_the_consensus_means() -> None:
    votes = [judgment("e-1", _rubric({"A": [1, 1], "B": [5, 5]}))]
    agreed = consensus({"scores": {"A": {"c0": 4.5, "c1": 3.5}, "B": {"c0": 3.9, "c1": 3.9}}})
    out = list(kto.rows(item("rubric", responses=PAIR), votes, agreed))
    assert _labels(out) == [("Paris.", True), ("Lyon.", False)]
    assert [r["provenance"]["score"] for r in out] == [4.0, pytest.approx(3.9)]
    assert_provenance(out[0], ["e-1"])


def test_conversational_kto_rows() -> None:
    votes = [judgment("e-1", _rubric({"A": [5], "B": [1]}))]
    out = list(kto.rows(item("rubric", CHAT, responses=PAIR), votes, None))
    assert all(is_chat(r["prompt"]) and is_chat(r["completion"]) for r in out)
    assert out[0]["completion"] == [{"role": "assistant", "content": "Paris."}]


def test_kto_ignores_other_kinds() -> None:
    votes = [judgment("e-1", {"edited": "x"})]
    assert list(kto.rows(item("correction", responses=PAIR), votes, None)) == []


def test_rubric_skips_unknown_responses_and_missing_scores() -> None:
    value = {"scores": {"A": {"c0": {"score": 5}}, "B": {"c0": {}}, "Z": {"c0": {"score": 5}}}}
    out = list(kto.rows(item("rubric", responses=PAIR), [judgment("e-1", value)], None))
    assert _labels(out) == [("Paris.", True)]
