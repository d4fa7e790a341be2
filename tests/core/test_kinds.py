"""Table-driven validation of the label and pairwise task kinds."""

from __future__ import annotations

from typing import Any

import pytest

from expertloop.core.errors import Invalid
from expertloop.core.kinds import get_kind

LABEL_SPECS: list[tuple[Any, str | None]] = [
    ({"labels": ["yes", "no"]}, None),
    ({"labels": ["a", "b", "c"], "multiple": True, "min_rationale_chars": 20}, None),
    ({"labels": ["only"]}, "spec.labels"),
    ({"labels": "yes,no"}, "spec.labels"),
    ({"labels": ["yes", "yes"]}, "spec.labels[1]"),
    ({"labels": ["yes", ""]}, "spec.labels[1]"),
    ({"labels": ["yes", 3]}, "spec.labels[1]"),
    ({"labels": ["yes", "no"], "multiple": "no"}, "spec.multiple"),
    ({"labels": ["yes", "no"], "min_rationale_chars": -1}, "spec.min_rationale_chars"),
    ({"labels": ["yes", "no"], "colour": "red"}, "spec.colour"),
    (["yes", "no"], "spec"),
]

PAIRWISE_SPECS: list[tuple[Any, str | None]] = [
    ({}, None),
    ({"min_rationale_chars": 30}, None),
    ({"min_rationale_chars": "30"}, "spec.min_rationale_chars"),
    ({"min_rationale_chars": True}, "spec.min_rationale_chars"),
    ({"labels": ["a", "b"]}, "spec.labels"),
]


@pytest.mark.parametrize(
    ("kind", "spec", "field"),
    [
        *[("label", spec, field) for spec, field in LABEL_SPECS],
        *[("pairwise", spec, field) for spec, field in PAIRWISE_SPECS],
    ],
)
def test_validate_spec_names_the_field(kind: str, spec: Any, field: str | None) -> None:
    if field is None:
        normalised = get_kind(kind).validate_spec(spec)
        assert normalised["min_rationale_chars"] == spec.get("min_rationale_chars", 0)
        return
    with pytest.raises(Invalid) as raised:
        get_kind(kind).validate_spec(spec)
    assert raised.value.code == "project.invalid_spec"
    assert field in [e.field for e in raised.value.errors]


SINGLE = {"labels": ["yes", "no", "unsure"], "multiple": False, "min_rationale_chars": 0}
MULTI = {**SINGLE, "multiple": True, "min_rationale_chars": 5}

LABEL_VALUES: list[tuple[dict[str, Any], Any, str, str | None]] = [
    (SINGLE, {"labels": ["yes"]}, "", None),
    (MULTI, {"labels": ["yes", "unsure"]}, "because", None),
    (SINGLE, {"labels": ["yes", "no"]}, "", "value.labels"),
    (SINGLE, {"labels": []}, "", "value.labels"),
    (SINGLE, {"labels": "yes"}, "", "value.labels"),
    (SINGLE, {"labels": ["maybe"]}, "", "value.labels[0]"),
    (MULTI, {"labels": ["yes", "yes"]}, "because", "value.labels[1]"),
    (MULTI, {"labels": ["yes"]}, "   no   ", "rationale"),
    (SINGLE, {"labels": ["yes"], "extra": 1}, "", "value.extra"),
    (SINGLE, {}, "", "value.labels"),
]


@pytest.mark.parametrize(("spec", "value", "rationale", "field"), LABEL_VALUES)
def test_validate_label_value(spec: Any, value: Any, rationale: str, field: str | None) -> None:
    kind = get_kind("label")
    if field is None:
        assert kind.validate_value(spec, value, rationale) == {"labels": value["labels"]}
        return
    with pytest.raises(Invalid) as raised:
        kind.validate_value(spec, value, rationale)
    assert raised.value.code == "judgment.invalid_value"
    assert field in [e.field for e in raised.value.errors]


PAIR = {"min_rationale_chars": 10}
PAIRWISE_VALUES: list[tuple[Any, str, str | None]] = [
    ({"choice": "A", "strength": 3}, "A cites the trial", None),
    ({"choice": "B", "strength": 1}, "B is more careful", None),
    ({"choice": "tie"}, "both are equally good", None),
    ({"choice": "tie", "strength": 2}, "both are equally good", None),
    ({"choice": "a", "strength": 1}, "lowercase choice here", "value.choice"),
    ({"choice": "C", "strength": 1}, "no such response here", "value.choice"),
    ({"choice": "A"}, "strength is missing", "value.strength"),
    ({"choice": "A", "strength": 4}, "strength is too high", "value.strength"),
    ({"choice": "A", "strength": True}, "strength is a bool", "value.strength"),
    ({"choice": "A", "strength": 2}, "short", "rationale"),
]


@pytest.mark.parametrize(("value", "rationale", "field"), PAIRWISE_VALUES)
def test_validate_pairwise_value(value: Any, rationale: str, field: str | None) -> None:
    kind = get_kind("pairwise")
    if field is None:
        clean = kind.validate_value(PAIR, value, rationale)
        assert clean == {"choice": value["choice"], "strength": value.get("strength")}
        return
    with pytest.raises(Invalid) as raised:
        kind.validate_value(PAIR, value, rationale)
    assert field in [e.field for e in raised.value.errors]


def test_get_kind_unknown_names_known_kinds() -> None:
    with pytest.raises(Invalid) as raised:
        get_kind("essay")
    assert raised.value.code == "project.unknown_kind"
    assert "label" in raised.value.message and "pairwise" in raised.value.message


def test_every_registered_kind_has_the_whole_protocol() -> None:
    from expertloop.core.kinds import KINDS

    assert len(KINDS) == 10
    for name, kind in KINDS.items():
        assert kind.name == name
        for method in ("validate_spec", "check_item", "validate_value", "check_value_against_item"):
            assert callable(getattr(kind, method)), (name, method)


@pytest.mark.parametrize(
    ("kind", "spec", "value"),
    [("label", SINGLE, {"labels": ["yes"]}), ("pairwise", PAIR, {"choice": "tie"})],
)
def test_label_and_pairwise_values_need_nothing_from_the_item(
    kind: str, spec: dict[str, Any], value: dict[str, Any]
) -> None:
    responses = [{"id": "A", "text": "a", "model": None}, {"id": "B", "text": "b", "model": None}]
    clean = get_kind(kind).validate_value(spec, value, "a long enough rationale")
    assert get_kind(kind).check_value_against_item(spec, clean, responses, {}) == []
