"""Gold items: when one is due, whether a judgment matches the known answer, and when an
expert's measured accuracy falls below a project's bar.

Gold is served by a deterministic quota rather than a coin: the first ``calibration`` claims of
an expert new to the project are gold, then a claim is gold whenever the expert's gold share
would otherwise fall below ``rate``. Over any stretch of claims the share stays within one item
of the rate, and a test can say exactly which claim is gold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from expertloop.core.quality_policy import GoldRules

RUBRIC_TOLERANCE = 1
"""A rubric score within this many points of the gold score counts as matching."""


def gold_due(policy: GoldRules, *, claims: int, gold_claims: int) -> bool:
    """Whether the expert's next claim should serve a gold item.

    Args:
        policy: the project's gold policy.
        claims: the expert's claims so far in the project, gold included.
        gold_claims: how many of those served gold.

    Example:
        >>> policy, gold = GoldRules(rate=0.25, calibration=1), []
        >>> for claim in range(12):
        ...     if gold_due(policy, claims=claim, gold_claims=len(gold)):
        ...         gold.append(claim)
        >>> gold
        [0, 7, 11]
    """
    if gold_claims < policy.calibration:
        return True
    return policy.rate > 0 and gold_claims < math.floor(policy.rate * (claims + 1))


def _label_key(kind: str, value: Mapping[str, Any]) -> Any:
    if kind == "label":
        return tuple(sorted(value.get("labels") or ()))
    if kind == "pairwise":
        return value.get("choice")
    if kind == "verify":
        return (value.get("verdict"), value.get("correction"))
    if kind == "step_review":
        return value.get("first_error")
    if kind == "ranking":
        return tuple(tuple(sorted(group)) for group in value.get("ranking") or ())
    return None


def _rubric_matches(value: Mapping[str, Any], answer: Mapping[str, Any]) -> bool:
    given = value.get("scores") or {}
    for response_id, criteria in (answer.get("scores") or {}).items():
        for criterion, expected in criteria.items():
            got = given.get(response_id, {}).get(criterion, {}).get("score")
            if got is None or abs(got - expected["score"]) > RUBRIC_TOLERANCE:
                return False
    return True


def gold_matches(kind: str, value: Mapping[str, Any], answer: Mapping[str, Any]) -> bool:
    """Whether a judgment value agrees with a gold answer of the same kind.

    Labels must be the same set; pairwise the same choice (strength is not compared); verify
    the same verdict and correction; step reviews the same first wrong step; rankings the same
    order; rubrics every gold score within ``RUBRIC_TOLERANCE``.

    Raises:
        ValueError: for a kind that has no gold answers (written work).
    """
    if kind == "rubric":
        return _rubric_matches(value, answer)
    expected = _label_key(kind, answer)
    if expected is None:
        raise ValueError(f"{kind} projects have no gold answers")
    return bool(_label_key(kind, value) == expected)


GOLD_KINDS = frozenset({"label", "pairwise", "verify", "step_review", "ranking", "rubric"})
"""Kinds whose items can carry a gold answer."""


@dataclass(frozen=True)
class GoldRecord:
    """An expert's gold answers in one project, in the window since their last reinstatement."""

    answered: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return None if self.answered == 0 else self.correct / self.answered


def below_bar(record: GoldRecord, *, bar: float | None, min_answered: int) -> bool:
    """Whether measured gold accuracy is below the project's bar, once there is enough of it."""
    accuracy = record.accuracy
    return (
        bar is not None
        and accuracy is not None
        and record.answered >= min_answered
        and accuracy < bar
    )


def suspension_reason(record: GoldRecord, *, bar: float, project_name: str) -> str:
    """The notice an expert and the leads read when gold accuracy suspends a qualification."""
    accuracy = record.accuracy or 0.0
    return (
        f"gold accuracy {accuracy:.0%} ({record.correct} of {record.answered} gold items) on "
        f"project {project_name!r} is below its bar of {bar:.0%}"
    )
