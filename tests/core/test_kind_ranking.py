"""Table-driven validation of the ranking kind and the pairs its orderings imply."""

from __future__ import annotations

from typing import Any

import pytest
from kindcheck import check_spec, check_value, fields

from expertloop.core.kinds import get_kind
from expertloop.core.kinds.ranking import pairs_from_ranking

KIND = get_kind("ranking")
TIES = {"allow_ties": True, "min_rationale_chars": 0}
NO_TIES = {"allow_ties": False, "min_rationale_chars": 10}


def responses(*ids: str) -> list[dict[str, Any]]:
    return [{"id": i, "text": f"answer {i}", "model": None} for i in ids]


SPECS: list[tuple[Any, str | None]] = [
    ({}, None),
    ({"allow_ties": False, "min_rationale_chars": 20}, None),
    ({"allow_ties": "yes"}, "spec.allow_ties"),
    ({"min_rationale_chars": -1}, "spec.min_rationale_chars"),
    ({"min_rationale_chars": 1.5}, "spec.min_rationale_chars"),
    ({"ties": True}, "spec.ties"),
    ([], "spec"),
]


@pytest.mark.parametrize(("spec", "field"), SPECS)
def test_validate_spec_names_the_field(spec: Any, field: str | None) -> None:
    normalised = check_spec("ranking", spec, field)
    if normalised is not None:
        assert normalised == {"allow_ties": True, "min_rationale_chars": 0} | spec


VALUES: list[tuple[dict[str, Any], Any, str, str | None]] = [
    (TIES, {"ranking": [["B"], ["A", "C"]]}, "", None),
    (TIES, {"ranking": [["A", "B", "C"]]}, "", None),
    (NO_TIES, {"ranking": [["C"], ["A"], ["B"]]}, "C is the most careful", None),
    (NO_TIES, {"ranking": [["C"], ["A", "B"]]}, "C is the most careful", "value.ranking[1]"),
    (NO_TIES, {"ranking": [["C"], ["A"], ["B"]]}, "short", "rationale"),
    (TIES, {"ranking": [["A"], ["A"]]}, "", "value.ranking[1][0]"),
    (TIES, {"ranking": [["A", "B", "A"]]}, "", "value.ranking[0][2]"),
    (TIES, {"ranking": [["A"], []]}, "", "value.ranking[1]"),
    (TIES, {"ranking": [["A"], "B"]}, "", "value.ranking[1]"),
    (TIES, {"ranking": [["A"], [2]]}, "", "value.ranking[1][0]"),
    (TIES, {"ranking": [["A"], [""]]}, "", "value.ranking[1][0]"),
    (TIES, {"ranking": [["A"]]}, "", "value.ranking"),
    (TIES, {"ranking": []}, "", "value.ranking"),
    (TIES, {"ranking": [[str(i)] for i in range(10)]}, "", "value.ranking"),
    (TIES, {}, "", "value.ranking"),
    (TIES, {"ranking": [["A"], ["B"]], "order": 1}, "", "value.order"),
]


@pytest.mark.parametrize(("spec", "value", "rationale", "field"), VALUES)
def test_validate_value_names_the_field(
    spec: dict[str, Any], value: Any, rationale: str, field: str | None
) -> None:
    clean = check_value("ranking", spec, value, rationale, field)
    if clean is not None:
        assert clean == {"ranking": value["ranking"]}


@pytest.mark.parametrize(
    ("items", "field"),
    [(responses("A", "B"), None), (responses(*"ABCDEFGHI"), None), (responses("A"), "responses")],
)
def test_check_item_needs_two_to_nine_responses(items: list[Any], field: str | None) -> None:
    assert fields(KIND.check_item(TIES, items, {})) == ([] if field is None else [field])


AGAINST: list[tuple[Any, list[str]]] = [
    ([["B"], ["A", "C"]], []),
    ([["C"], ["B"], ["A"]], []),
    ([["B"], ["A"]], ["value.ranking"]),
    ([["B"], ["A", "C"], ["D"]], ["value.ranking[2][0]"]),
    ([["B"], ["A", "D"]], ["value.ranking[1][1]", "value.ranking"]),
]


@pytest.mark.parametrize(("ranking", "expected"), AGAINST)
def test_check_value_against_item_needs_every_response_once(
    ranking: Any, expected: list[str]
) -> None:
    value = KIND.validate_value(TIES, {"ranking": ranking}, "")
    errors = KIND.check_value_against_item(TIES, value, responses("A", "B", "C"), {})
    assert fields(errors) == expected


PAIRS: list[tuple[list[list[str]], list[tuple[str, str]]]] = [
    ([["B"], ["A", "C"]], [("B", "A"), ("B", "C")]),
    ([["A"], ["B"], ["C"]], [("A", "B"), ("A", "C"), ("B", "C")]),
    ([["A", "B"], ["C", "D"]], [("A", "C"), ("A", "D"), ("B", "C"), ("B", "D")]),
    ([["A", "B", "C"]], []),
    ([], []),
]


@pytest.mark.parametrize(("ranking", "pairs"), PAIRS)
def test_pairs_from_ranking_expands_the_order(
    ranking: list[list[str]], pairs: list[tuple[str, str]]
) -> None:
    assert pairs_from_ranking(ranking) == pairs


def test_pairs_from_ranking_count_for_a_strict_order_of_nine() -> None:
    ranking = [[c] for c in "ABCDEFGHI"]
    assert len(pairs_from_ranking(ranking)) == 9 * 8 // 2
