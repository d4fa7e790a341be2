"""The lease queue's queries: resume, sweep expired leases, pick and lock the next item.

PostgreSQL: rows are locked with ``FOR UPDATE SKIP LOCKED`` so concurrent claimers never wait
on, nor take, the same free slot; items are locked in id order to keep sweeps deadlock-free.
SQLite: the whole write transaction holds the single writer lock (``BEGIN IMMEDIATE``), and
SQLAlchemy drops ``FOR UPDATE`` there. The claim reads one row from the ``ix_items_claim``
index, so its cost does not grow with the number of items.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from expertloop.core.lifecycles import AssignmentStatus, ItemState, item_state
from expertloop.core.routing import CLAIM_ORDER
from expertloop.store.tables import Assignment, Item, Judgment

ACTIVE = AssignmentStatus.ACTIVE.value


def get_live_lease(
    session: Session, *, expert_id: int, project_id: int, now: datetime
) -> Assignment | None:
    """The expert's own unexpired lease in this project, if any (the resume step)."""
    query = (
        select(Assignment)
        .where(
            Assignment.expert_id == expert_id,
            Assignment.project_id == project_id,
            Assignment.status == ACTIVE,
            Assignment.expires_at > now,
        )
        .order_by(Assignment.id)
        .limit(1)
    )
    return session.scalars(query).first()


def get_assignment(
    session: Session, assignment_id: int, *, lock: bool = False
) -> Assignment | None:
    query = select(Assignment).where(Assignment.id == assignment_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def expire_leases(session: Session, *, project_id: int, now: datetime) -> int:
    """End every lease of the project whose time ran out and give its slot back."""
    expired = session.execute(
        select(Assignment.id, Assignment.item_id)
        .where(
            Assignment.project_id == project_id,
            Assignment.status == ACTIVE,
            Assignment.expires_at <= now,
        )
        .order_by(Assignment.item_id)
        .with_for_update(skip_locked=True)
    ).all()
    if not expired:
        return 0
    session.execute(
        update(Assignment)
        .where(Assignment.id.in_([row.id for row in expired]))
        .values(status=AssignmentStatus.EXPIRED.value, ended_at=now)
    )
    for item_id, count in sorted(Counter(row.item_id for row in expired).items()):
        item = session.scalars(select(Item).where(Item.id == item_id).with_for_update()).one()
        move_item_counts(item, leases=-count)
    session.flush()
    return len(expired)


def lock_next_item(session: Session, *, project_id: int, expert_id: int) -> Item | None:
    """Lock the first open item this expert may take, in routing order, skipping locked rows."""
    seen = exists().where(Assignment.item_id == Item.id, Assignment.expert_id == expert_id)
    order = [
        getattr(Item, name).desc() if descending else getattr(Item, name).asc()
        for name, descending in CLAIM_ORDER
    ]
    query = (
        select(Item)
        .where(
            Item.project_id == project_id,
            Item.state == ItemState.OPEN.value,
            ~seen,
            or_(Item.author_id.is_(None), Item.author_id != expert_id),
        )
        .order_by(*order)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.scalars(query).first()


def add_assignment(
    session: Session, *, item: Item, expert_id: int, now: datetime, expires_at: datetime
) -> Assignment:
    assignment = Assignment(
        project_id=item.project_id,
        item_id=item.id,
        expert_id=expert_id,
        status=ACTIVE,
        created_at=now,
        expires_at=expires_at,
        last_seen_at=now,
        active_seconds=0.0,
    )
    session.add(assignment)
    item.started = True
    move_item_counts(item, leases=+1)
    session.flush()
    return assignment


def move_item_counts(item: Item, *, leases: int = 0, judgments: int = 0) -> None:
    """Change an item's counters and derive its state in the same step."""
    item.leases_count += leases
    item.judgments_count += judgments
    item.state = item_state(
        overlap=item.overlap, judgments=item.judgments_count, leases=item.leases_count
    ).value


def recount_items(
    session: Session, project_id: int, now: datetime
) -> list[tuple[int, int, int, int, int]]:
    """(item id, stored judgments, counted judgments, stored leases, counted live leases) for
    every item whose counters disagree with the rows they count. Empty means consistent."""
    judged = (
        select(Judgment.item_id, func.count().label("n"))
        .where(Judgment.project_id == project_id)
        .group_by(Judgment.item_id)
        .subquery()
    )
    leased = (
        select(Assignment.item_id, func.count().label("n"))
        .where(Assignment.project_id == project_id, Assignment.status == ACTIVE)
        .group_by(Assignment.item_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Item.id,
            Item.judgments_count,
            func.coalesce(judged.c.n, 0),
            Item.leases_count,
            func.coalesce(leased.c.n, 0),
        )
        .outerjoin(judged, judged.c.item_id == Item.id)
        .outerjoin(leased, leased.c.item_id == Item.id)
        .where(Item.project_id == project_id)
    ).all()
    return [tuple(row) for row in rows if row[1] != row[2] or row[3] != row[4]]
