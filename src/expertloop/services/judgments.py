"""Use cases on judgments: submit (idempotent under a client key) and stream for export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from expertloop.core.errors import Conflict
from expertloop.core.leases import active_seconds_between
from expertloop.core.lifecycles import AssignmentStatus
from expertloop.core.policies import Actor
from expertloop.services.gold import score_gold
from expertloop.services.projects import allowed_for_work, get_project_or_raise
from expertloop.services.queue import check_live, end_lease, lock_lease_in_project
from expertloop.services.reviews import pick_for_review
from expertloop.services.values import validate_for_item
from expertloop.store import IntegrityError, Session
from expertloop.store import judgments as store
from expertloop.store.tables import Judgment


@dataclass(frozen=True)
class Submitted:
    """The stored judgment and whether this call created it (False: an idempotent replay)."""

    judgment: Judgment
    created: bool


def submit_judgment(
    *,
    session: Session,
    actor: Actor,
    assignment_id: int,
    value: dict[str, Any],
    rationale: str,
    idempotency_key: str | None,
    now: datetime,
) -> Submitted:
    """Store the expert's judgment for a live lease; the same key again returns the same one.

    Raises:
        NotFound: ``lease.not_found``.
        Conflict: ``lease.not_owner``, ``lease.expired``, ``lease.submitted`` (another key), or
            ``judgment.key_reused`` (the key belongs to another assignment).
        Invalid: ``judgment.invalid_value`` naming the field.
    """
    # a concurrent retry waits here
    assignment, found = lock_lease_in_project(session, assignment_id)
    if assignment.status == AssignmentStatus.SUBMITTED.value:
        replay = _replay(session, actor=actor, assignment_id=assignment_id, key=idempotency_key)
        if replay is not None:
            session.commit()
            return Submitted(replay, created=False)
    check_live(assignment, actor=actor, now=now)
    project = allowed_for_work(found, actor=actor, project_id=assignment.project_id)
    clean = validate_for_item(
        session, project=project, item_id=assignment.item_id, value=value, rationale=rationale
    )
    end_lease(session, assignment, AssignmentStatus.SUBMITTED, now)
    judgment = _add_judgment(
        session,
        values={
            "project_id": project.id,
            "item_id": assignment.item_id,
            "assignment_id": assignment.id,
            "expert_id": actor.id,
            "value": clean,
            "rationale": rationale.strip(),
            "guideline_version": project.guidelines_version,
            "active_seconds": assignment.active_seconds
            + active_seconds_between(assignment.last_seen_at, now),
            "idempotency_key": idempotency_key,
        },
        now=now,
    )
    score_gold(session, project=project, judgment=judgment, now=now)
    pick_for_review(session, project=project, judgment=judgment)
    session.commit()
    return Submitted(judgment, created=True)


def _add_judgment(session: Session, *, values: dict[str, Any], now: datetime) -> Judgment:
    try:
        return store.add_judgment(session, values=values, now=now)
    except IntegrityError:
        # (expert, idempotency_key) is unique: the key was spent on another lease.
        raise Conflict(
            "judgment.key_reused", "this idempotency key was used for another lease"
        ) from None


def _replay(
    session: Session, *, actor: Actor, assignment_id: int, key: str | None
) -> Judgment | None:
    """The judgment a retry with ``key`` asks for, on a lease already submitted."""
    if key is None:
        return None
    existing = store.get_by_key(session, expert_id=actor.id, key=key)
    if existing is None:
        return None
    if existing.assignment_id != assignment_id:
        raise Conflict("judgment.key_reused", "this idempotency key was used for another lease")
    return existing


def stream_judgments(
    *, session: Session, actor: Actor | None, project_id: int
) -> Iterator[dict[str, Any]]:
    """Raw judgments of a project as plain rows, oldest first, in constant memory."""
    get_project_or_raise(session=session, actor=actor, project_id=project_id, policy="watch")
    for judgment, item in store.stream_judgments(session, project_id):
        yield {
            "judgment_id": judgment.id,
            "project_id": judgment.project_id,
            "item_id": item.id,
            "external_id": item.external_id,
            "expert_id": judgment.expert_id,
            "value": judgment.value,
            "rationale": judgment.rationale,
            "guideline_version": judgment.guideline_version,
            "active_seconds": round(judgment.active_seconds, 3),
            "created_at": judgment.created_at.isoformat(),
        }
