"""What eligibility and the expert's dashboard read: an expert's qualifications, the
assessments open to them, measured time per item (tracks and domains: ``store.taxonomy``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from expertloop.core.lifecycles import AssessmentStatus
from expertloop.store import tallies
from expertloop.store.qualifications import ANY_DOMAIN
from expertloop.store.tables import (
    Assessment,
    AssessmentAttempt,
    AttemptGrant,
    Qualification,
    Track,
)


def held_qualifications(session: Session, expert_id: int) -> list[tuple[str, str | None, str]]:
    """(track name, domain or None, status) of each of the expert's qualifications."""
    rows = session.execute(
        select(Track.name, Qualification.domain, Qualification.status)
        .join(Track, Track.id == Qualification.track_id)
        .where(Qualification.expert_id == expert_id)
    )
    return [
        (track, None if domain == ANY_DOMAIN else domain, status) for track, domain, status in rows
    ]


def open_assessments(session: Session, expert_id: int) -> list[tuple[Assessment, str, int, int]]:
    """Published assessments with their track name, the expert's attempts and extra grants."""
    attempts = (
        select(AssessmentAttempt.assessment_id, func.count().label("n"))
        .where(AssessmentAttempt.expert_id == expert_id)
        .group_by(AssessmentAttempt.assessment_id)
        .subquery()
    )
    grants = (
        select(AttemptGrant.assessment_id, func.count().label("n"))
        .where(AttemptGrant.expert_id == expert_id)
        .group_by(AttemptGrant.assessment_id)
        .subquery()
    )
    rows = session.execute(
        select(Assessment, Track.name, func.coalesce(attempts.c.n, 0), func.coalesce(grants.c.n, 0))
        .join(Track, Track.id == Assessment.track_id)
        .outerjoin(attempts, attempts.c.assessment_id == Assessment.id)
        .outerjoin(grants, grants.c.assessment_id == Assessment.id)
        .where(Assessment.status == AssessmentStatus.PUBLISHED.value)
        .order_by(Assessment.id)
    )
    return [(a, track, int(used), int(extra)) for a, track, used, extra in rows]


def measured_seconds(session: Session, project_ids: list[int]) -> dict[int, tuple[float, int]]:
    """Mean active seconds per submitted judgment and how many judgments it is over (from the
    projects' tallies)."""
    return {
        project_id: (
            counts[tallies.ACTIVE_MS] / 1000 / counts[tallies.TIMED],
            counts[tallies.TIMED],
        )
        for project_id, counts in tallies.read(session, project_ids).items()
        if counts[tallies.TIMED]
    }
