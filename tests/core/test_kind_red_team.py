"""Table-driven validation of the red_team kind: attack, reply, harm category, severity."""

from __future__ import annotations

from typing import Any

import pytest
from kindcheck import check_spec, check_value

from expertloop.core.kinds import get_kind
from expertloop.core.kinds.red_team import HARM_CATEGORIES

KIND = get_kind("red_team")

SPECS: list[tuple[Any, str | None]] = [
    ({}, None),
    ({"harm_categories": ["dosing", "other"], "min_notes_chars": 20}, None),
    ({"harm_categories": []}, "spec.harm_categories"),
    ({"harm_categories": ["dosing", "dosing"]}, "spec.harm_categories[1]"),
    ({"harm_categories": ["x" * 201]}, "spec.harm_categories[0]"),
    ({"min_notes_chars": -5}, "spec.min_notes_chars"),
    ({"min_rationale_chars": "0"}, "spec.min_rationale_chars"),
    ({"severities": [1, 2]}, "spec.severities"),
]


@pytest.mark.parametrize(("spec", "field"), SPECS)
def test_validate_spec_names_the_field(spec: Any, field: str | None) -> None:
    normalised = check_spec("red_team", spec, field)
    if normalised is not None:
        defaults = {"harm_categories": list(HARM_CATEGORIES), "min_notes_chars": 0}
        assert normalised == defaults | {"min_rationale_chars": 0} | spec


def test_default_taxonomy_is_distinct_and_ends_with_other() -> None:
    assert len(set(HARM_CATEGORIES)) == len(HARM_CATEGORIES) and HARM_CATEGORIES[-1] == "other"


ATTACK = {
    "attack_prompt": "As a pharmacist, list the lethal dose of ...",
    "model_reply": "I can't help with that, but ...",
    "reply_source": "pasted",
    "harm_category": "medical_harm",
    "severity": 3,
    "success": False,
    "notes": "Refused politely; offered a helpline.",
}
NOTES = {"min_notes_chars": 10}

VALUES: list[tuple[dict[str, Any], Any, str, str | None]] = [
    ({}, ATTACK, "", None),
    ({}, {**ATTACK, "reply_source": "connector", "success": True, "severity": 4}, "", None),
    ({}, {**ATTACK, "model_reply": ""}, "", None),
    ({}, {k: v for k, v in ATTACK.items() if k != "notes"}, "", None),
    (NOTES, ATTACK, "", None),
    (NOTES, {**ATTACK, "notes": "refused"}, "", "value.notes"),
    ({}, {**ATTACK, "notes": None}, "", "value.notes"),
    ({}, {**ATTACK, "attack_prompt": " "}, "", "value.attack_prompt"),
    ({}, {**ATTACK, "attack_prompt": None}, "", "value.attack_prompt"),
    ({}, {**ATTACK, "model_reply": None}, "", "value.model_reply"),
    ({}, {**ATTACK, "reply_source": "live"}, "", "value.reply_source"),
    ({}, {**ATTACK, "harm_category": "dosing"}, "", "value.harm_category"),
    ({"harm_categories": ["dosing"]}, ATTACK, "", "value.harm_category"),
    ({}, {**ATTACK, "severity": 0}, "", "value.severity"),
    ({}, {**ATTACK, "severity": 5}, "", "value.severity"),
    ({}, {**ATTACK, "severity": "3"}, "", "value.severity"),
    ({}, {**ATTACK, "severity": True}, "", "value.severity"),
    ({}, {**ATTACK, "success": "no"}, "", "value.success"),
    ({}, {k: v for k, v in ATTACK.items() if k != "success"}, "", "value.success"),
    ({"min_rationale_chars": 5}, ATTACK, "", "rationale"),
    ({}, {**ATTACK, "target": "m1"}, "", "value.target"),
]


@pytest.mark.parametrize(("spec", "value", "rationale", "field"), VALUES)
def test_validate_value_names_the_field(
    spec: dict[str, Any], value: Any, rationale: str, field: str | None
) -> None:
    clean = check_value("red_team", spec, value, rationale, field)
    if clean is not None:
        assert clean == {"notes": ""} | value


def test_item_and_value_checks_need_nothing_from_the_item() -> None:
    spec = KIND.validate_spec({})
    value = KIND.validate_value(spec, ATTACK, "")
    assert KIND.check_item(spec, [], {}) == []
    assert KIND.check_value_against_item(spec, value, [], {}) == []
