"""Table-driven validation of the cluster_review kind: members, names and outliers."""

from __future__ import annotations

from typing import Any

import pytest
from kindcheck import check_spec, check_value, fields

from expertloop.core.kinds import get_kind

KIND = get_kind("cluster_review")

SPECS: list[tuple[Any, str | None]] = [
    ({}, None),
    ({"require_name": False, "min_rationale_chars": 8}, None),
    ({"require_name": "yes"}, "spec.require_name"),
    ({"min_rationale_chars": -3}, "spec.min_rationale_chars"),
    ({"max_outliers": 3}, "spec.max_outliers"),
]


@pytest.mark.parametrize(("spec", "field"), SPECS)
def test_validate_spec_names_the_field(spec: Any, field: str | None) -> None:
    normalised = check_spec("cluster_review", spec, field)
    if normalised is not None:
        assert normalised == {"require_name": True, "min_rationale_chars": 0} | spec


NO_NAME = {"require_name": False}
VALUES: list[tuple[dict[str, Any], Any, str, str | None]] = [
    ({}, {"coherent": True, "name": "Billing disputes", "outliers": ["m3"]}, "", None),
    ({}, {"coherent": False, "outliers": []}, "", None),
    ({}, {"coherent": False}, "", None),
    (NO_NAME, {"coherent": True}, "", None),
    ({}, {"coherent": True, "outliers": []}, "", "value.name"),
    ({}, {"coherent": True, "name": "   "}, "", "value.name"),
    ({}, {"coherent": True, "name": 5}, "", "value.name"),
    ({}, {"coherent": True, "name": "x" * 201}, "", "value.name"),
    ({}, {"coherent": "yes", "name": "Billing"}, "", "value.coherent"),
    ({}, {"name": "Billing"}, "", "value.coherent"),
    ({}, {"coherent": False, "outliers": "m3"}, "", "value.outliers"),
    ({}, {"coherent": False, "outliers": ["m3", "m3"]}, "", "value.outliers[1]"),
    ({}, {"coherent": False, "outliers": ["m3", 4]}, "", "value.outliers[1]"),
    ({}, {"coherent": False, "outliers": [""]}, "", "value.outliers[0]"),
    ({"min_rationale_chars": 4}, {"coherent": False}, "", "rationale"),
    ({}, {"coherent": False, "split": True}, "", "value.split"),
]


@pytest.mark.parametrize(("spec", "value", "rationale", "field"), VALUES)
def test_validate_value_names_the_field(
    spec: dict[str, Any], value: Any, rationale: str, field: str | None
) -> None:
    clean = check_value("cluster_review", spec, value, rationale, field)
    if clean is not None:
        assert clean == {"name": None, "outliers": []} | value


def test_validate_value_strips_the_name() -> None:
    spec = KIND.validate_spec({})
    clean = KIND.validate_value(spec, {"coherent": True, "name": "  Billing  "}, "")
    assert clean == {"coherent": True, "name": "Billing", "outliers": []}


def members(count: int) -> list[dict[str, str]]:
    return [{"id": f"m{i}", "text": f"ticket {i}"} for i in range(count)]


ITEMS: list[tuple[Any, list[str]]] = [
    ({"members": members(2)}, []),
    ({"members": members(500), "proposed_name": "Refunds"}, []),
    ({"members": [*members(1), {"id": "m1", "text": ""}]}, []),
    ({}, ["data.members"]),
    ({"members": members(1)}, ["data.members"]),
    ({"members": members(501)}, ["data.members"]),
    ({"members": [*members(2), {"id": "m0", "text": "again"}]}, ["data.members[2].id"]),
    ({"members": [*members(2), {"id": 3, "text": "int id"}]}, ["data.members[2].id"]),
    ({"members": [*members(2), {"id": "m9"}]}, ["data.members[2].text"]),
    ({"members": [*members(2), "m9"]}, ["data.members[2]"]),
    ({"members": [*members(2), {"id": "m9", "text": "x", "score": 1}]}, ["data.members[2].score"]),
    ({"members": members(2), "proposed_name": ""}, ["data.proposed_name"]),
    ({"members": members(2), "centroid": [0.1]}, ["data.centroid"]),
]


@pytest.mark.parametrize(("data", "expected"), ITEMS)
def test_check_item_reads_the_members(data: dict[str, Any], expected: list[str]) -> None:
    assert fields(KIND.check_item(KIND.validate_spec({}), [], data)) == expected


@pytest.mark.parametrize(
    ("outliers", "expected"),
    [
        ([], []),
        (["m0", "m2"], []),
        (["m0", "m7"], ["value.outliers[1]"]),
        (["x", "m1", "y"], ["value.outliers[0]", "value.outliers[2]"]),
    ],
)
def test_check_value_against_item_needs_members_as_outliers(
    outliers: list[str], expected: list[str]
) -> None:
    spec = KIND.validate_spec({})
    value = KIND.validate_value(spec, {"coherent": False, "outliers": outliers}, "")
    errors = KIND.check_value_against_item(spec, value, [], {"members": members(3)})
    assert fields(errors) == expected
