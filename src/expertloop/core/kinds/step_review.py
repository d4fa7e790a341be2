"""``step_review``: the expert labels each step of a solution; the first wrong step is derived.

Spec: ``{"allow_neutral": true, "min_rationale_chars": 0}``.

Item: ``data.steps``, the solution split into 1 to 20,000 non-empty strings (at most 100,000
characters each, 5,000,000 in all); the prompt is the problem. Responses are not used.

Value: ``{"steps": [{"label": "correct" | "incorrect" | "neutral", "comment": "optional"}]}``,
one entry per step of the item, in order (the count is checked by ``check_value_against_item``);
``neutral`` only when the spec allows it. ``first_error`` derives the first wrong step.

``processbench_item`` maps a row of ProcessBench (GSM8K split) to an item row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from expertloop.core.errors import FieldError, invalid
from expertloop.core.kinds.base import JSON, BaseKind, Checker, require_mapping

LABELS = ("correct", "incorrect", "neutral")
MAX_STEPS = 20_000
MAX_STEP_CHARS = 100_000
MAX_TOTAL_CHARS = 5_000_000
MAX_COMMENT_CHARS = 5_000
# A broken 20,000-step payload would otherwise bury the first problems under thousands more.
MAX_LISTED_ERRORS = 20
PROCESSBENCH_KEYS = ("id", "generator", "problem", "steps", "final_answer_correct", "label")


class StepReviewKind(BaseKind):
    """Per-step labels over a reasoning trace."""

    name = "step_review"
    checks_value_against_item = True

    def validate_spec(self, spec: Mapping[str, Any]) -> JSON:
        spec = require_mapping(spec, "project.invalid_spec", "spec")
        check = Checker("project.invalid_spec")
        check.unknown_keys(spec, {"allow_neutral", "min_rationale_chars"}, "spec")
        allow_neutral = check.flag(spec, "allow_neutral", "spec", True)
        minimum = check.int_in(spec, "min_rationale_chars", "spec", 0, 10_000, 0)
        check.raise_if_any()
        return {"allow_neutral": allow_neutral, "min_rationale_chars": minimum}

    def check_item(self, spec: JSON, responses: list[JSON], data: JSON) -> list[FieldError]:
        check = Checker("items.invalid")
        check.unknown_keys(data, {"steps"}, "data")
        steps = data.get("steps")
        if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
            check.fail("data.steps", f"must be a list of 1 to {MAX_STEPS} steps")
            return check.errors
        total = 0
        for index, step in enumerate(steps):
            if not isinstance(step, str) or not step.strip() or len(step) > MAX_STEP_CHARS:
                message = f"must be a non-empty text of at most {MAX_STEP_CHARS} characters"
                check.fail(f"data.steps[{index}]", message)
                if _too_many(check, "data.steps"):
                    break
            else:
                total += len(step)
        if total > MAX_TOTAL_CHARS:
            check.fail("data.steps", f"must hold at most {MAX_TOTAL_CHARS} characters in all")
        return check.errors

    def validate_value(self, spec: JSON, value: Mapping[str, Any], rationale: str) -> JSON:
        value = require_mapping(value, "judgment.invalid_value", "value")
        check = Checker("judgment.invalid_value")
        check.unknown_keys(value, {"steps"}, "value")
        raw = value.get("steps")
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_STEPS:
            check.fail("value.steps", f"must be a list of 1 to {MAX_STEPS} step labels")
            raw = []
        labels = LABELS if spec["allow_neutral"] else LABELS[:2]
        steps: list[JSON] = []
        for index, entry in enumerate(raw):
            steps.append(_read_step(check, labels, entry, f"value.steps[{index}]"))
            if _too_many(check, "value.steps"):
                break
        check.rationale(rationale, spec["min_rationale_chars"])
        check.raise_if_any()
        return {"steps": steps}

    def check_value_against_item(
        self, spec: JSON, value: JSON, responses: list[JSON], data: JSON
    ) -> list[FieldError]:
        labelled, expected = len(value["steps"]), len(data.get("steps", []))
        if labelled != expected:
            message = f"labels {labelled} steps; the item has {expected}"
            return [FieldError("value.steps", message)]
        return []

    def derive_value(self, spec: JSON, value: JSON, responses: list[JSON], data: JSON) -> JSON:
        """Store the first wrong step (-1: none), derived from the labels."""
        return {**value, "first_error": first_error([s["label"] for s in value["steps"]])}


def first_error(labels: Sequence[str]) -> int:
    """The index of the first step labelled ``incorrect``.

    Args:
        labels: one label per step, in order (``correct``, ``incorrect`` or ``neutral``).

    Returns:
        The 0-based index of the first ``incorrect`` step, or -1 when every step is fine
        (ProcessBench's convention).

    Raises:
        Nothing.
    """
    for index, label in enumerate(labels):
        if label == "incorrect":
            return index
    return -1


def processbench_item(row: Mapping[str, Any]) -> JSON:
    """Map one ProcessBench row to a ``step_review`` item row, ready for ``read_items``.

    The mapping: ``id`` -> ``external_id``; ``problem`` -> ``prompt``; ``steps`` ->
    ``data.steps``; ``generator`` and ``final_answer_correct`` -> ``metadata`` as they are;
    ``label`` (index of the first wrong step, -1 when none) ->
    ``metadata.reference_first_error``; ``metadata.source`` is ``"processbench_gsm8k"``.
    The reference answer goes to metadata, never to ``data``, so experts do not see it.

    Args:
        row: one decoded line of ``processbench_gsm8k/gsm8k.jsonl``.

    Returns:
        The item row; its contents are checked later by ``read_items``.

    Raises:
        Invalid: ``items.invalid`` naming each ProcessBench field the row lacks.
    """
    missing = [key for key in PROCESSBENCH_KEYS if key not in row]
    if missing:
        raise invalid("items.invalid", [FieldError(key, "is missing") for key in missing])
    return {
        "external_id": row["id"],
        "prompt": row["problem"],
        "data": {"steps": row["steps"]},
        "metadata": {
            "generator": row["generator"],
            "final_answer_correct": row["final_answer_correct"],
            "reference_first_error": row["label"],
            "source": "processbench_gsm8k",
        },
    }


def _read_step(check: Checker, labels: tuple[str, ...], entry: object, where: str) -> JSON:
    if not isinstance(entry, Mapping):
        check.fail(where, "must be an object {label, comment}")
        return {"label": None, "comment": None}
    check.unknown_keys(entry, {"label", "comment"}, where)
    label = entry.get("label")
    if label not in labels:
        check.fail(f"{where}.label", f"must be one of {', '.join(labels)}")
    comment = entry.get("comment")
    if comment is not None:
        comment = check.text(comment, f"{where}.comment", max_chars=MAX_COMMENT_CHARS)
    if not comment or not comment.strip():
        comment = None
    return {"label": label, "comment": comment}


def _too_many(check: Checker, field: str) -> bool:
    """Stop reading once ``MAX_LISTED_ERRORS`` are listed, and say so."""
    if len(check.errors) < MAX_LISTED_ERRORS:
        return False
    check.fail(field, f"has more problems; the first {MAX_LISTED_ERRORS} are listed")
    return True
