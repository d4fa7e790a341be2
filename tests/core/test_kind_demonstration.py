"""Table-driven validation of the demonstration kind: single and multi-turn answers, integrity."""

from __future__ import annotations

from typing import Any

import pytest
from kindcheck import check_spec, check_value

from expertloop.core.kinds import get_kind

KIND = get_kind("demonstration")
SINGLE = {"min_chars": 5, "max_chars": 100}
MULTI = {"multi_turn": True, "max_turns": 2, "min_rationale_chars": 3}


def answer(text: str = "Start at 5 mg.") -> dict[str, str]:
    return {"role": "assistant", "content": text}


def user(text: str = "And for children?") -> dict[str, str]:
    return {"role": "user", "content": text}


SPECS: list[tuple[Any, str | None]] = [
    ({}, None),
    ({"min_chars": 200, "max_chars": 200, "multi_turn": True, "max_turns": 1}, None),
    ({"min_chars": 0}, "spec.min_chars"),
    ({"max_chars": 2_000_000}, "spec.max_chars"),
    ({"min_chars": 60_000}, "spec.max_chars"),
    ({"multi_turn": 1}, "spec.multi_turn"),
    ({"max_turns": 0}, "spec.max_turns"),
    ({"max_turns": 101}, "spec.max_turns"),
    ({"min_rationale_chars": None}, "spec.min_rationale_chars"),
    ({"temperature": 0.2}, "spec.temperature"),
]


@pytest.mark.parametrize(("spec", "field"), SPECS)
def test_validate_spec_names_the_field(spec: Any, field: str | None) -> None:
    normalised = check_spec("demonstration", spec, field)
    if normalised is not None:
        defaults = {"min_chars": 1, "max_chars": 50_000, "multi_turn": False, "max_turns": 10}
        assert normalised == defaults | {"min_rationale_chars": 0} | spec


INTEGRITY = {"typed_chars": 812, "pasted_chars": 0, "active_seconds": 340.5}

VALUES: list[tuple[dict[str, Any], Any, str, str | None]] = [
    (SINGLE, {"messages": [answer()]}, "", None),
    (SINGLE, {"messages": [answer()], "integrity": INTEGRITY}, "", None),
    (SINGLE, {"messages": [answer()], "integrity": {"pasted_chars": 9000}}, "", None),
    (MULTI, {"messages": [answer(), user(), answer()]}, "why", None),
    (MULTI, {"messages": [user(), answer(), user(), answer()]}, "why", None),
    (MULTI, {"messages": [answer()]}, "why", None),
    (SINGLE, {"messages": [answer(), user(), answer()]}, "", "value.messages"),
    (SINGLE, {"messages": []}, "", "value.messages"),
    (SINGLE, {"messages": answer()}, "", "value.messages"),
    (SINGLE, {}, "", "value.messages"),
    (SINGLE, {"messages": [user()]}, "", "value.messages[0].role"),
    (SINGLE, {"messages": [answer("ok")]}, "", "value.messages[0].content"),
    (SINGLE, {"messages": [answer("      ok      ")]}, "", "value.messages[0].content"),
    (SINGLE, {"messages": [answer("x" * 101)]}, "", "value.messages[0].content"),
    (SINGLE, {"messages": [{"role": "assistant", "content": 5}]}, "", "value.messages[0].content"),
    (SINGLE, {"messages": [{**answer(), "name": "x"}]}, "", "value.messages[0].name"),
    (SINGLE, {"messages": ["Start at 5 mg."]}, "", "value.messages[0]"),
    (MULTI, {"messages": [answer(), answer()]}, "why", "value.messages[0].role"),
    (MULTI, {"messages": [answer(), user()]}, "why", "value.messages[1].role"),
    (MULTI, {"messages": [answer(), user(""), answer()]}, "why", "value.messages[1].content"),
    (MULTI, {"messages": [answer(), user(), answer(), user(), answer()]}, "why", "value.messages"),
    (MULTI, {"messages": [answer()]}, "", "rationale"),
    (SINGLE, {"messages": [answer()], "integrity": 5}, "", "value.integrity"),
    (
        SINGLE,
        {"messages": [answer()], "integrity": {"typed_chars": -1}},
        "",
        "value.integrity.typed_chars",
    ),
    (
        SINGLE,
        {"messages": [answer()], "integrity": {"pasted_chars": 1.5}},
        "",
        "value.integrity.pasted_chars",
    ),
    (
        SINGLE,
        {"messages": [answer()], "integrity": {"active_seconds": -0.1}},
        "",
        "value.integrity.active_seconds",
    ),
    (
        SINGLE,
        {"messages": [answer()], "integrity": {"active_seconds": float("nan")}},
        "",
        "value.integrity.active_seconds",
    ),
    (
        SINGLE,
        {"messages": [answer()], "integrity": {"active_seconds": True}},
        "",
        "value.integrity.active_seconds",
    ),
    (SINGLE, {"messages": [answer()], "integrity": {"keys": 3}}, "", "value.integrity.keys"),
    (SINGLE, {"messages": [answer()], "draft": "x"}, "", "value.draft"),
]


@pytest.mark.parametrize(("spec", "value", "rationale", "field"), VALUES)
def test_validate_value_names_the_field(
    spec: dict[str, Any], value: Any, rationale: str, field: str | None
) -> None:
    clean = check_value("demonstration", spec, value, rationale, field)
    if clean is not None:
        assert clean["messages"] == value["messages"]


def test_validate_value_records_integrity_without_judging_it() -> None:
    spec = KIND.validate_spec(SINGLE)
    pasted = {"typed_chars": 0, "pasted_chars": 40_000}
    clean = KIND.validate_value(spec, {"messages": [answer()], "integrity": pasted}, "")
    assert clean["integrity"] == {"typed_chars": 0, "pasted_chars": 40_000, "active_seconds": None}
    assert KIND.validate_value(spec, {"messages": [answer()]}, "")["integrity"] is None
    full = KIND.validate_value(spec, {"messages": [answer()], "integrity": INTEGRITY}, "")
    assert full["integrity"] == INTEGRITY


def test_item_and_value_checks_accept_any_prompt() -> None:
    spec = KIND.validate_spec(MULTI)
    value = KIND.validate_value(spec, {"messages": [answer()]}, "why")
    assert KIND.check_item(spec, [], {}) == []
    assert KIND.check_value_against_item(spec, value, [], {}) == []
