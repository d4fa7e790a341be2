"""``label``: the expert picks one class (or several) for an item, with a rationale.

Spec: ``{"labels": ["..."], "multiple": false, "min_rationale_chars": 0}``.
Value: ``{"labels": ["..."]}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from expertloop.core.kinds.base import JSON, BaseKind, Checker, require_mapping

MAX_LABELS = 200
MAX_LABEL_CHARS = 200


class LabelKind(BaseKind):
    """Classification with a fixed label set, single or multiple choice."""

    name = "label"

    def validate_spec(self, spec: Mapping[str, Any]) -> JSON:
        spec = require_mapping(spec, "project.invalid_spec", "spec")
        check = Checker("project.invalid_spec")
        check.unknown_keys(spec, {"labels", "multiple", "min_rationale_chars"}, "spec")
        labels = spec.get("labels")
        if not isinstance(labels, list) or not 2 <= len(labels) <= MAX_LABELS:
            check.fail("spec.labels", f"must be a list of 2 to {MAX_LABELS} labels")
            labels = []
        for index, label in enumerate(labels):
            if not isinstance(label, str) or not label.strip() or len(label) > MAX_LABEL_CHARS:
                check.fail(f"spec.labels[{index}]", "must be a non-empty string")
            elif labels.index(label) != index:
                check.fail(f"spec.labels[{index}]", f"repeats the label {label!r}")
        multiple = spec.get("multiple", False)
        if not isinstance(multiple, bool):
            check.fail("spec.multiple", "must be true or false")
        minimum = check.int_in(spec, "min_rationale_chars", "spec", 0, 10_000, 0)
        check.raise_if_any()
        return {"labels": list(labels), "multiple": multiple, "min_rationale_chars": minimum}

    def validate_value(self, spec: JSON, value: Mapping[str, Any], rationale: str) -> JSON:
        value = require_mapping(value, "judgment.invalid_value", "value")
        check = Checker("judgment.invalid_value")
        check.unknown_keys(value, {"labels"}, "value")
        chosen = value.get("labels")
        if not isinstance(chosen, list) or not chosen:
            check.fail("value.labels", "must be a non-empty list of labels")
            chosen = []
        elif not spec["multiple"] and len(chosen) != 1:
            check.fail("value.labels", "this project takes exactly one label")
        for index, label in enumerate(chosen):
            if label not in spec["labels"]:
                check.fail(
                    f"value.labels[{index}]", f"{label!r} is not one of the project's labels"
                )
            elif chosen.index(label) != index:
                check.fail(f"value.labels[{index}]", f"repeats the label {label!r}")
        check.rationale(rationale, spec["min_rationale_chars"])
        check.raise_if_any()
        return {"labels": list(chosen)}
