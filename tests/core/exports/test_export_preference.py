"""Preference rows: pairwise consensus, per judgment, ranking expansion, corrections, margin."""

from __future__ import annotations

from typing import Any

import pytest
from export_data import CHAT, PAIR, assert_provenance, consensus, item, judgment

from expertloop.core.exports import preference
from expertloop.core.exports.common import is_chat
from expertloop.core.exports.records import ExportOptions

TRIO = [*PAIR, {"id": "C", "text": "Nice.", "model": "m3"}]
VOTES = [
    judgment("e-1", {"choice": "A", "strength": 3}),
    judgment("e-2", {"choice": "A", "strength": 2}),
    judgment("e-3", {"choice": "B", "strength": 1}),
    judgment("e-4", {"choice": "tie"}),
]


def _strip(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["chosen"], r["rejected"], r.get("margin")) for r in rows]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("A", [("Paris.", "Lyon.", 2.5)]),  # margin: mean of the agreeing strengths 3 and 2
        ("B", [("Lyon.", "Paris.", 1.0)]),
        ("tie", []),
    ],
)
def test_pairwise_rows_follow_the_consensus(choice: str, expected: list[tuple[Any, ...]]) -> None:
    source = item("pairwise", responses=PAIR)
    out = list(preference.rows(source, VOTES, consensus({"choice": choice}),
                               options=ExportOptions(margin=True)))  # fmt: skip
    assert _strip(out) == expected
    for row in out:
        assert row["prompt"] == "Capital of France?"
        assert_provenance(row, ["e-1", "e-2", "e-3", "e-4"])


def test_pairwise_without_consensus_gives_no_row() -> None:
    assert list(preference.rows(item("pairwise", responses=PAIR), VOTES, None)) == []


def test_pairwise_per_judgment_skips_ties_and_rejected() -> None:
    votes = [*VOTES, judgment("e-5", {"choice": "B", "strength": 2}, review_state="rejected")]
    options = ExportOptions(per_judgment=True, margin=True)
    out = list(preference.rows(item("pairwise", responses=PAIR), votes, None, options=options))
    assert _strip(out) == [
        ("Paris.", "Lyon.", 3.0),
        ("Paris.", "Lyon.", 2.0),
        ("Lyon.", "Paris.", 1.0),
    ]
    assert [r["provenance"]["experts"][0]["id"] for r in out] == ["e-1", "e-2", "e-3"]
    assert [r["provenance"]["chosen"] for r in out] == ["A", "A", "B"]


def test_margin_is_absent_unless_asked() -> None:
    row = next(preference.rows(item("pairwise", responses=PAIR), VOTES, consensus({"choice": "A"})))
    assert "margin" not in row


@pytest.mark.parametrize(("prompt", "flag"), [(CHAT, False), ("Capital of France?", True)])
def test_conversational_rows_use_messages(prompt: Any, flag: bool) -> None:
    source = item("pairwise", prompt, responses=PAIR)
    options = ExportOptions(conversational=flag)
    row = next(preference.rows(source, VOTES, consensus({"choice": "B"}), options=options))
    assert is_chat(row["prompt"]) and is_chat(row["chosen"]) and is_chat(row["rejected"])
    assert row["chosen"] == [{"role": "assistant", "content": "Lyon."}]
    assert row["rejected"] == [{"role": "assistant", "content": "Paris."}]
    assert row["prompt"][-1] == {"role": "user", "content": "Capital of France?"}


def test_standard_rows_are_strings() -> None:
    row = next(preference.rows(item("pairwise", responses=PAIR), VOTES, consensus({"choice": "A"})))
    assert not is_chat(row["prompt"]) and not is_chat(row["chosen"])


RANKINGS: list[tuple[list[list[str]], list[tuple[str, str, float]]]] = [
    ([["B"], ["A"], ["C"]], [("Lyon.", "Paris.", 1.0), ("Lyon.", "Nice.", 2.0),
                             ("Paris.", "Nice.", 1.0)]),
    ([["B"], ["A", "C"]], [("Lyon.", "Paris.", 1.0), ("Lyon.", "Nice.", 1.0)]),
    ([["A", "B", "C"]], []),
]  # fmt: skip


@pytest.mark.parametrize(("ranking", "expected"), RANKINGS)
def test_ranking_expands_pairs_from_the_consensus_order(
    ranking: list[list[str]], expected: list[tuple[str, str, float]]
) -> None:
    votes = [judgment("e-1", {"ranking": ranking})]
    source = item("ranking", responses=TRIO)
    options = ExportOptions(margin=True)
    out = list(preference.rows(source, votes, consensus({"ranking": ranking}), options=options))
    assert _strip(out) == expected
    for row in out:
        assert_provenance(row, ["e-1"])


def test_ranking_per_judgment_uses_each_order() -> None:
    votes = [judgment("e-1", {"ranking": [["A"], ["B"]]}),
             judgment("e-2", {"ranking": [["B"], ["A"]]})]  # fmt: skip
    options = ExportOptions(per_judgment=True)
    out = list(preference.rows(item("ranking", responses=PAIR), votes, None, options=options))
    assert _strip(out) == [("Paris.", "Lyon.", None), ("Lyon.", "Paris.", None)]


def test_correction_prefers_the_edit_over_the_original() -> None:
    votes = [
        judgment("e-1", {"edited": "Paris.", "error_types": ["factual"]}),
        judgment("e-2", {"edited": "Marseille.", "error_types": []}, review_state="rejected"),
    ]
    source = item("correction", responses=[{"id": "r1", "text": "Lyon.", "model": "m"}])
    out = list(preference.rows(source, votes, None, options=ExportOptions(margin=True)))
    assert _strip(out) == [("Paris.", "Lyon.", 1.0)]
    assert out[0]["provenance"]["rejected"] == "r1"
    assert_provenance(out[0], ["e-1"])


@pytest.mark.parametrize("kind", ["rubric", "demonstration", "step_review"])
def test_other_kinds_give_no_preference(kind: str) -> None:
    assert list(preference.rows(item(kind, responses=PAIR), VOTES, consensus({}))) == []
