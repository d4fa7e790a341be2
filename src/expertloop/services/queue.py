"""Use cases of the lease queue: claim the next item, keep a lease alive, release it.

Each function is one transaction. Routing order lives in ``core.routing``; locking lives in
``store.queue``; this module glues them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from expertloop.core.errors import NotFound
from expertloop.core.leases import active_seconds_between, lease_expiry, require_live
from expertloop.core.lifecycles import AssignmentStatus, ProjectStatus, check_assignment_transition
from expertloop.core.policies import Actor
from expertloop.services.eligibility import require_eligible
from expertloop.services.gold import gold_turn
from expertloop.services.projects import allowed_for_work, get_project_or_raise
from expertloop.store import Session
from expertloop.store import items as item_store
from expertloop.store import queue as store
from expertloop.store.tables import Assignment, Item, Project


@dataclass(frozen=True)
class Claim:
    """A lease and the item it reserves."""

    assignment: Assignment
    item: Item


def claim_next(*, session: Session, actor: Actor, project_id: int, now: datetime) -> Claim | None:
    """Reserve the next item for this expert, or None when nothing is left for them.

    Order: the expert's own live lease (resume), then a gold item when the project's gold
    policy says one is due, then started items, priority, age.

    Raises:
        Forbidden: ``eligibility.not_qualified`` when the expert does not meet the project's
            requirements (a suspended qualification stops even a resume).
    """
    found, live = store.project_and_live_lease(
        session, project_id=project_id, expert_id=actor.id, now=now
    )
    project = allowed_for_work(found, actor=actor, project_id=project_id)
    require_eligible(session, project=project, actor=actor)
    if live is not None:
        item = item_store.get_item(session, live.item_id)
        assert item is not None
        session.commit()
        return Claim(live, item)
    if project.status != ProjectStatus.ACTIVE.value:
        session.commit()
        return None
    store.expire_leases(session, project_id=project.id, now=now)
    turn = gold_turn(session, project=project, expert_id=actor.id, now=now)
    item = turn.item or store.lock_next_item(session, project_id=project.id, expert_id=actor.id)
    if item is None:
        session.commit()
        return None
    turn.count_claim(gold=turn.item is not None)
    assignment = store.add_assignment(
        session,
        item=item,
        expert_id=actor.id,
        now=now,
        expires_at=lease_expiry(now, project.lease_seconds),
    )
    session.commit()
    return Claim(assignment, item)


def lock_assignment(session: Session, assignment_id: int, *, lock: bool = True) -> Assignment:
    """Lock a lease row for this transaction (concurrent calls on it wait here).

    ``lock=False`` only reads it, for checks made in a read-only session.
    """
    assignment = store.get_assignment(session, assignment_id, lock=lock)
    if assignment is None:
        raise NotFound("lease.not_found", f"assignment {assignment_id} does not exist")
    return assignment


def lock_lease_in_project(session: Session, assignment_id: int) -> tuple[Assignment, Project]:
    """A lease locked for this transaction (a concurrent submit of it waits here) and its
    project, both transient: the submit path reads them and writes the lease's end itself.

    Raises:
        NotFound: ``lease.not_found``.
    """
    found = store.lease_in_project(session, assignment_id)
    if found is None:
        raise NotFound("lease.not_found", f"assignment {assignment_id} does not exist")
    return found


def check_live(assignment: Assignment, *, actor: Actor, now: datetime) -> None:
    require_live(
        status=AssignmentStatus(assignment.status),
        expires_at=assignment.expires_at,
        now=now,
        owner_id=assignment.expert_id,
        actor_id=actor.id,
    )


def load_live_lease(
    session: Session, *, actor: Actor, assignment_id: int, now: datetime, lock: bool = True
) -> Assignment:
    """The actor's live lease (locked unless ``lock=False``), or ``lease.*`` errors."""
    assignment = lock_assignment(session, assignment_id, lock=lock)
    check_live(assignment, actor=actor, now=now)
    return assignment


def heartbeat(
    *, session: Session, actor: Actor, assignment_id: int, now: datetime, active: bool = True
) -> Assignment:
    """Extend a live lease by the project's lease time; credit active time unless idle."""
    assignment = load_live_lease(session, actor=actor, assignment_id=assignment_id, now=now)
    project = get_project_or_raise(
        session=session, actor=actor, project_id=assignment.project_id, policy="work"
    )
    if active:
        assignment.active_seconds += active_seconds_between(assignment.last_seen_at, now)
    assignment.last_seen_at = now
    assignment.expires_at = lease_expiry(now, project.lease_seconds)
    session.commit()
    return assignment


def release(*, session: Session, actor: Actor, assignment_id: int, now: datetime) -> Assignment:
    """Skip an item: end the lease and return its slot to the pool."""
    assignment = load_live_lease(session, actor=actor, assignment_id=assignment_id, now=now)
    end_lease(session, assignment, AssignmentStatus.RELEASED, now)
    session.commit()
    return assignment


def end_lease(
    session: Session, assignment: Assignment, target: AssignmentStatus, now: datetime
) -> str:
    """Move a live lease to ``target`` and update its item's counters (no commit).

    Returns the item's new state.
    """
    check_assignment_transition(AssignmentStatus(assignment.status), target)
    store.end_assignment(session, assignment, status=target.value, now=now)
    spent = target is AssignmentStatus.SUBMITTED
    return store.move_item_counts(
        session, assignment.item_id, leases=-1, judgments=1 if spent else 0
    )
