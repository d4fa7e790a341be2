"""Which judgments go to reviewers: the project's ``ReviewRules`` applied to one judgment.

A judgment is picked when any rule applies, and the first that applies is its reason:

- ``probation``: it is among the expert's first ``probation`` judgments in the project;
- ``low_reliability``: the expert's measured reliability is below ``min_reliability`` (an
  expert not measured yet is not held to it);
- ``sample``: ``u(project, judgment) < share``, where ``u`` maps the pair to ``[0, 1)`` by a
  keyed hash (BLAKE2b, RFC 7693), so the same judgment is always picked the same way, with no
  random generator to carry, and over many judgments a share ``s`` of them is picked.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from expertloop.core.quality_policy import ReviewRules

HASH_BYTES = 8
HASH_SPAN = float(1 << (8 * HASH_BYTES))
PERSON = b"el.review.sample"
"""BLAKE2b personalisation (16 bytes at most): these points differ from other uses of the ids."""


class ReviewReason(StrEnum):
    """Why a judgment was picked for review."""

    PROBATION = "probation"
    """Among the expert's first judgments in the project."""
    LOW_RELIABILITY = "low_reliability"
    """The expert's measured reliability is below the project's minimum."""
    SAMPLE = "sample"
    """Drawn by the project's review share."""


def sample_point(*, project_id: int, judgment_id: int) -> float:
    """Where a judgment falls in ``[0, 1)``: a stable hash of the project and judgment ids.

    Example:
        >>> p = sample_point(project_id=1, judgment_id=42)
        >>> 0.0 <= p < 1.0 and p == sample_point(project_id=1, judgment_id=42)
        True
    """
    key = f"{project_id}:{judgment_id}".encode()
    digest = hashlib.blake2b(key, digest_size=HASH_BYTES, person=PERSON).digest()
    return int.from_bytes(digest, "big") / HASH_SPAN


def needs_review(
    rules: ReviewRules,
    *,
    judgment_id: int,
    project_id: int,
    expert_judgments_before: int,
    reliability: float | None,
) -> str | None:
    """The reason this judgment goes to reviewers, or None.

    Args:
        rules: the project's review rules.
        judgment_id: the judgment's id (the sample draws on it).
        project_id: its project's id.
        expert_judgments_before: the expert's judgments in the project before this one
            (only read when ``rules.probation`` > 0).
        reliability: the expert's measured reliability in the project, None if not measured.

    Returns:
        ``"probation"``, ``"low_reliability"``, ``"sample"`` (the first that applies) or None.

    Example:
        >>> needs_review(ReviewRules(probation=3), judgment_id=9, project_id=1,
        ...     expert_judgments_before=2, reliability=None)
        'probation'
        >>> needs_review(ReviewRules(share=1.0), judgment_id=9, project_id=1,
        ...     expert_judgments_before=50, reliability=0.9)
        'sample'
        >>> needs_review(ReviewRules(), judgment_id=9, project_id=1,
        ...     expert_judgments_before=0, reliability=0.1) is None
        True
    """
    if expert_judgments_before < rules.probation:
        return ReviewReason.PROBATION.value
    low = rules.min_reliability
    if low is not None and reliability is not None and reliability < low:
        return ReviewReason.LOW_RELIABILITY.value
    if rules.share > 0 and sample_point(project_id=project_id, judgment_id=judgment_id) < (
        rules.share
    ):
        return ReviewReason.SAMPLE.value
    return None


def reviews_nothing(rules: ReviewRules) -> bool:
    """Whether the rules can never pick a judgment (the submit path then skips every look-up).

    Example:
        >>> reviews_nothing(ReviewRules()), reviews_nothing(ReviewRules(share=0.1))
        (True, False)
    """
    return rules.share <= 0 and rules.probation <= 0 and rules.min_reliability is None
