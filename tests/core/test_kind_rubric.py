"""Table-driven validation of the rubric kind: criteria, scores per response, escalation flags."""

from __future__ import annotations

from typing import Any

import pytest
from kindcheck import check_spec, check_value, fields

from expertloop.core.kinds import get_kind
from expertloop.core.kinds.rubric import is_escalated

KIND = get_kind("rubric")
ACCURACY = {
    "id": "accuracy",
    "name": "Accuracy",
    "description": "Facts match the current guideline.",
    "scale": {"min": 1, "max": 5},
    "points": {"1": "dangerous errors", "5": "fully correct"},
}
SAFETY = {"id": "safety", "scale": {"min": 0, "max": 2}}
SPEC = {"criteria": [ACCURACY, SAFETY]}


def criterion(**changes: Any) -> dict[str, Any]:
    return {**ACCURACY, **changes}


SPECS: list[tuple[Any, str | None]] = [
    (SPEC, None),
    ({"criteria": [{"id": "clarity"}], "flags": [], "min_rationale_chars": 10}, None),
    ({"criteria": [criterion(points={1: "bad", "3": "fine"})]}, None),
    ({}, "spec.criteria"),
    ({"criteria": []}, "spec.criteria"),
    ({"criteria": [{"id": f"c{i}"} for i in range(21)]}, "spec.criteria"),
    ({"criteria": ["accuracy"]}, "spec.criteria[0]"),
    ({"criteria": [ACCURACY, criterion(name="Again")]}, "spec.criteria[1].id"),
    ({"criteria": [criterion(id="has space")]}, "spec.criteria[0].id"),
    ({"criteria": [criterion(id="")]}, "spec.criteria[0].id"),
    ({"criteria": [criterion(name="")]}, "spec.criteria[0].name"),
    ({"criteria": [criterion(description=3)]}, "spec.criteria[0].description"),
    ({"criteria": [criterion(scale={"min": 3, "max": 3})]}, "spec.criteria[0].scale"),
    ({"criteria": [criterion(scale={"min": 1, "max": 11})]}, "spec.criteria[0].scale.max"),
    ({"criteria": [criterion(scale={"min": -1, "max": 4})]}, "spec.criteria[0].scale.min"),
    (
        {"criteria": [criterion(scale={"min": 1, "max": 4, "step": 1})]},
        "spec.criteria[0].scale.step",
    ),
    ({"criteria": [criterion(scale=[1, 5])]}, "spec.criteria[0].scale"),
    ({"criteria": [criterion(points={"6": "beyond"})]}, "spec.criteria[0].points.6"),
    ({"criteria": [criterion(points={"one": "bad"})]}, "spec.criteria[0].points.one"),
    ({"criteria": [criterion(points={"2": ""})]}, "spec.criteria[0].points.2"),
    ({"criteria": [criterion(points={"2": "x", 2: "y"})]}, "spec.criteria[0].points.2"),
    ({"criteria": [criterion(points=["bad"])]}, "spec.criteria[0].points"),
    ({"criteria": [criterion(weight=2)]}, "spec.criteria[0].weight"),
    ({**SPEC, "flags": ["unsafe", "unsafe"]}, "spec.flags[1]"),
    ({**SPEC, "flags": "unsafe"}, "spec.flags"),
    ({**SPEC, "min_rationale_chars": "5"}, "spec.min_rationale_chars"),
    ({**SPEC, "version": 2}, "spec.version"),
]


@pytest.mark.parametrize(("spec", "field"), SPECS)
def test_validate_spec_names_the_field(spec: Any, field: str | None) -> None:
    check_spec("rubric", spec, field)


def test_validate_spec_fills_defaults_and_normalises_points() -> None:
    spec = KIND.validate_spec({"criteria": [{"id": "clarity", "points": {5: "clear", "1": "x"}}]})
    assert spec == {
        "criteria": [
            {
                "id": "clarity",
                "name": "clarity",
                "description": "",
                "scale": {"min": 1, "max": 5},
                "points": {"1": "x", "5": "clear"},
            }
        ],
        "flags": ["unsafe", "policy_violation", "privacy_leak"],
        "min_rationale_chars": 0,
    }


def scores(a: int = 4, s: int = 2, **extra: Any) -> dict[str, Any]:
    return {
        "A": {"accuracy": {"score": a, "comment": "cites the label"}, "safety": {"score": s}},
        "B": {"accuracy": {"score": 2}, "safety": {"score": 0}},
        **extra,
    }


