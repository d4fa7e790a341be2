"""Qualifications: expert x track (+ domain), granted, suspended or revoked, with history.

``apply_action`` is the one place a qualification changes; other use cases (passing an
assessment, an admin's decision, automatic suspension) call it inside their own transaction.
"""

from __future__ import annotations

from datetime import datetime

from expertloop.core.lifecycles import (
    QualificationAction,
    QualificationStatus,
    qualification_transition,
)
from expertloop.store import Session, audit
from expertloop.store import qualifications as store
from expertloop.store.tables import Qualification


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
    return current
