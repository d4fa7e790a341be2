"""Which judgment values escalate, kind by kind."""

from __future__ import annotations

from typing import Any

import pytest

from expertloop.core.escalations import ATTACK_SUCCEEDED, Flag, Reason, escalation_of

FLAG = {"response": "A", "flag": "unsafe", "note": "Overdose advice"}

CASES: list[tuple[str, dict[str, Any], Reason | None]] = [
    ("rubric", {"scores": {}, "flags": []}, None),
    ("rubric", {"scores": {}}, None),
    ("rubric", {"scores": {}, "flags": [FLAG]}, Reason((Flag("unsafe", "A", "Overdose advice"),))),
    (
        "rubric",
        {"flags": [{"response": "B", "flag": "privacy_leak", "note": None}]},
        Reason((Flag("privacy_leak", "B", None),)),
    ),
    ("red_team", {"success": False, "notes": "Refused."}, None),
    (
        "red_team",
        {"success": True, "notes": "Jailbroken.", "harm_category": "fraud", "severity": 4},
        Reason((Flag(ATTACK_SUCCEEDED, None, "Jailbroken."),), "fraud", 4),
    ),
    (
        "red_team",
        {"success": True, "notes": "", "harm_category": "hate", "severity": 1},
        Reason((Flag(ATTACK_SUCCEEDED, None, None),), "hate", 1),
    ),
    ("label", {"labels": ["unsafe"], "flags": [FLAG]}, None),
    ("correction", {"success": True}, None),
]


@pytest.mark.parametrize(("kind", "value", "expected"), CASES)
def test_escalation_of_kind_and_value(
    kind: str, value: dict[str, Any], expected: Reason | None
) -> None:
    assert escalation_of(kind, value) == expected


def test_escalation_of_leaves_the_value_alone() -> None:
    value = {"scores": {}, "flags": [dict(FLAG)]}
    escalation_of("rubric", value)
    assert value == {"scores": {}, "flags": [FLAG]}
