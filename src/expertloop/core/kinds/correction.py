"""``correction``: the expert edits a model answer in place and tags what was wrong with it.

Spec: ``{"error_types": ["factual", "reasoning", "omission", "safety", "style"],
"require_error_type": true, "min_rationale_chars": 0}``.

Item: exactly one response, the model answer to correct; ``data`` is not used.

Value: ``{"edited": "...", "error_types": ["factual"]}``. The edit must differ from the model
answer (beyond spaces at the ends; checked by ``check_value_against_item``); at least one error
type is required when the spec says so.

``diff_text``, ``word_diff`` and ``edit_stats`` describe an edit for the page and the export.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from expertloop.core.errors import FieldError
from expertloop.core.kinds.base import JSON, BaseKind, Checker, require_mapping

DEFAULT_ERROR_TYPES = ("factual", "reasoning", "omission", "safety", "style")
MAX_ERROR_TYPES = 50
MAX_CHARS = 1_000_000
# Every character is whitespace, part of a word, or punctuation: the tokens cover the text.
TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
# Token pairs a word diff may compare exactly (about 0.1 s in the worst, most repetitive case).
WORD_DIFF_BUDGET = 1_000_000


class CorrectionKind(BaseKind):
    """An edited model answer with error-type tags; the diff is derived."""

    name = "correction"
    checks_value_against_item = True

    def validate_spec(self, spec: Mapping[str, Any]) -> JSON:
        spec = require_mapping(spec, "project.invalid_spec", "spec")
        check = Checker("project.invalid_spec")
        allowed = {"error_types", "require_error_type", "min_rationale_chars"}
        check.unknown_keys(spec, allowed, "spec")
        error_types = check.names(
            spec, "error_types", "spec", DEFAULT_ERROR_TYPES, sizes=(1, MAX_ERROR_TYPES)
        )
        required = check.flag(spec, "require_error_type", "spec", True)
        minimum = check.int_in(spec, "min_rationale_chars", "spec", 0, 10_000, 0)
        check.raise_if_any()
        return {
            "error_types": error_types,
            "require_error_type": required,
            "min_rationale_chars": minimum,
        }

    def check_item(self, spec: JSON, responses: list[JSON], data: JSON) -> list[FieldError]:
        if len(responses) != 1:
            message = "a correction item needs exactly 1 response: the answer to correct"
            return [FieldError(field="responses", message=message)]
        return []

    def validate_value(self, spec: JSON, value: Mapping[str, Any], rationale: str) -> JSON:
        value = require_mapping(value, "judgment.invalid_value", "value")
        check = Checker("judgment.invalid_value")
        check.unknown_keys(value, {"edited", "error_types"}, "value")
        edited = check.text(value.get("edited"), "value.edited", max_chars=MAX_CHARS, min_chars=1)
        chosen = value.get("error_types", [])
        if not isinstance(chosen, list):
            check.fail("value.error_types", "must be a list of error types")
            chosen = []
        elif not chosen and spec["require_error_type"]:
            check.fail("value.error_types", "tag at least one error type")
        for index, error_type in enumerate(chosen):
            if error_type not in spec["error_types"]:
                allowed = ", ".join(spec["error_types"])
                check.fail(f"value.error_types[{index}]", f"must be one of {allowed}")
            elif chosen.index(error_type) != index:
                check.fail(f"value.error_types[{index}]", f"repeats {error_type!r}")
        check.rationale(rationale, spec["min_rationale_chars"])
        check.raise_if_any()
        return {"edited": edited, "error_types": list(chosen)}

    def check_value_against_item(
        self, spec: JSON, value: JSON, responses: list[JSON], data: JSON
    ) -> list[FieldError]:
        if responses and value["edited"].strip() == str(responses[0]["text"]).strip():
            return [FieldError("value.edited", "must differ from the model answer")]
        return []

    def derive_value(self, spec: JSON, value: JSON, responses: list[JSON], data: JSON) -> JSON:
        """Keep the original, the unified diff and the edit's size beside the edit."""
        original = str(responses[0]["text"]) if responses else ""
        edited = value["edited"]
        return {
            **value,
            "original": original,
            "diff": diff_text(original, edited),
            "stats": edit_stats(original, edited),
        }


