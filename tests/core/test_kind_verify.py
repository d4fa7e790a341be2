"""Table-driven validation of the verify kind: predictions, verdicts and corrections."""

from __future__ import annotations

from typing import Any

import pytest
from kindcheck import check_spec, check_value, fields

from expertloop.core.kinds import get_kind

KIND = get_kind("verify")
LABELS = {"labels": ["benign", "malignant", "unclear"]}

SPECS: list[tuple[Any, str | None]] = [
    ({}, None),
    (LABELS, None),
    ({"labels": None, "min_rationale_chars": 12}, None),
    ({"labels": []}, "spec.labels"),
    ({"labels": "benign"}, "spec.labels"),
    ({"labels": ["benign", "benign"]}, "spec.labels[1]"),
    ({"labels": ["benign", ""]}, "spec.labels[1]"),
    ({"min_rationale_chars": 2.0}, "spec.min_rationale_chars"),
    ({"threshold": 0.5}, "spec.threshold"),
]


@pytest.mark.parametrize(("spec", "field"), SPECS)
def test_validate_spec_names_the_field(spec: Any, field: str | None) -> None:
    normalised = check_spec("verify", spec, field)
    if normalised is not None:
        assert normalised == {"labels": None, "min_rationale_chars": 0} | spec


VALUES: list[tuple[dict[str, Any], Any, str, str | None]] = [
    ({}, {"verdict": "accept"}, "", None),
    ({}, {"verdict": "reject", "correction": None}, "", None),
    ({}, {"verdict": "correct", "correction": "anything free-form"}, "", None),
    (LABELS, {"verdict": "correct", "correction": "malignant"}, "", None),
    (LABELS, {"verdict": "correct", "correction": "cancer"}, "", "value.correction"),
    ({}, {"verdict": "correct"}, "", "value.correction"),
    ({}, {"verdict": "correct", "correction": "  "}, "", "value.correction"),
    ({}, {"verdict": "correct", "correction": 3}, "", "value.correction"),
    ({}, {"verdict": "accept", "correction": "benign"}, "", "value.correction"),
    ({}, {"verdict": "Accept"}, "", "value.verdict"),
    ({}, {}, "", "value.verdict"),
    ({"min_rationale_chars": 3}, {"verdict": "reject"}, "", "rationale"),
    ({}, {"verdict": "accept", "confidence": 1}, "", "value.confidence"),
]


@pytest.mark.parametrize(("spec", "value", "rationale", "field"), VALUES)
def test_validate_value_names_the_field(
    spec: dict[str, Any], value: Any, rationale: str, field: str | None
) -> None:
    clean = check_value("verify", spec, value, rationale, field)
    if clean is not None:
        assert clean == {"correction": None} | value


PREDICTION = {"label": "benign", "model": "derm-v2", "confidence": 0.83}
ITEMS: list[tuple[Any, list[str]]] = [
    ({"prediction": PREDICTION}, []),
    ({"prediction": {"label": "not in the label set"}}, []),
    ({"prediction": {"label": "benign", "confidence": 0}}, []),
    ({"prediction": {"label": "benign", "confidence": 1}}, []),
    ({}, ["data.prediction"]),
    ({"prediction": "benign"}, ["data.prediction"]),
    ({"prediction": {"label": ""}}, ["data.prediction.label"]),
    ({"prediction": {"label": 1}}, ["data.prediction.label"]),
    ({"prediction": {"label": "benign", "confidence": 1.2}}, ["data.prediction.confidence"]),
    ({"prediction": {"label": "benign", "confidence": "high"}}, ["data.prediction.confidence"]),
    ({"prediction": {"label": "benign", "model": 7}}, ["data.prediction.model"]),
    ({"prediction": {"label": "benign", "logits": []}}, ["data.prediction.logits"]),
    ({"prediction": PREDICTION, "input": "x"}, ["data.input"]),
]


@pytest.mark.parametrize(("data", "expected"), ITEMS)
def test_check_item_reads_the_prediction(data: dict[str, Any], expected: list[str]) -> None:
    assert fields(KIND.check_item(KIND.validate_spec(LABELS), [], data)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"verdict": "correct", "correction": "malignant"}, []),
        ({"verdict": "correct", "correction": "benign"}, ["value.correction"]),
        ({"verdict": "accept"}, []),
        ({"verdict": "reject"}, []),
    ],
)
def test_check_value_against_item_needs_a_different_correction(
    value: dict[str, Any], expected: list[str]
) -> None:
    spec = KIND.validate_spec(LABELS)
    clean = KIND.validate_value(spec, value, "")
    data = {"prediction": PREDICTION}
    assert fields(KIND.check_value_against_item(spec, clean, [], data)) == expected