VALUES: list[tuple[Any, str, str | None]] = [
    ({"scores": scores()}, "", None),
    (
        {"scores": scores(), "flags": [{"response": "B", "flag": "unsafe", "note": "dose"}]},
        "",
        None,
    ),
    ({"scores": scores(a=6)}, "", "value.scores.A.accuracy.score"),
    ({"scores": scores(a=0)}, "", "value.scores.A.accuracy.score"),
    ({"scores": scores(s=True)}, "", "value.scores.A.safety.score"),
    ({"scores": scores(s="2")}, "", "value.scores.A.safety.score"),
    ({"scores": {"A": {"accuracy": {"score": 3}}}}, "", "value.scores.A.safety"),
    (
        {"scores": {"A": {"accuracy": {}, "safety": {"score": 1}}}},
        "",
        "value.scores.A.accuracy.score",
    ),
    ({"scores": {"A": {"accuracy": 3, "safety": {"score": 1}}}}, "", "value.scores.A.accuracy"),
    (
        {
            "scores": scores(
                C={"accuracy": {"score": 1}, "safety": {"score": 0}, "tone": {"score": 1}}
            )
        },
        "",
        "value.scores.C.tone",
    ),
    ({"scores": scores(C=[1, 2])}, "", "value.scores.C"),
    (
        {"scores": {"A": {"accuracy": {"score": 3, "comment": 5}, "safety": {"score": 1}}}},
        "",
        "value.scores.A.accuracy.comment",
    ),
    (
        {"scores": {"A": {"accuracy": {"score": 3, "why": ""}, "safety": {"score": 1}}}},
        "",
        "value.scores.A.accuracy.why",
    ),
    ({"scores": {}}, "", "value.scores"),
    ({}, "", "value.scores"),
    ({"scores": scores(), "flags": [{"response": "B", "flag": "rude"}]}, "", "value.flags[0].flag"),
    (
        {"scores": scores(), "flags": [{"response": 1, "flag": "unsafe"}]},
        "",
        "value.flags[0].response",
    ),
    (
        {"scores": scores(), "flags": [{"response": "B", "flag": "unsafe"}] * 2},
        "",
        "value.flags[1].flag",
    ),
    ({"scores": scores(), "flags": ["unsafe"]}, "", "value.flags[0]"),
    ({"scores": scores(), "flags": {"B": "unsafe"}}, "", "value.flags"),
    (
        {"scores": scores(), "flags": [{"response": "B", "flag": "unsafe", "by": "me"}]},
        "",
        "value.flags[0].by",
    ),
    ({"scores": scores(), "extra": 1}, "", "value.extra"),
]


@pytest.mark.parametrize(("value", "rationale", "field"), VALUES)
def test_validate_value_names_the_field(value: Any, rationale: str, field: str | None) -> None:
    check_value("rubric", SPEC, value, rationale, field)


def test_validate_value_normalises_scores_and_flags() -> None:
    spec = KIND.validate_spec({**SPEC, "min_rationale_chars": 5})
    value = {"scores": scores(), "flags": [{"response": "B", "flag": "unsafe"}]}
    clean = KIND.validate_value(spec, value, "B doses wrongly")
    assert clean["scores"]["A"] == {
        "accuracy": {"score": 4, "comment": "cites the label"},
        "safety": {"score": 2, "comment": None},
    }
    assert clean["flags"] == [{"response": "B", "flag": "unsafe", "note": None}]
    assert is_escalated(clean)
    assert not is_escalated(KIND.validate_value(spec, {"scores": scores()}, "B doses wrongly"))


def responses(*ids: str) -> list[dict[str, Any]]:
    return [{"id": i, "text": f"answer {i}", "model": None} for i in ids]


@pytest.mark.parametrize(
    ("items", "expected"),
    [(responses("A"), []), (responses(*"ABCDEFGHI"), []), ([], ["responses"])],
)
def test_check_item_needs_one_to_nine_responses(items: list[Any], expected: list[str]) -> None:
    assert fields(KIND.check_item(KIND.validate_spec(SPEC), items, {})) == expected


AGAINST: list[tuple[list[str], list[dict[str, Any]], list[str]]] = [
    (["A", "B"], [], []),
    (["A", "B"], [{"response": "A", "flag": "unsafe"}], []),
    (["A", "B", "C"], [], ["value.scores.C"]),
    (["A"], [], ["value.scores.B"]),
    (["A", "B"], [{"response": "Z", "flag": "unsafe"}], ["value.flags[0].response"]),
]


@pytest.mark.parametrize(("item_ids", "flags", "expected"), AGAINST)
def test_check_value_against_item_needs_every_response_scored(
    item_ids: list[str], flags: list[dict[str, Any]], expected: list[str]
) -> None:
    spec = KIND.validate_spec(SPEC)
    value = KIND.validate_value(spec, {"scores": scores(), "flags": flags}, "")
    assert fields(KIND.check_value_against_item(spec, value, responses(*item_ids), {})) == expected


def test_is_escalated_without_flags_key() -> None:
    assert not is_escalated({"scores": {}})
