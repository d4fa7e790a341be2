"""Eligibility: project requirements against held qualifications, and what closes a gap."""

from __future__ import annotations

from typing import Any

import pytest

from expertloop.core.eligibility import (
    AssessmentRef,
    Gap,
    Held,
    Requirements,
    closing_assessments,
    find_gaps,
    parse_requirements,
)
from expertloop.core.errors import Invalid
from expertloop.core.lifecycles import QualificationStatus

G, S, R = QualificationStatus.GRANTED, QualificationStatus.SUSPENDED, QualificationStatus.REVOKED
TRACKS = {"general", "coding", "professional"}
DOMAINS = {"medicine", "law", "software"}
PRO_MED = Requirements(tracks=("professional",), domains=("medicine",))

GAP_CASES: list[tuple[Requirements, list[Held], float | None, list[Gap]]] = [
    (Requirements(), [], None, []),
    (PRO_MED, [Held("professional", "medicine", G)], None, []),
    (
        PRO_MED,
        [Held("professional", None, G)],
        None,
        [Gap(None, "medicine", "missing", ("professional",))],
    ),
    (
        PRO_MED,
        [Held("general", "medicine", G)],
        None,
        [Gap("professional", None, "missing"), Gap(None, "medicine", "missing", ("professional",))],
    ),
    (
        PRO_MED,
        [Held("professional", "medicine", S)],
        None,
        [
            Gap("professional", None, "suspended"),
            Gap(None, "medicine", "suspended", ("professional",)),
        ],
    ),
    (
        Requirements(tracks=("coding",)),
        [Held("coding", None, R), Held("coding", "software", G)],
        None,
        [],
    ),
    (
        Requirements(tracks=("coding",)),
        [Held("coding", None, R)],
        None,
        [Gap("coding", None, "revoked")],
    ),
    (Requirements(domains=("law",)), [Held("general", "law", G)], None, []),
    (Requirements(min_quality=0.8), [], None, []),
    (Requirements(min_quality=0.8), [], 0.79, [Gap(None, None, "quality")]),
    (Requirements(min_quality=0.8), [], 0.8, []),
]


@pytest.mark.parametrize(("needs", "held", "quality", "expected"), GAP_CASES)
def test_find_gaps_matches_the_table(
    needs: Requirements, held: list[Held], quality: float | None, expected: list[Gap]
) -> None:
    assert find_gaps(needs, held, quality) == expected


@pytest.mark.parametrize(
    ("gap", "message"),
    [
        (Gap("coding", None, "missing"), "needs a qualification in the coding track"),
        (
            Gap(None, "law", "missing", ("professional",)),
            "needs a qualification in the law domain (professional track)",
        ),
        (Gap("stem", None, "suspended"), "the qualification in the stem track is suspended"),
        (Gap(None, None, "quality"), "measured quality is below the project's minimum"),
    ],
)
def test_gap_message_says_what_to_do(gap: Gap, message: str) -> None:
    assert gap.message() == message


CLINICAL = AssessmentRef(1, "Clinical reasoning", "professional", "medicine", 1)
PRO_GENERAL = AssessmentRef(2, "Professional ethics", "professional", None, 1)
GENERAL_MED = AssessmentRef(3, "Medical vocabulary", "general", "medicine", 1)
USED_UP = AssessmentRef(4, "Clinical reasoning II", "professional", "medicine", 0)


def test_closing_assessments_prefers_one_that_closes_every_gap() -> None:
    gaps = find_gaps(PRO_MED, [])
    assert closing_assessments(gaps, [PRO_GENERAL, GENERAL_MED, CLINICAL]) == [CLINICAL]


def test_closing_assessments_ignores_domains_outside_the_required_tracks() -> None:
    gaps = find_gaps(PRO_MED, [Held("professional", None, G)])
    assert closing_assessments(gaps, [GENERAL_MED]) is None
    assert closing_assessments(gaps, [GENERAL_MED, CLINICAL]) == [CLINICAL]


def test_closing_assessments_needs_attempts_left() -> None:
    assert closing_assessments(find_gaps(PRO_MED, []), [USED_UP]) is None


def test_a_suspension_is_not_closed_by_an_assessment() -> None:
    gaps = find_gaps(PRO_MED, [Held("professional", "medicine", S)])
    assert closing_assessments(gaps, [CLINICAL]) is None


def test_parse_requirements_keeps_order_and_drops_repeats() -> None:
    raw = {"tracks": ["coding", "general", "coding"], "domains": ["software"], "min_quality": 1}
    parsed = parse_requirements(raw, tracks=TRACKS, domains=DOMAINS)
    assert parsed == Requirements(("coding", "general"), ("software",), 1.0)
    assert Requirements.from_stored(parsed.as_stored()) == parsed
    assert Requirements.from_stored({}).empty


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        ({"tracks": ["astrology"]}, ["requirements.tracks[0]"]),
        ({"domains": ["law", "alchemy"]}, ["requirements.domains[1]"]),
        ({"tracks": "coding"}, ["requirements.tracks"]),
        ({"min_quality": 0}, ["requirements.min_quality"]),
        ({"min_quality": True}, ["requirements.min_quality"]),
        ({"min_quality": 1.5, "bonus": 1}, ["requirements.bonus", "requirements.min_quality"]),
    ],
)
def test_parse_requirements_names_each_bad_field(raw: dict[str, Any], fields: list[str]) -> None:
    with pytest.raises(Invalid) as raised:
        parse_requirements(raw, tracks=TRACKS, domains=DOMAINS)
    assert raised.value.code == "project.invalid_requirements"
    assert [error.field for error in raised.value.errors] == fields
