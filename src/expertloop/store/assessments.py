"""Assessments, attempts at them and grants of another attempt.

A second concurrent start of an attempt fails on the unique ``(assessment, expert, number)``:
on PostgreSQL the later insert waits for the first transaction and then raises
``IntegrityError``; on SQLite writers take turns, so the later one sees the first attempt.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from expertloop.store.tables import (
    Assessment,
    AssessmentAttempt,
    AttemptGrant,
    Track,
    User,
)


def add_assessment(session: Session, *, values: dict[str, Any], now: datetime) -> Assessment:
    assessment = Assessment(**values, created_at=now)
    session.add(assessment)
    session.flush()
    return assessment


def get_assessment(
    session: Session, assessment_id: int, *, lock: bool = False
) -> tuple[Assessment, str] | None:
    """The assessment and its track's name."""
    query = (
        select(Assessment, Track.name)
        .join(Track, Track.id == Assessment.track_id)
        .where(Assessment.id == assessment_id)
    )
    if lock:
        query = query.with_for_update(of=Assessment)
    row = session.execute(query).first()
    return (row[0], row[1]) if row else None


def list_assessments(
    session: Session, *, statuses: list[str] | None = None
) -> list[tuple[Assessment, str]]:
    """Assessments with their track names, by track then id."""
    query = select(Assessment, Track.name).join(Track, Track.id == Assessment.track_id)
    if statuses is not None:
        query = query.where(Assessment.status.in_(statuses))
    return [(row[0], row[1]) for row in session.execute(query.order_by(Track.name, Assessment.id))]


def list_attempts_of(
    session: Session, *, expert_id: int, assessment_id: int | None = None
) -> list[AssessmentAttempt]:
    """An expert's attempts (at one assessment, or all), oldest first."""
    query = select(AssessmentAttempt).where(AssessmentAttempt.expert_id == expert_id)
    if assessment_id is not None:
        query = query.where(AssessmentAttempt.assessment_id == assessment_id)
    return list(session.scalars(query.order_by(AssessmentAttempt.number)))


def count_grants(
    session: Session, *, expert_id: int, assessment_id: int | None = None
) -> dict[int, int]:
    """Extra attempts granted to the expert, per assessment."""
    query = (
        select(AttemptGrant.assessment_id, func.count())
        .where(AttemptGrant.expert_id == expert_id)
        .group_by(AttemptGrant.assessment_id)
    )
    if assessment_id is not None:
        query = query.where(AttemptGrant.assessment_id == assessment_id)
    return {row[0]: row[1] for row in session.execute(query)}


def add_attempt(session: Session, *, values: dict[str, Any]) -> AssessmentAttempt:
    """Insert an attempt; raises ``IntegrityError`` when its number is taken."""
    attempt = AssessmentAttempt(**values)
    session.add(attempt)
    session.flush()
    return attempt


def get_attempt(
    session: Session, attempt_id: int, *, lock: bool = False
) -> AssessmentAttempt | None:
    query = select(AssessmentAttempt).where(AssessmentAttempt.id == attempt_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def list_attempts_by_status(
    session: Session, *, status: str, limit: int = 200
) -> list[tuple[AssessmentAttempt, Assessment, str, User]]:
    """Attempts in one status, oldest first, with assessment, track name and expert."""
    query = (
        select(AssessmentAttempt, Assessment, Track.name, User)
        .join(Assessment, Assessment.id == AssessmentAttempt.assessment_id)
        .join(Track, Track.id == Assessment.track_id)
        .join(User, User.id == AssessmentAttempt.expert_id)
        .where(AssessmentAttempt.status == status)
        .order_by(AssessmentAttempt.id)
        .limit(limit)
    )
    return [(row[0], row[1], row[2], row[3]) for row in session.execute(query)]


def add_grant(
    session: Session,
    *,
    assessment_id: int,
    expert_id: int,
    granted_by: int | None,
    reason: str,
    now: datetime,
) -> AttemptGrant:
    grant = AttemptGrant(
        assessment_id=assessment_id,
        expert_id=expert_id,
        granted_by=granted_by,
        reason=reason,
        created_at=now,
    )
    session.add(grant)
    session.flush()
    return grant
