"""Qualifications: expert x track (+ domain), granted, suspended or revoked, with history.

``apply_action`` is the one place a qualification changes; other use cases (passing an
assessment, an admin's decision, automatic suspension) call it inside their own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from expertloop.core.errors import FieldError, NotFound, invalid
from expertloop.core.lifecycles import (
    QualificationAction,
    QualificationStatus,
    qualification_transition,
)
from expertloop.core.policies import Actor, QualificationPolicy, authorize
from expertloop.core.profiles import check_note
from expertloop.services.experts import QualificationView, qualification_view
from expertloop.store import Session, audit, taxonomy
from expertloop.store import experts as expert_store
from expertloop.store import qualifications as store
from expertloop.store import quality as quality_store
from expertloop.store.tables import Qualification, Track


def apply_action(
    session: Session,
    *,
    expert_id: int,
    track_id: int,
    domain: str | None,
    action: QualificationAction,
    actor_id: int | None,
    reason: str,
    source: str,
    now: datetime,
) -> Qualification:
    """Apply ``action`` to the expert's qualification (creating it on a first grant) and keep
    the event; no commit. ``actor_id=None`` is the system (an assessment, a quality rule).

    Raises:
        Conflict: ``qualification.<status>`` when the action does not apply.
    """
    current = store.get_qualification(
        session, expert_id=expert_id, track_id=track_id, domain=domain, lock=True
    )
    before = QualificationStatus(current.status) if current else None
    target = qualification_transition(before, action)
    if current is None:
        current = store.add_qualification(
            session,
            expert_id=expert_id,
            track_id=track_id,
            domain=domain,
            status=target.value,
            source=source,
            now=now,
        )
    else:
        current.status, current.updated_at = target.value, now
        if action is QualificationAction.GRANT:
            current.source = source
    store.add_event(
        session,
        qualification=current,
        action=action.value,
        from_status=before.value if before else None,
        actor_id=actor_id,
        reason=reason,
        now=now,
    )
    audit.record(
        session,
        actor_id=actor_id,
        action=f"qualification.{action.value}",
        entity="qualification",
        entity_id=current.id,
        now=now,
        detail={"expert_id": expert_id, "track_id": track_id, "domain": domain, "reason": reason},
    )
    if action is QualificationAction.REINSTATE:
        quality_store.reset_track_windows(session, expert_id=expert_id, track_id=track_id)
    return current


MANUAL_SOURCE = "manual"
"""The ``source`` of a qualification granted by a person (not an assessment)."""


@dataclass(frozen=True)
class Change:
    """A qualification after a person's action, with its history; ``created`` when this
    grant created it."""

    qualification: QualificationView
    created: bool


def change_qualification(
    *,
    session: Session,
    actor: Actor | None,
    expert_id: int,
    track: str,
    domain: str | None,
    action: str,
    reason: str,
    now: datetime,
) -> Change:
    """Grant, suspend, reinstate or revoke an expert's qualification, saying why.

    Admins may do all four, leads suspend and reinstate; ``actor=None`` is the local CLI.

    Raises:
        Invalid: ``qualification.invalid`` naming ``action``, ``reason``, ``track`` or
            ``domain``.
        NotFound: ``expert.not_found``.
        Conflict: ``qualification.<status>`` when the action does not apply.
    """
    chosen = _action(action)
    if actor is not None:
        authorize(actor, QualificationPolicy.change(chosen))
    if expert_store.get_worker(session, expert_id) is None:
        raise NotFound("expert.not_found", f"expert {expert_id} does not exist")
    why = check_note(reason, code="qualification.invalid", field="reason")
    found, slug = _track_and_domain(session, track, domain)
    existing = store.get_qualification(session, expert_id=expert_id, track_id=found.id, domain=slug)
    qualification = apply_action(
        session,
        expert_id=expert_id,
        track_id=found.id,
        domain=slug,
        action=chosen,
        actor_id=actor.id if actor else None,
        reason=why,
        source=MANUAL_SOURCE,
        now=now,
    )
    session.commit()
    return Change(qualification_view(session, qualification), created=existing is None)


def _action(action: str) -> QualificationAction:
    try:
        return QualificationAction(action)
    except ValueError:
        names = ", ".join(a.value for a in QualificationAction)
        raise invalid(
            "qualification.invalid", [FieldError("action", f"must be one of {names}")]
        ) from None


def _track_and_domain(session: Session, track: str, domain: str | None) -> tuple[Track, str | None]:
    errors = []
    found = taxonomy.get_track_by_name(session, track)
    if found is None:
        errors.append(FieldError("track", f"there is no track {track!r}"))
    slug = (domain or "").strip() or None
    if slug is not None and taxonomy.get_domain(session, slug) is None:
        errors.append(FieldError("domain", f"{slug!r} is not a domain of the taxonomy"))
    if errors or found is None:
        raise invalid("qualification.invalid", errors)
    return found, slug
