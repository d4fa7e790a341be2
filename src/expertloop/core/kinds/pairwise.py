"""``pairwise``: the expert prefers response A, B or neither (tie), says how strongly and why.

Spec: ``{"min_rationale_chars": 0}``. Items carry exactly two responses, A first.
Value: ``{"choice": "A" | "B" | "tie", "strength": 1 | 2 | 3}``; strength is optional for a tie.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from expertloop.core.errors import FieldError
from expertloop.core.kinds.base import JSON, BaseKind, Checker, require_mapping

CHOICES = ("A", "B", "tie")
STRENGTHS = (1, 2, 3)


class PairwiseKind(BaseKind):
    """Preference between two responses, with strength and rationale."""

    name = "pairwise"

    def validate_spec(self, spec: Mapping[str, Any]) -> JSON:
        spec = require_mapping(spec, "project.invalid_spec", "spec")
        check = Checker("project.invalid_spec")
        check.unknown_keys(spec, {"min_rationale_chars"}, "spec")
        minimum = check.int_in(spec, "min_rationale_chars", "spec", 0, 10_000, 0)
        check.raise_if_any()
        return {"min_rationale_chars": minimum}

    def check_item(self, spec: JSON, responses: list[JSON], data: JSON) -> list[FieldError]:
        if len(responses) != 2:
            return [
                FieldError(field="responses", message="a pairwise item needs exactly 2 responses")
            ]
        return []

    def validate_value(self, spec: JSON, value: Mapping[str, Any], rationale: str) -> JSON:
        value = require_mapping(value, "judgment.invalid_value", "value")
        check = Checker("judgment.invalid_value")
        check.unknown_keys(value, {"choice", "strength"}, "value")
        choice = value.get("choice")
        if choice not in CHOICES:
            check.fail("value.choice", "must be one of A, B, tie")
        strength = value.get("strength")
        if strength is None and choice == "tie":
            pass
        elif isinstance(strength, bool) or strength not in STRENGTHS:
            check.fail("value.strength", "must be 1, 2 or 3")
        check.rationale(rationale, spec["min_rationale_chars"])
        check.raise_if_any()
        return {"choice": choice, "strength": strength}
