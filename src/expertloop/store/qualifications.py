"""Qualifications and their history of events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertloop.store.tables import Qualification, QualificationEvent, Track

ANY_DOMAIN = ""
"""The stored domain of a qualification that covers the whole track."""


def get_qualification(
    session: Session, *, expert_id: int, track_id: int, domain: str | None, lock: bool = False
) -> Qualification | None:
    query = select(Qualification).where(
        Qualification.expert_id == expert_id,
        Qualification.track_id == track_id,
        Qualification.domain == (domain or ANY_DOMAIN),
    )
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def add_qualification(
    session: Session,
    *,
    expert_id: int,
    track_id: int,
    domain: str | None,
    status: str,
    source: str,
    now: datetime,
) -> Qualification:
    qualification = Qualification(
        expert_id=expert_id,
        track_id=track_id,
        domain=domain or ANY_DOMAIN,
        status=status,
        source=source,
        created_at=now,
        updated_at=now,
    )
    session.add(qualification)
    session.flush()
    return qualification


def add_event(
    session: Session,
    *,
    qualification: Qualification,
    action: str,
    from_status: str | None,
    actor_id: int | None,
    reason: str,
    now: datetime,
) -> QualificationEvent:
    event = QualificationEvent(
        qualification_id=qualification.id,
        action=action,
        from_status=from_status,
        to_status=qualification.status,
        actor_id=actor_id,
        reason=reason,
        created_at=now,
    )
    session.add(event)
    session.flush()
    return event


def list_qualifications(session: Session, expert_id: int) -> list[tuple[Qualification, Track]]:
    """An expert's qualifications of every status with their tracks, by track then domain."""
    query = (
        select(Qualification, Track)
        .join(Track, Track.id == Qualification.track_id)
        .where(Qualification.expert_id == expert_id)
        .order_by(Track.name, Qualification.domain)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def list_events(session: Session, qualification_ids: list[int]) -> list[QualificationEvent]:
    """The events of these qualifications, oldest first."""
    if not qualification_ids:
        return []
    query = (
        select(QualificationEvent)
        .where(QualificationEvent.qualification_id.in_(qualification_ids))
        .order_by(QualificationEvent.id)
    )
    return list(session.scalars(query))
