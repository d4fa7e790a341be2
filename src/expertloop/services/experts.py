"""Use cases on expert profiles and credentials, and the roster.

Privacy: an expert sees and edits only their own profile; asking for another expert's gets
``expert.not_found``, as if it did not exist. Leads and admins see every profile.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from expertloop.core.errors import Conflict, FieldError, NotFound, invalid
from expertloop.core.lifecycles import CredentialStatus, QualificationStatus
from expertloop.core.policies import Actor, ExpertPolicy, authorize, is_allowed
from expertloop.core.profiles import Profile, check_credential, check_note, check_profile
from expertloop.store import Session, audit, taxonomy
from expertloop.store import experts as store
from expertloop.store.experts import RosterFilter as RosterFilter
from expertloop.store.tables import Credential, ExpertProfile, Qualification, Track, User

ROSTER_BATCH = 500


@dataclass(frozen=True)
class EventView:
    """One grant, suspension, reinstatement or revocation: who (None: the system), when, why."""

    action: str
    from_status: str | None
    to_status: str
    actor_id: int | None
    actor_name: str | None
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class QualificationView:
    id: int
    track: str
    domain: str | None
    status: str
    source: str
    created_at: datetime
    updated_at: datetime
    history: list[EventView]


@dataclass(frozen=True)
class ExpertView:
    """An expert or reviewer with profile, credentials and qualifications."""

    id: int
    email: str
    name: str
    role: str
    active: bool
    domains: list[str]
    languages: list[str]
    attributes: dict[str, Any]
    credentials: list[Credential]
    qualifications: list[QualificationView]


def get_own_profile(*, session: Session, actor: Actor) -> ExpertView:
    """The caller's own profile, credentials and qualifications (experts and reviewers)."""
    authorize(actor, ExpertPolicy.own_profile())
    return _view_one(session, actor.id)


def update_own_profile(
    *,
    session: Session,
    actor: Actor,
    domains: Any,
    languages: Any,
    attributes: Any,
    now: datetime,
) -> ExpertView:
    """Replace the caller's domains, languages and background attributes.

    Raises:
        Invalid: ``profile.invalid`` naming each bad field, including a domain that is not in
            the taxonomy.
    """
    authorize(actor, ExpertPolicy.own_profile())
    profile = check_profile(domains=domains, languages=languages, attributes=attributes)
    check_known_domains(session, profile)
    store.save_profile(
        session,
        user_id=actor.id,
        domains=profile.domains,
        languages=profile.languages,
        attributes=profile.attributes,
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="profile.update",
        entity="user",
        entity_id=actor.id,
        now=now,
        detail={"domains": profile.domains, "languages": profile.languages},
    )
    session.commit()
    return _view_one(session, actor.id)


def check_known_domains(session: Session, profile: Profile, row: int | None = None) -> None:
    """Raise ``profile.invalid`` when the profile names a domain the taxonomy lacks."""
    errors = unknown_domain_errors(session, profile.domains, row)
    if errors:
        raise invalid("profile.invalid", errors)


def unknown_domain_errors(
    session: Session, domains: Sequence[str], row: int | None = None
) -> list[FieldError]:
    known = taxonomy.existing_slugs(session, domains)
    return [
        FieldError(f"domains[{index}]", f"{slug!r} is not a domain of the taxonomy", row)
        for index, slug in enumerate(domains)
        if slug not in known
    ]


def add_own_credential(
    *, session: Session, actor: Actor, claim: dict[str, Any], now: datetime
) -> Credential:
    """Claim a credential (status ``claimed`` until an admin checks it).

    Raises:
        Invalid: ``credential.invalid`` naming each bad field.
    """
    authorize(actor, ExpertPolicy.own_profile())
    fields = check_credential(**claim, this_year=now.year)
    values: dict[str, object] = {
        "kind": fields.kind.value,
        "title": fields.title,
        "issuer": fields.issuer,
        "year": fields.year,
        "years_of_practice": fields.years_of_practice,
    }
    credential = store.add_credential(session, user_id=actor.id, values=values, now=now)
    _audit_credential(session, actor, credential, "credential.add", now)
    session.commit()
    return credential


def delete_own_credential(
    *, session: Session, actor: Actor, credential_id: int, now: datetime
) -> None:
    """Withdraw one's own credential while it is still only claimed.

    Raises:
        NotFound: ``credential.not_found`` when it is not the caller's.
        Conflict: ``credential.verified`` / ``credential.rejected`` once an admin checked it.
    """
    credential = store.get_credential(session, credential_id, lock=True)
    if credential is None or credential.user_id != actor.id:
        raise NotFound("credential.not_found", f"credential {credential_id} does not exist")
    if credential.status != CredentialStatus.CLAIMED.value:
        raise Conflict(
            f"credential.{credential.status}",
            f"this credential is {credential.status}; only a claimed one can be withdrawn",
        )
    _audit_credential(session, actor, credential, "credential.delete", now)
    store.delete_credential(session, credential)
    session.commit()


def verify_credential(
    *,
    session: Session,
    actor: Actor | None,
    expert_id: int,
    credential_id: int,
    status: str,
    note: Any,
    now: datetime,
) -> Credential:
    """Mark an expert's credential verified or rejected, saying how or why (admins).

    Raises:
        NotFound: ``credential.not_found``.
        Invalid: ``credential.invalid`` naming ``status`` or ``note`` (required).
    """
    if actor is not None:
        authorize(actor, ExpertPolicy.verify_credential())
    credential = store.get_credential(session, credential_id, lock=True)
    if credential is None or credential.user_id != expert_id:
        raise NotFound("credential.not_found", f"credential {credential_id} does not exist")
    checked = (CredentialStatus.VERIFIED.value, CredentialStatus.REJECTED.value)
    if status not in checked:
        raise invalid("credential.invalid", [FieldError("status", "must be verified or rejected")])
    credential.note = check_note(note, code="credential.invalid")
    credential.status, credential.verified_at = status, now
    credential.verified_by = actor.id if actor else None
    session.flush()
    verb = "verify" if status == CredentialStatus.VERIFIED.value else "reject"
    _audit_credential(session, actor, credential, f"credential.{verb}", now)
    session.commit()
    return credential


