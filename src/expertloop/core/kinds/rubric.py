"""``rubric``: the expert scores each response on each criterion and flags unsafe output.

Spec::

    {"criteria": [{"id": "accuracy", "name": "Accuracy", "description": "...",
                   "scale": {"min": 1, "max": 5}, "points": {"1": "what a 1 means", ...}}],
     "flags": ["unsafe", "policy_violation", "privacy_leak"], "min_rationale_chars": 0}

1 to 20 criteria with distinct ids (letters, digits, ``_`` and ``-``); a scale is two integers
from 0 to 10, ``min < max`` (default 1 to 5); ``points`` describe some or all points of the scale.
``name`` defaults to the id, ``description`` to ``""``; ``flags`` may be empty.

Item: 1 to 9 responses; ``data`` is not used.

Value::

    {"scores": {"<response id>": {"<criterion id>": {"score": 4, "comment": "optional"}}},
     "flags": [{"response": "<response id>", "flag": "unsafe", "note": "optional"}]}

Every response is scored on every criterion within its scale (the responses are checked against
the item by ``check_value_against_item``). Any flag puts the item in the lead's escalation list
(``is_escalated``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from expertloop.core.errors import FieldError
from expertloop.core.kinds.base import JSON, BaseKind, Checker, require_mapping

DEFAULT_FLAGS = ("unsafe", "policy_violation", "privacy_leak")
DEFAULT_SCALE = {"min": 1, "max": 5}
MAX_CRITERIA = 20
MAX_SCALE = 10
MAX_RESPONSES = 9
MAX_FLAGS = 50
MAX_NAME_CHARS = 200
MAX_DESCRIPTION_CHARS = 5_000
MAX_COMMENT_CHARS = 5_000
CRITERION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
CRITERION_KEYS = {"id", "name", "description", "scale", "points"}


class RubricKind(BaseKind):
    """Per-response, per-criterion scores on a rubric, with escalation flags."""

    name = "rubric"
    checks_value_against_item = True

    def validate_spec(self, spec: Mapping[str, Any]) -> JSON:
        spec = require_mapping(spec, "project.invalid_spec", "spec")
        check = Checker("project.invalid_spec")
        check.unknown_keys(spec, {"criteria", "flags", "min_rationale_chars"}, "spec")
        raw = spec.get("criteria")
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_CRITERIA:
            check.fail("spec.criteria", f"must be a list of 1 to {MAX_CRITERIA} criteria")
            raw = []
        criteria = [_read_criterion(check, item, index) for index, item in enumerate(raw)]
        ids = [criterion["id"] for criterion in criteria]
        for index, criterion_id in enumerate(ids):
            if criterion_id is not None and ids.index(criterion_id) != index:
                check.fail(f"spec.criteria[{index}].id", f"repeats the id {criterion_id!r}")
        flags = check.names(spec, "flags", "spec", DEFAULT_FLAGS, sizes=(0, MAX_FLAGS))
        minimum = check.int_in(spec, "min_rationale_chars", "spec", 0, 10_000, 0)
        check.raise_if_any()
        return {"criteria": criteria, "flags": flags, "min_rationale_chars": minimum}

    def check_item(self, spec: JSON, responses: list[JSON], data: JSON) -> list[FieldError]:
        if not 1 <= len(responses) <= MAX_RESPONSES:
            message = f"a rubric item needs 1 to {MAX_RESPONSES} responses"
            return [FieldError(field="responses", message=message)]
        return []

    def validate_value(self, spec: JSON, value: Mapping[str, Any], rationale: str) -> JSON:
        value = require_mapping(value, "judgment.invalid_value", "value")
        check = Checker("judgment.invalid_value")
        check.unknown_keys(value, {"scores", "flags"}, "value")
        scores = _read_scores(check, spec["criteria"], value.get("scores"))
        flags = _read_flags(check, spec["flags"], value.get("flags", []))
        check.rationale(rationale, spec["min_rationale_chars"])
        check.raise_if_any()
        return {"scores": scores, "flags": flags}

    def check_value_against_item(
        self, spec: JSON, value: JSON, responses: list[JSON], data: JSON
    ) -> list[FieldError]:
        expected = [str(response["id"]) for response in responses]
        errors = [
            FieldError(f"value.scores.{response_id}", "is not a response of this item")
            for response_id in value["scores"]
            if response_id not in expected
        ]
        errors.extend(
            FieldError(f"value.scores.{response_id}", "is not scored")
            for response_id in expected
            if response_id not in value["scores"]
        )
        errors.extend(
            FieldError(f"value.flags[{index}].response", "is not a response of this item")
            for index, flag in enumerate(value["flags"])
            if flag["response"] not in expected
        )
        return errors

    def derive_value(self, spec: JSON, value: JSON, responses: list[JSON], data: JSON) -> JSON:
        """Mark a judgment that raised a flag: its item belongs on the escalation list."""
        return {**value, "escalated": is_escalated(value)}


def is_escalated(value: Mapping[str, Any]) -> bool:
    """Whether a rubric judgment puts its item in the lead's escalation list.

    Args:
        value: a normalised rubric value.

    Returns:
        True when the expert raised any flag on any response.

    Raises:
        Nothing.
    """
    return bool(value.get("flags"))


def _read_criterion(check: Checker, raw: object, index: int) -> JSON:
    where = f"spec.criteria[{index}]"
    if not isinstance(raw, Mapping):
        check.fail(where, "must be an object")
        return {"id": None}
    check.unknown_keys(raw, CRITERION_KEYS, where)
    criterion_id = raw.get("id")
    if not isinstance(criterion_id, str) or not CRITERION_ID.fullmatch(criterion_id):
        check.fail(f"{where}.id", "must be 1 to 64 letters, digits, '_' or '-'")
        criterion_id = None
    name = check.text(
        raw.get("name", criterion_id or "?"), f"{where}.name", max_chars=MAX_NAME_CHARS, min_chars=1
    )
    description = check.text(
        raw.get("description", ""), f"{where}.description", max_chars=MAX_DESCRIPTION_CHARS
    )
    scale = _read_scale(check, raw.get("scale", DEFAULT_SCALE), f"{where}.scale")
    points = _read_points(check, raw.get("points", {}), scale, f"{where}.points")
    return {
        "id": criterion_id,
        "name": name,
        "description": description,
        "scale": scale,
        "points": points,
    }


def _read_scale(check: Checker, raw: object, where: str) -> dict[str, int]:
    if not isinstance(raw, Mapping):
        check.fail(where, "must be an object {min, max}")
        return dict(DEFAULT_SCALE)
    check.unknown_keys(raw, {"min", "max"}, where)
    errors = len(check.errors)
    low = check.int_in(raw, "min", where, 0, MAX_SCALE, DEFAULT_SCALE["min"])
    high = check.int_in(raw, "max", where, 0, MAX_SCALE, DEFAULT_SCALE["max"])
    if len(check.errors) == errors and low >= high:
        check.fail(where, "min must be lower than max")
    return {"min": low, "max": high}


def _read_points(check: Checker, raw: object, scale: dict[str, int], where: str) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        check.fail(where, "must be an object from a point of the scale to what it means")
        return {}
    points: dict[str, str] = {}
    for key, meaning in raw.items():
        point = _point(key)
        if point is None or not scale["min"] <= point <= scale["max"]:
            check.fail(f"{where}.{key}", f"must be a point from {scale['min']} to {scale['max']}")
        elif str(point) in points:
            check.fail(f"{where}.{key}", f"repeats the point {point}")
        else:
            text = check.text(
                meaning, f"{where}.{key}", max_chars=MAX_DESCRIPTION_CHARS, min_chars=1
            )
            points[str(point)] = text or ""
    return dict(sorted(points.items(), key=lambda item: int(item[0])))


def _point(key: object) -> int | None:
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    if isinstance(key, str) and re.fullmatch(r"-?\d{1,3}", key.strip()):
        return int(key)
    return None


def _read_scores(check: Checker, criteria: list[JSON], raw: object) -> JSON:
    if not isinstance(raw, Mapping) or not 1 <= len(raw) <= MAX_RESPONSES:
        check.fail("value.scores", f"must map 1 to {MAX_RESPONSES} response ids to scores")
        return {}
    scores: JSON = {}
    for response_id, per_criterion in raw.items():
        where = f"value.scores.{response_id}"
        if not isinstance(response_id, str) or not response_id.strip():
            check.fail(where, "must be keyed by a response id")
        elif not isinstance(per_criterion, Mapping):
            check.fail(where, "must map criterion ids to scores")
        else:
            scores[response_id] = _read_response_scores(check, criteria, per_criterion, where)
    return scores


def _read_response_scores(
    check: Checker, criteria: list[JSON], raw: Mapping[str, Any], where: str
) -> JSON:
    known = {criterion["id"] for criterion in criteria}
    for key in raw:
        if key not in known:
            check.fail(f"{where}.{key}", "is not a criterion of the rubric")
    scores: JSON = {}
    for criterion in criteria:
        field = f"{where}.{criterion['id']}"
        if criterion["id"] not in raw:
            check.fail(field, "is not scored")
            continue
        entry = raw[criterion["id"]]
        if not isinstance(entry, Mapping):
            check.fail(field, "must be an object {score, comment}")
            continue
        check.unknown_keys(entry, {"score", "comment"}, field)
        scale = criterion["scale"]
        score = check.int_in(entry, "score", field, scale["min"], scale["max"], scale["min"])
        if "score" not in entry:
            check.fail(f"{field}.score", "is required")
        comment = _optional_text(check, entry.get("comment"), f"{field}.comment")
        scores[criterion["id"]] = {"score": score, "comment": comment}
    return scores


def _read_flags(check: Checker, names: list[str], raw: object) -> list[JSON]:
    if not isinstance(raw, list) or len(raw) > MAX_FLAGS:
        check.fail("value.flags", f"must be a list of at most {MAX_FLAGS} flags")
        return []
    flags: list[JSON] = []
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(raw):
        where = f"value.flags[{index}]"
        if not isinstance(entry, Mapping):
            check.fail(where, "must be an object {response, flag, note}")
            continue
        check.unknown_keys(entry, {"response", "flag", "note"}, where)
        response_id, flag = entry.get("response"), entry.get("flag")
        if not isinstance(response_id, str) or not response_id.strip():
            check.fail(f"{where}.response", "must be a response id")
        if flag not in names:
            allowed = ", ".join(names) or "none"
            check.fail(f"{where}.flag", f"must be one of the project's flags: {allowed}")
        elif isinstance(response_id, str):
            if (response_id, flag) in seen:
                check.fail(f"{where}.flag", f"repeats the flag {flag!r} for this response")
            seen.add((response_id, flag))
        note = _optional_text(check, entry.get("note"), f"{where}.note")
        flags.append({"response": response_id, "flag": flag, "note": note})
    return flags


def _optional_text(check: Checker, raw: object, where: str) -> str | None:
    if raw is None:
        return None
    text = check.text(raw, where, max_chars=MAX_COMMENT_CHARS)
    if text is None or not text.strip():
        return None
    return text
