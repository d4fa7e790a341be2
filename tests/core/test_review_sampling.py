"""Which judgments go to reviewers: probation, low reliability, the hashed share."""

from __future__ import annotations

import pytest

from expertloop.core.quality_policy import ReviewRules
from expertloop.core.review_sampling import needs_review, reviews_nothing, sample_point

# (rules, expert's judgments before, reliability, judgment id, reason)
CASES = [
    (ReviewRules(), 0, None, 1, None),
    (ReviewRules(), 0, 0.01, 1, None),
    (ReviewRules(probation=3), 0, None, 2, "probation"),
    (ReviewRules(probation=3), 2, None, 2, "probation"),
    (ReviewRules(probation=3), 3, None, 2, None),
    (ReviewRules(probation=3), 40, None, 2, None),
    (ReviewRules(min_reliability=0.6), 9, 0.59, 2, "low_reliability"),
    (ReviewRules(min_reliability=0.6), 9, 0.6, 2, None),
    (ReviewRules(min_reliability=0.6), 9, None, 2, None),
    (ReviewRules(min_reliability=0.0), 9, 0.0, 2, None),
    (ReviewRules(share=1.0), 500, 0.99, 2, "sample"),
    (ReviewRules(share=0.0), 500, 0.99, 2, None),
    # The first rule that applies is the reason.
    (ReviewRules(probation=5, min_reliability=0.9, share=1.0), 1, 0.2, 2, "probation"),
    (ReviewRules(probation=5, min_reliability=0.9, share=1.0), 5, 0.2, 2, "low_reliability"),
    (ReviewRules(probation=5, min_reliability=0.9, share=1.0), 5, 0.95, 2, "sample"),
    # Project 1, judgments 1 and 2 hash to 0.0415 and 0.9335 (pinned below).
    (ReviewRules(share=0.05), 0, None, 1, "sample"),
    (ReviewRules(share=0.04), 0, None, 1, None),
    (ReviewRules(share=0.9), 0, None, 2, None),
    (ReviewRules(share=0.95), 0, None, 2, "sample"),
]


@pytest.mark.parametrize(("rules", "before", "reliability", "judgment_id", "reason"), CASES)
def test_needs_review_gives_the_first_rule_that_applies(
    rules: ReviewRules, before: int, reliability: float | None, judgment_id: int, reason: str | None
) -> None:
    found = needs_review(
        rules,
        judgment_id=judgment_id,
        project_id=1,
        expert_judgments_before=before,
        reliability=reliability,
    )
    assert found == reason


def test_sample_point_is_pinned_so_past_picks_never_move() -> None:
    points = [sample_point(project_id=1, judgment_id=j) for j in range(1, 6)]
    assert [round(p, 6) for p in points] == [0.041511, 0.933493, 0.829605, 0.809589, 0.280048]


def test_share_picks_about_its_share_and_the_same_ones_every_time() -> None:
    rules = ReviewRules(share=0.3)

    def picked(project_id: int) -> set[int]:
        return {
            j
            for j in range(1, 10_001)
            if needs_review(
                rules,
                judgment_id=j,
                project_id=project_id,
                expert_judgments_before=99,
                reliability=None,
            )
        }

    first = picked(7)
    assert len(first) == 2998  # 30% of 10,000 within 0.1%
    assert picked(7) == first
    assert picked(8) != first  # the project is part of the key


def test_a_larger_share_picks_everything_a_smaller_one_picks() -> None:
    def picked(share: float) -> set[int]:
        return {
            j
            for j in range(1, 2001)
            if needs_review(
                ReviewRules(share=share),
                judgment_id=j,
                project_id=3,
                expert_judgments_before=0,
                reliability=None,
            )
        }

    small, large = picked(0.1), picked(0.5)
    assert small < large
    assert picked(1.0) == set(range(1, 2001))
    assert picked(0.0) == set()


@pytest.mark.parametrize(
    ("rules", "nothing"),
    [
        (ReviewRules(), True),
        (ReviewRules(share=0.01), False),
        (ReviewRules(probation=1), False),
        (ReviewRules(min_reliability=0.5), False),
        (ReviewRules(min_reliability=0.0), False),
    ],
)
def test_reviews_nothing_only_for_the_default_rules(rules: ReviewRules, nothing: bool) -> None:
    assert reviews_nothing(rules) is nothing
