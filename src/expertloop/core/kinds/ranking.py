"""``ranking``: the expert orders the responses of an item, best first, ties allowed.

Spec: ``{"allow_ties": true, "min_rationale_chars": 0}``.
Item: 2 to 9 responses; ``data`` is not used.
Value: ``{"ranking": [["B"], ["A", "C"]]}``: groups of response ids, best group first; the ids
inside one group are tied (only when the spec allows ties); every response of the item appears
exactly once (checked against the item by ``check_value_against_item``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from expertloop.core.errors import FieldError
from expertloop.core.kinds.base import JSON, BaseKind, Checker, require_mapping

MIN_RESPONSES = 2
MAX_RESPONSES = 9
MAX_ID_CHARS = 200


class RankingKind(BaseKind):
    """A total order (with ties) over 2 to 9 responses."""

    name = "ranking"
    checks_value_against_item = True

    def validate_spec(self, spec: Mapping[str, Any]) -> JSON:
        spec = require_mapping(spec, "project.invalid_spec", "spec")
        check = Checker("project.invalid_spec")
        check.unknown_keys(spec, {"allow_ties", "min_rationale_chars"}, "spec")
        allow_ties = check.flag(spec, "allow_ties", "spec", True)
        minimum = check.int_in(spec, "min_rationale_chars", "spec", 0, 10_000, 0)
        check.raise_if_any()
        return {"allow_ties": allow_ties, "min_rationale_chars": minimum}

    def check_item(self, spec: JSON, responses: list[JSON], data: JSON) -> list[FieldError]:
        if not MIN_RESPONSES <= len(responses) <= MAX_RESPONSES:
            message = f"a ranking item needs {MIN_RESPONSES} to {MAX_RESPONSES} responses"
            return [FieldError(field="responses", message=message)]
        return []

    def validate_value(self, spec: JSON, value: Mapping[str, Any], rationale: str) -> JSON:
        value = require_mapping(value, "judgment.invalid_value", "value")
        check = Checker("judgment.invalid_value")
        check.unknown_keys(value, {"ranking"}, "value")
        groups = value.get("ranking")
        if not isinstance(groups, list) or not groups or len(groups) > MAX_RESPONSES:
            check.fail("value.ranking", f"must be a list of 1 to {MAX_RESPONSES} groups of ids")
            groups = []
        seen: set[str] = set()
        ranking = [_read_group(check, spec, group, i, seen) for i, group in enumerate(groups)]
        if groups and sum(len(group) for group in ranking) < MIN_RESPONSES:
            check.fail("value.ranking", f"must rank at least {MIN_RESPONSES} responses")
        check.rationale(rationale, spec["min_rationale_chars"])
        check.raise_if_any()
        return {"ranking": ranking}

    def check_value_against_item(
        self, spec: JSON, value: JSON, responses: list[JSON], data: JSON
    ) -> list[FieldError]:
        expected = [str(response["id"]) for response in responses]
        errors: list[FieldError] = []
        ranked: set[str] = set()
        for group_index, group in enumerate(value["ranking"]):
            for index, response_id in enumerate(group):
                ranked.add(response_id)
                if response_id not in expected:
                    errors.append(
                        FieldError(
                            f"value.ranking[{group_index}][{index}]",
                            f"{response_id!r} is not a response of this item",
                        )
                    )
        errors.extend(
            FieldError("value.ranking", f"leaves out the response {response_id!r}")
            for response_id in expected
            if response_id not in ranked
        )
        return errors


def _read_group(check: Checker, spec: JSON, group: object, index: int, seen: set[str]) -> list[str]:
    where = f"value.ranking[{index}]"
    if not isinstance(group, list) or not group:
        check.fail(where, "must be a non-empty list of response ids")
        return []
    if len(group) > 1 and not spec["allow_ties"]:
        check.fail(where, "ties are not allowed in this project: one response per group")
    ids: list[str] = []
    for position, response_id in enumerate(group):
        if (
            not isinstance(response_id, str)
            or not response_id.strip()
            or len(response_id) > MAX_ID_CHARS
        ):
            check.fail(f"{where}[{position}]", "must be a response id (a non-empty string)")
        elif response_id in seen:
            check.fail(f"{where}[{position}]", f"repeats the response {response_id!r}")
        else:
            seen.add(response_id)
            ids.append(response_id)
    return ids


def pairs_from_ranking(ranking: Sequence[Sequence[str]]) -> list[tuple[str, str]]:
    """Every (better, worse) pair an ordering implies; tied responses make no pair.

    Args:
        ranking: groups of response ids, best group first (a normalised ranking value's
            ``ranking``).

    Returns:
        ``(better_id, worse_id)`` pairs, in order of the better response's group, then of the
        worse one's; for ``[["B"], ["A", "C"]]``: ``[("B", "A"), ("B", "C")]``.

    Raises:
        Nothing; the ranking is assumed valid (``validate_value`` has checked it).
    """
    pairs: list[tuple[str, str]] = []
    for position, group in enumerate(ranking):
        for worse_group in ranking[position + 1 :]:
            pairs.extend((better, worse) for better in group for worse in worse_group)
    return pairs
