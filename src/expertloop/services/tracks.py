"""Use cases on tracks (and their hourly rates) and on the domain taxonomy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from expertloop.core.errors import FieldError, NotFound, invalid
from expertloop.core.policies import Actor, TrackPolicy, authorize
from expertloop.core.profiles import check_description, check_domain, check_rate, format_money
from expertloop.store import IntegrityError, Session, audit, taxonomy
from expertloop.store.tables import Domain, Track


@dataclass(frozen=True)
class DomainView:
    """A domain of the taxonomy with its parent's slug."""

    id: int
    slug: str
    name: str
    parent: str | None
    created_at: datetime


def list_tracks(*, session: Session) -> list[Track]:
    """Every track with its hourly rate (anyone signed in may see them)."""
    return taxonomy.list_tracks(session)


def update_track(
    *,
    session: Session,
    actor: Actor | None,
    name: str,
    hourly_rate: Any = None,
    description: Any = None,
    now: datetime,
) -> Track:
    """Change a track's hourly rate and/or description (admins); None leaves a field as it is.

    Raises:
        NotFound: ``track.not_found``.
        Invalid: ``track.invalid`` naming ``hourly_rate`` or ``description``.
    """
    if actor is not None:
        authorize(actor, TrackPolicy.edit())
    track = taxonomy.get_track_by_name(session, name, lock=True)
    if track is None:
        raise NotFound("track.not_found", f"there is no track {name!r}")
    rate = None if hourly_rate is None else check_rate(hourly_rate)
    text = None if description is None else check_description(description, code="track.invalid")
    before = {"hourly_rate": format_money(track.hourly_rate), "description": track.description}
    if rate is not None:
        track.hourly_rate = rate
    if text is not None:
        track.description = text
    session.flush()
    after = {
        "hourly_rate": format_money(Decimal(track.hourly_rate)),
        "description": track.description,
    }
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="track.update",
        entity="track",
        entity_id=track.id,
        now=now,
        detail={"before": before, "after": after},
    )
    session.commit()
    return track


def list_domains(*, session: Session) -> list[DomainView]:
    """The taxonomy, by slug, each domain with its parent's slug."""
    domains = taxonomy.list_domains(session)
    slugs = {d.id: d.slug for d in domains}
    return [_view(d, slugs.get(d.parent_id) if d.parent_id else None) for d in domains]


def add_domain(
    *, session: Session, actor: Actor | None, slug: Any, name: Any, parent: Any, now: datetime
) -> DomainView:
    """Add a domain to the taxonomy (admins), optionally under a parent domain.

    Raises:
        Invalid: ``domain.invalid`` naming ``slug`` (bad or taken), ``name`` or ``parent``
            (bad or unknown).
    """
    if actor is not None:
        authorize(actor, TrackPolicy.add_domain())
    fields = check_domain(slug=slug, name=name, parent=parent)
    parent_domain = taxonomy.get_domain(session, fields.parent) if fields.parent else None
    if fields.parent and parent_domain is None:
        message = f"{fields.parent!r} is not a domain of the taxonomy"
        raise invalid("domain.invalid", [FieldError("parent", message)])
    if taxonomy.get_domain(session, fields.slug) is not None:
        raise _slug_taken(fields.slug)
    try:
        domain = taxonomy.add_domain(
            session,
            slug=fields.slug,
            name=fields.name,
            parent_id=parent_domain.id if parent_domain else None,
            now=now,
        )
    except IntegrityError:  # added by someone else meanwhile
        session.rollback()
        raise _slug_taken(fields.slug) from None
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="domain.create",
        entity="domain",
        entity_id=domain.id,
        now=now,
        detail={"slug": domain.slug, "parent": fields.parent},
    )
    session.commit()
    return _view(domain, fields.parent)


def _slug_taken(slug: str) -> Exception:
    return invalid("domain.invalid", [FieldError("slug", f"the domain {slug!r} exists already")])


def _view(domain: Domain, parent: str | None) -> DomainView:
    return DomainView(domain.id, domain.slug, domain.name, parent, domain.created_at)
