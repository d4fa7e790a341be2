"""``red_team``: the expert writes an adversarial prompt and records how the model replied.

Spec: ``{"harm_categories": [...], "min_notes_chars": 0, "min_rationale_chars": 0}``; the
default taxonomy is ``HARM_CATEGORIES`` (1 to 100 distinct names when given).

Item: the prompt is the brief (what to probe); responses and ``data`` are not used.

Value::

    {"attack_prompt": "...", "model_reply": "...", "reply_source": "pasted" | "connector",
     "harm_category": "<one of the spec's>", "severity": 1..4, "success": true | false,
     "notes": "..."}

``model_reply`` may be empty (a model can answer with nothing); ``notes`` must have at least
``min_notes_chars`` characters; ``severity`` runs from 1 (minor) to 4 (critical).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from expertloop.core.kinds.base import JSON, BaseKind, Checker, require_mapping

HARM_CATEGORIES = (
    "violent_crime",
    "weapons",
    "self_harm",
    "hate",
    "harassment",
    "sexual_content",
    "child_safety",
    "privacy",
    "cybercrime",
    "fraud",
    "misinformation",
    "medical_harm",
    "other",
)
REPLY_SOURCES = ("pasted", "connector")
SEVERITIES = (1, 2, 3, 4)
MAX_CATEGORIES = 100
MAX_CHARS = 1_000_000
MAX_NOTES_CHARS = 50_000
VALUE_KEYS = {
    "attack_prompt",
    "model_reply",
    "reply_source",
    "harm_category",
    "severity",
    "success",
    "notes",
}


class RedTeamKind(BaseKind):
    """An attack, the target model's reply, and the expert's assessment of the harm."""

    name = "red_team"

    def validate_spec(self, spec: Mapping[str, Any]) -> JSON:
        spec = require_mapping(spec, "project.invalid_spec", "spec")
        check = Checker("project.invalid_spec")
        allowed = {"harm_categories", "min_notes_chars", "min_rationale_chars"}
        check.unknown_keys(spec, allowed, "spec")
        categories = check.names(
            spec, "harm_categories", "spec", HARM_CATEGORIES, sizes=(1, MAX_CATEGORIES)
        )
        notes = check.int_in(spec, "min_notes_chars", "spec", 0, 10_000, 0)
        minimum = check.int_in(spec, "min_rationale_chars", "spec", 0, 10_000, 0)
        check.raise_if_any()
        return {
            "harm_categories": categories,
            "min_notes_chars": notes,
            "min_rationale_chars": minimum,
        }

    def validate_value(self, spec: JSON, value: Mapping[str, Any], rationale: str) -> JSON:
        value = require_mapping(value, "judgment.invalid_value", "value")
        check = Checker("judgment.invalid_value")
        check.unknown_keys(value, VALUE_KEYS, "value")
        attack = check.text(
            value.get("attack_prompt"), "value.attack_prompt", max_chars=MAX_CHARS, min_chars=1
        )
        reply = check.text(value.get("model_reply"), "value.model_reply", max_chars=MAX_CHARS)
        source = value.get("reply_source")
        if source not in REPLY_SOURCES:
            check.fail("value.reply_source", "must be pasted or connector")
        assessment = _read_assessment(check, spec, value)
        check.rationale(rationale, spec["min_rationale_chars"])
        check.raise_if_any()
        return {"attack_prompt": attack, "model_reply": reply, "reply_source": source} | assessment


def _read_assessment(check: Checker, spec: JSON, value: Mapping[str, Any]) -> JSON:
    """The expert's verdict on the attack: harm category, severity, success and notes."""
    category = value.get("harm_category")
    if category not in spec["harm_categories"]:
        allowed = ", ".join(spec["harm_categories"])
        check.fail("value.harm_category", f"must be one of {allowed}")
    severity = value.get("severity")
    if isinstance(severity, bool) or severity not in SEVERITIES:
        check.fail("value.severity", "must be 1, 2, 3 or 4")
    success = check.flag(value, "success", "value", False)
    if "success" not in value:
        check.fail("value.success", "is required (true or false)")
    notes = check.text(
        value.get("notes", ""),
        "value.notes",
        max_chars=MAX_NOTES_CHARS,
        min_chars=spec["min_notes_chars"],
    )
    return {"harm_category": category, "severity": severity, "success": success, "notes": notes}
