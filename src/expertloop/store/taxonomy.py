"""The domain taxonomy and the qualification tracks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertloop.store.tables import Domain, Track


def list_domains(session: Session) -> list[Domain]:
    """Every domain, by slug."""
    return list(session.scalars(select(Domain).order_by(Domain.slug)))


def get_domain(session: Session, slug: str) -> Domain | None:
    return session.scalars(select(Domain).where(Domain.slug == slug)).first()


def all_slugs(session: Session) -> set[str]:
    return set(session.scalars(select(Domain.slug)))


def existing_slugs(session: Session, slugs: Iterable[str]) -> set[str]:
    """Which of ``slugs`` name domains of the taxonomy."""
    wanted = sorted(set(slugs))
    if not wanted:
        return set()
    return set(session.scalars(select(Domain.slug).where(Domain.slug.in_(wanted))))


def add_domain(
    session: Session, *, slug: str, name: str, parent_id: int | None, now: datetime
) -> Domain:
    domain = Domain(slug=slug, name=name, parent_id=parent_id, created_at=now)
    session.add(domain)
    session.flush()
    return domain


def list_tracks(session: Session) -> list[Track]:
    """Every track, by id (the order they were seeded in)."""
    return list(session.scalars(select(Track).order_by(Track.id)))


def get_track_by_name(session: Session, name: str, *, lock: bool = False) -> Track | None:
    query = select(Track).where(Track.name == name)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def track_rates(session: Session) -> dict[str, Decimal]:
    """Every track's hourly rate by name."""
    return {name: rate for name, rate in session.execute(select(Track.name, Track.hourly_rate))}


def get_tracks(session: Session, track_ids: Iterable[int]) -> dict[int, Track]:
    wanted = sorted(set(track_ids))
    if not wanted:
        return {}
    return {t.id: t for t in session.scalars(select(Track).where(Track.id.in_(wanted)))}