def _audit_credential(
    session: Session, actor: Actor | None, credential: Credential, action: str, now: datetime
) -> None:
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action=action,
        entity="credential",
        entity_id=credential.id,
        now=now,
        detail={"user_id": credential.user_id, "title": credential.title, "note": credential.note},
    )


def get_expert(*, session: Session, actor: Actor | None, expert_id: int) -> ExpertView:
    """One expert's profile, credentials and qualifications with their history.

    Raises:
        NotFound: ``expert.not_found`` when absent, not an expert or reviewer, or another
            expert's (experts may not know it exists).
    """
    if actor is not None and not is_allowed(actor, ExpertPolicy.view_profile(expert_id)):
        raise NotFound("expert.not_found", f"expert {expert_id} does not exist")
    return _view_one(session, expert_id)


def get_expert_id_by_email(*, session: Session, email: str) -> int:
    """The id of the expert or reviewer with this email.

    Raises:
        NotFound: ``expert.not_found``.
    """
    user = store.get_worker_by_email(session, email.strip().lower())
    if user is None:
        raise NotFound("expert.not_found", f"no expert or reviewer has the email {email}")
    return user.id


def roster_filter(
    *, session: Session, domain: str | None, track: str | None, status: str | None
) -> RosterFilter:
    """Check the roster's filters: a known domain, a known track, a qualification status.

    Raises:
        NotFound: ``domain.not_found``, ``track.not_found``.
        Invalid: ``expert.invalid_filter`` naming ``status``.
    """
    if domain and taxonomy.get_domain(session, domain) is None:
        raise NotFound("domain.not_found", f"there is no domain {domain!r}")
    found = taxonomy.get_track_by_name(session, track) if track else None
    if track and found is None:
        raise NotFound("track.not_found", f"there is no track {track!r}")
    statuses = [s.value for s in QualificationStatus]
    if status and status not in statuses:
        message = f"must be one of {', '.join(statuses)}"
        raise invalid("expert.invalid_filter", [FieldError("status", message)])
    return RosterFilter(domain or None, found.id if found else None, status or None)


def list_roster(
    *, session: Session, actor: Actor | None, where: RosterFilter = RosterFilter()
) -> list[ExpertView]:
    """Experts and reviewers with profile, credentials and qualifications (managers)."""
    return list(stream_roster(session=session, actor=actor, where=where, history=False))


def stream_roster(
    *, session: Session, actor: Actor | None, where: RosterFilter, history: bool = True
) -> Iterator[ExpertView]:
    """The roster by id, read in batches so memory stays constant however many experts."""
    if actor is not None:
        authorize(actor, ExpertPolicy.list())
    after = 0
    while True:
        rows = store.list_workers(session, where=where, after_id=after, limit=ROSTER_BATCH)
        yield from _views(session, rows, history=history)
        if len(rows) < ROSTER_BATCH:
            return
        after = rows[-1][0].id


def qualification_view(session: Session, qualification: Qualification) -> QualificationView:
    """One qualification with its track and history, as the expert's page shows it."""
    held = store.list_qualifications(session, [qualification.expert_id])
    events = store.list_events_with_actors(session, [qualification.id])
    for candidate, track in held.get(qualification.expert_id, []):
        if candidate.id == qualification.id:
            return _qualification(candidate, track, events)
    raise NotFound("qualification.not_found", f"qualification {qualification.id} does not exist")


def _view_one(session: Session, expert_id: int) -> ExpertView:
    found = store.get_worker(session, expert_id)
    if found is None:
        raise NotFound("expert.not_found", f"expert {expert_id} does not exist")
    return _views(session, [found], history=True)[0]


def _views(
    session: Session, rows: list[tuple[User, ExpertProfile | None]], *, history: bool
) -> list[ExpertView]:
    ids = [user.id for user, _ in rows]
    credentials = store.list_credentials(session, ids)
    qualifications = store.list_qualifications(session, ids)
    events = (
        store.list_events_with_actors(
            session, [q.id for held in qualifications.values() for q, _ in held]
        )
        if history
        else {}
    )
    return [
        ExpertView(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            active=user.active,
            domains=list(profile.domains) if profile else [],
            languages=list(profile.languages) if profile else [],
            attributes=dict(profile.attributes) if profile else {},
            credentials=credentials.get(user.id, []),
            qualifications=[
                _qualification(q, t, events) for q, t in qualifications.get(user.id, [])
            ],
        )
        for user, profile in rows
    ]


def _qualification(
    qualification: Qualification, track: Track, events: dict[int, list[tuple[Any, User | None]]]
) -> QualificationView:
    return QualificationView(
        id=qualification.id,
        track=track.name,
        domain=qualification.domain or None,
        status=qualification.status,
        source=qualification.source,
        created_at=qualification.created_at,
        updated_at=qualification.updated_at,
        history=[
            EventView(
                action=event.action,
                from_status=event.from_status,
                to_status=event.to_status,
                actor_id=event.actor_id,
                actor_name=who.name if who else None,
                reason=event.reason,
                created_at=event.created_at,
            )
            for event, who in events.get(qualification.id, [])
        ],
    )
