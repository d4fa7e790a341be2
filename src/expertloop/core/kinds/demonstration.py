"""``demonstration``: the expert writes the ideal assistant answer (specialist SFT data).

Spec: ``{"min_chars": 1, "max_chars": 50000, "multi_turn": false, "max_turns": 10,
"min_rationale_chars": 0}``; ``min_chars`` and ``max_chars`` bound each message the expert
writes (``min_chars`` counts without spaces at the ends).

Item: a prompt (a text, or a chat transcript); responses, when present, are shown for reference
only; ``data`` is not used.

Value::

    {"messages": [{"role": "assistant", "content": "..."}],
     "integrity": {"typed_chars": 812, "pasted_chars": 0, "active_seconds": 340.5}}

Single turn: exactly one assistant message. Multi-turn: messages alternate between ``user`` and
``assistant`` and end with an assistant message; at most ``max_turns`` assistant messages.
``integrity`` is optional and so is each of its fields: signals recorded beside the text, never
a reason to refuse it; only their types are checked (non-negative numbers).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from expertloop.core.kinds.base import JSON, BaseKind, Checker, require_mapping

MAX_CHARS = 1_000_000
MAX_TURNS = 100
MAX_COUNT = 10**12
INTEGRITY_COUNTS = ("typed_chars", "pasted_chars")


class DemonstrationKind(BaseKind):
    """An expert-written ideal answer, single or multi-turn, with integrity signals."""

    name = "demonstration"

    def validate_spec(self, spec: Mapping[str, Any]) -> JSON:
        spec = require_mapping(spec, "project.invalid_spec", "spec")
        check = Checker("project.invalid_spec")
        allowed = {"min_chars", "max_chars", "multi_turn", "max_turns", "min_rationale_chars"}
        check.unknown_keys(spec, allowed, "spec")
        low = check.int_in(spec, "min_chars", "spec", 1, MAX_CHARS, 1)
        high = check.int_in(spec, "max_chars", "spec", 1, MAX_CHARS, 50_000)
        if low > high:
            check.fail("spec.max_chars", "must not be lower than min_chars")
        multi_turn = check.flag(spec, "multi_turn", "spec", False)
        max_turns = check.int_in(spec, "max_turns", "spec", 1, MAX_TURNS, 10)
        minimum = check.int_in(spec, "min_rationale_chars", "spec", 0, 10_000, 0)
        check.raise_if_any()
        return {
            "min_chars": low,
            "max_chars": high,
            "multi_turn": multi_turn,
            "max_turns": max_turns,
            "min_rationale_chars": minimum,
        }

    def validate_value(self, spec: JSON, value: Mapping[str, Any], rationale: str) -> JSON:
        value = require_mapping(value, "judgment.invalid_value", "value")
        check = Checker("judgment.invalid_value")
        check.unknown_keys(value, {"messages", "integrity"}, "value")
        messages = _read_messages(check, spec, value.get("messages"))
        integrity = _read_integrity(check, value.get("integrity"))
        check.rationale(rationale, spec["min_rationale_chars"])
        check.raise_if_any()
        return {"messages": messages, "integrity": integrity}


def _read_messages(check: Checker, spec: JSON, raw: object) -> list[dict[str, str]]:
    # Turns alternate and end with the assistant, so 2 * max_turns messages hold max_turns answers.
    limit = 2 * spec["max_turns"] if spec["multi_turn"] else 1
    if not isinstance(raw, list) or not raw or len(raw) > limit:
        shape = (
            f"alternating user and assistant messages, at most {spec['max_turns']} answers"
            if spec["multi_turn"]
            else "exactly one assistant message"
        )
        check.fail("value.messages", f"must be {shape}")
        return []
    messages: list[dict[str, str]] = []
    for index, message in enumerate(raw):
        where = f"value.messages[{index}]"
        if not isinstance(message, Mapping):
            check.fail(where, "must be an object {role, content}")
            continue
        check.unknown_keys(message, {"role", "content"}, where)
        # Read backwards from the last message, which is always the assistant's answer.
        role = "assistant" if (len(raw) - 1 - index) % 2 == 0 else "user"
        if message.get("role") != role:
            check.fail(f"{where}.role", f"must be {role} (turns alternate, ending with assistant)")
        low = spec["min_chars"] if role == "assistant" else 1
        content = check.text(
            message.get("content"), f"{where}.content", max_chars=spec["max_chars"], min_chars=low
        )
        messages.append({"role": role, "content": content or ""})
    return messages


def _read_integrity(check: Checker, raw: object) -> JSON | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        check.fail("value.integrity", "must be an object {typed_chars, pasted_chars, ...}")
        return None
    check.unknown_keys(raw, {*INTEGRITY_COUNTS, "active_seconds"}, "value.integrity")
    integrity: JSON = {}
    for key in INTEGRITY_COUNTS:
        count = raw.get(key)
        if count is not None:
            count = check.int_in(raw, key, "value.integrity", 0, MAX_COUNT, 0)
        integrity[key] = count
    seconds = raw.get("active_seconds")
    if seconds is not None:
        seconds = check.number(seconds, "value.integrity.active_seconds", 0, float(MAX_COUNT))
    integrity["active_seconds"] = seconds
    return integrity
