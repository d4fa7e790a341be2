"""Expert profiles, credentials and the roster (experts and reviewers with what they hold)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, cast, exists, select
from sqlalchemy.orm import Session, aliased

from expertloop.store.tables import (
    Credential,
    ExpertProfile,
    Qualification,
    QualificationEvent,
    Track,
    User,
)

WORKER_ROLES = ("expert", "reviewer")


@dataclass(frozen=True)
class RosterFilter:
    """Which experts a roster query returns; None leaves a filter out."""

    domain: str | None = None
    track_id: int | None = None
    status: str | None = None


def get_worker(session: Session, user_id: int) -> tuple[User, ExpertProfile | None] | None:
    """An expert or reviewer with their profile, or None (absent, or another role)."""
    row = session.execute(
        _workers().where(User.id == user_id),
    ).first()
    return None if row is None else (row[0], row[1])


def get_worker_by_email(session: Session, email: str) -> User | None:
    query = select(User).where(User.email == email, User.role.in_(WORKER_ROLES))
    return session.scalars(query).first()


def existing_emails(session: Session, emails: Iterable[str]) -> set[str]:
    """Which of ``emails`` belong to users already (of any role)."""
    wanted = sorted(set(emails))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(session.scalars(select(User.email).where(User.email.in_(chunk))))
    return found


def list_workers(
    session: Session, *, where: RosterFilter, after_id: int = 0, limit: int | None = None
) -> list[tuple[User, ExpertProfile | None]]:
    """Experts and reviewers by id, after ``after_id`` (keyset pages of ``limit``)."""
    query = _workers().where(User.id > after_id).order_by(User.id)
    if where.domain is not None:
        # Slugs hold no quote, so '"slug"' matches one whole element of the JSON list.
        text = cast(ExpertProfile.domains, Text)
        query = query.where(text.contains(f'"{where.domain}"', autoescape=True))
    if where.track_id is not None or where.status is not None:
        held = exists().where(Qualification.expert_id == User.id)
        if where.track_id is not None:
            held = held.where(Qualification.track_id == where.track_id)
        if where.status is not None:
            held = held.where(Qualification.status == where.status)
        query = query.where(held)
    if limit is not None:
        query = query.limit(limit)
    return [(row[0], row[1]) for row in session.execute(query)]


def _workers() -> Select[User, ExpertProfile | None]:
    query: Select[User, ExpertProfile | None] = (
        select(User, ExpertProfile)
        .outerjoin(ExpertProfile, ExpertProfile.user_id == User.id)
        .where(User.role.in_(WORKER_ROLES))
    )
    return query


def list_credentials(session: Session, user_ids: Iterable[int]) -> dict[int, list[Credential]]:
    """The credentials of these users, oldest first, by user."""
    found: dict[int, list[Credential]] = defaultdict(list)
    wanted = sorted(set(user_ids))
    if wanted:
        query = select(Credential).where(Credential.user_id.in_(wanted)).order_by(Credential.id)
        for credential in session.scalars(query):
            found[credential.user_id].append(credential)
    return found


def get_credential(
    session: Session, credential_id: int, *, lock: bool = False
) -> Credential | None:
    query = select(Credential).where(Credential.id == credential_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def add_credential(
    session: Session, *, user_id: int, values: dict[str, object], now: datetime
) -> Credential:
    credential = Credential(user_id=user_id, **values, status="claimed", note="", created_at=now)
    session.add(credential)
    session.flush()
    return credential


def delete_credential(session: Session, credential: Credential) -> None:
    session.delete(credential)
    session.flush()


def save_profile(
    session: Session,
    *,
    user_id: int,
    domains: list[str],
    languages: list[str],
    attributes: dict[str, Any],
) -> ExpertProfile:
    """Replace the profile's fields (creating the profile when the user has none)."""
    profile = session.get(ExpertProfile, user_id, with_for_update=True)
    if profile is None:
        profile = ExpertProfile(user_id=user_id)
        session.add(profile)
    profile.domains, profile.languages, profile.attributes = domains, languages, attributes
    session.flush()
    return profile


def list_qualifications(
    session: Session, user_ids: Iterable[int]
) -> dict[int, list[tuple[Qualification, Track]]]:
    """The qualifications of these users with their tracks, by track then domain, by user."""
    found: dict[int, list[tuple[Qualification, Track]]] = defaultdict(list)
    wanted = sorted(set(user_ids))
    if wanted:
        query = (
            select(Qualification, Track)
            .join(Track, Track.id == Qualification.track_id)
            .where(Qualification.expert_id.in_(wanted))
            .order_by(Track.id, Qualification.domain)
        )
        for qualification, track in session.execute(query):
            found[qualification.expert_id].append((qualification, track))
    return found


def list_events_with_actors(
    session: Session, qualification_ids: Iterable[int]
) -> dict[int, list[tuple[QualificationEvent, User | None]]]:
    """The events of these qualifications, oldest first, each with who acted (None: the
    system or the command line), by qualification."""
    found: dict[int, list[tuple[QualificationEvent, User | None]]] = defaultdict(list)
    wanted = sorted(set(qualification_ids))
    if wanted:
        actor = aliased(User)
        query = (
            select(QualificationEvent, actor)
            .outerjoin(actor, actor.id == QualificationEvent.actor_id)
            .where(QualificationEvent.qualification_id.in_(wanted))
            .order_by(QualificationEvent.id)
        )
        for event, who in session.execute(query):
            found[event.qualification_id].append((event, who))
    return found