def diff_text(original: str, edited: str) -> str:
    """A unified line diff of an edit, as a reviewer reads it.

    Args:
        original: the model answer.
        edited: the expert's correction.

    Returns:
        The diff with ``--- original`` / ``+++ edited`` headers and three lines of context, one
        line per diff line; ``""`` when the two texts have the same lines.

    Raises:
        Nothing.
    """
    lines = difflib.unified_diff(
        original.splitlines(), edited.splitlines(), "original", "edited", lineterm=""
    )
    return "\n".join(lines)


def word_diff(original: str, edited: str) -> list[tuple[str, str]]:
    """A word-level diff: runs of ``equal``, ``delete`` and ``insert`` text, in reading order.

    Lines are matched first; inside each block of changed lines, words, spaces and punctuation
    are matched. A changed block larger than ``WORD_DIFF_BUDGET`` token pairs is reported as
    whole lines (a delete then an insert), so a huge rewrite stays fast. Joining the ``equal``
    and ``delete`` runs gives back ``original``; joining ``equal`` and ``insert`` gives ``edited``.

    Args:
        original: the model answer.
        edited: the expert's correction.

    Returns:
        ``(operation, text)`` runs; adjacent runs never share an operation.

    Raises:
        Nothing.
    """
    before, after = original.splitlines(keepends=True), edited.splitlines(keepends=True)
    runs: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in _opcodes(before, after):
        old, new = "".join(before[i1:i2]), "".join(after[j1:j2])
        if tag == "equal":
            _append(runs, "equal", old)
        elif tag == "replace":
            _word_runs(runs, old, new)
        else:
            _append(runs, "delete", old)
            _append(runs, "insert", new)
    return runs


def edit_stats(original: str, edited: str) -> dict[str, int | float]:
    """How much an edit changed, counted on the word diff.

    Args:
        original: the model answer.
        edited: the expert's correction.

    Returns:
        ``chars_added`` and ``chars_removed`` (characters in inserted and deleted runs) and
        ``ratio``: the similarity ``2 * unchanged / (len(original) + len(edited))`` from 0 to 1,
        1.0 when nothing changed (as ``difflib``'s ``ratio``).

    Raises:
        Nothing.
    """
    totals = {"equal": 0, "delete": 0, "insert": 0}
    for operation, text in word_diff(original, edited):
        totals[operation] += len(text)
    size = len(original) + len(edited)
    ratio = 2 * totals["equal"] / size if size else 1.0
    return {"chars_added": totals["insert"], "chars_removed": totals["delete"], "ratio": ratio}


def _opcodes(before: list[str], after: list[str]) -> Sequence[tuple[str, int, int, int, int]]:
    # Exact matching is quadratic on repeated tokens; past the budget, difflib's "popular
    # element" heuristic keeps it fast at the price of a less minimal diff.
    exact = len(before) * len(after) <= WORD_DIFF_BUDGET
    return difflib.SequenceMatcher(None, before, after, autojunk=not exact).get_opcodes()


def _word_runs(runs: list[tuple[str, str]], old: str, new: str) -> None:
    before, after = TOKEN.findall(old), TOKEN.findall(new)
    if len(before) * len(after) > WORD_DIFF_BUDGET:
        _append(runs, "delete", old)
        _append(runs, "insert", new)
        return
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(runs, "equal", "".join(before[i1:i2]))
            continue
        _append(runs, "delete", "".join(before[i1:i2]))
        _append(runs, "insert", "".join(after[j1:j2]))


def _append(runs: list[tuple[str, str]], operation: str, text: str) -> None:
    if not text:
        return
    if runs and runs[-1][0] == operation:
        runs[-1] = (operation, runs[-1][1] + text)
    else:
        runs.append((operation, text))
