"""The lease queue's queries: resume, sweep expired leases, pick and lock the next item.

PostgreSQL: rows are locked with ``FOR UPDATE SKIP LOCKED`` so concurrent claimers never wait
on, nor take, the same free slot; items are locked in id order to keep sweeps deadlock-free.
SQLite: the whole write transaction holds the single writer lock (``BEGIN IMMEDIATE``), and
SQLAlchemy drops ``FOR UPDATE`` there. A claim walks the ``ix_items_claim`` index
``(project_id, state, started, priority DESC, id)`` in the routing order of one tier and stops at
the first item the expert may take: its cost does not grow with the number of items, nor with
the expert's history (``core.routing`` bounds the started items it looks at).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import (
    bindparam,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from expertloop.core.lifecycles import AssignmentStatus, ItemState, ReviewState, item_state
from expertloop.core.routing import STARTED_WINDOW, TIER_ORDER
from expertloop.store.prepared import Prepared, columns_of
from expertloop.store.tables import LIVE_LEASE, Assignment, Item, Judgment, Project

ACTIVE = AssignmentStatus.ACTIVE.value

# The hot statements are built once, with bound parameters, and the claim and submit paths run
# them on the driver's cursor (``store.prepared``): SQLAlchemy's per-call work cost more than
# the queries.
_ASSIGNMENT = select(Assignment).where(Assignment.id == bindparam("assignment_id"))
_ASSIGNMENT_LOCKED = _ASSIGNMENT.with_for_update()
_LEASE_IN_PROJECT = Prepared(
    select(*columns_of(Assignment), *columns_of(Project))
    .join(Project, Project.id == Assignment.project_id)
    .where(Assignment.id == bindparam("assignment_id"))
    .with_for_update(key_share=True, of=Assignment)
)
_OWN_LIVE_LEASE = (
    select(func.min(Assignment.id))
    .where(
        Assignment.expert_id == bindparam("expert_id"),
        Assignment.project_id == bindparam("project_id"),
        LIVE_LEASE,
        Assignment.expires_at > bindparam("now"),
    )
    .scalar_subquery()
)
_PROJECT_AND_LIVE_LEASE = Prepared(
    select(*columns_of(Project), *columns_of(Assignment))
    .outerjoin(Assignment, Assignment.id == _OWN_LIVE_LEASE)
    .where(Project.id == bindparam("project_id"))
)
# No ORDER BY: the item counters are moved in item order afterwards (``expire_leases``), and
# SKIP LOCKED never waits, so the sweep cannot deadlock.
_EXPIRED = Prepared(
    select(Assignment.id, Assignment.item_id)
    .where(
        Assignment.project_id == bindparam("project_id"),
        LIVE_LEASE,
        Assignment.expires_at <= bindparam("now"),
    )
    .with_for_update(skip_locked=True, key_share=True)
)
_MOVE_COUNTS = Prepared(
    update(Item)
    .where(Item.id == bindparam("item_id"))
    .values(
        leases_count=Item.leases_count + bindparam("leases"),
        judgments_count=Item.judgments_count + bindparam("judgments"),
    )
    .returning(Item.overlap, Item.judgments_count, Item.leases_count, Item.state)
)
_SET_STATE = Prepared(
    update(Item).where(Item.id == bindparam("item_id")).values(state=bindparam("state"))
)


def _sql_literal(value: str | int) -> Any:
    """A constant written into the SQL itself, not bound: PostgreSQL plans a prepared claim
    once for all calls, and only a written ``state = 'open'`` and ``LIMIT 1`` let that plan
    rely on the claim index's order."""
    return literal_column(f"'{value}'" if isinstance(value, str) else str(int(value)))


_OPEN_IN_TIER = (
    Item.project_id == bindparam("project_id"),
    Item.state == _sql_literal(ItemState.OPEN.value),
)
# OFFSET 0 keeps "had it already" a probe of the (item, expert) unique index per candidate:
# PostgreSQL would otherwise plan it as an anti-join that reads all the expert's leases.
_HAD: Any = (
    select(literal_column("1"))
    .where(Assignment.item_id == Item.id, Assignment.expert_id == bindparam("expert_id"))
    .offset(_sql_literal(0))
)
_ELIGIBLE = (
    ~_HAD.exists(),
    or_(Item.author_id.is_(None), Item.author_id != bindparam("expert_id")),
)


def _in_tier_order(columns: Any) -> list[Any]:
    """``TIER_ORDER`` over ``columns`` (the items table's, or a subquery's)."""
    return [
        getattr(columns, name).desc() if descending else getattr(columns, name).asc()
        for name, descending in TIER_ORDER
    ]


def _next_in_tier(*, started: bool, window: int | None = None) -> Prepared:
    """The first item of one routing tier this expert may take, locked, skipping locked rows;
    with ``window``, only among the tier's first ``window`` items."""
    tier = (*_OPEN_IN_TIER, Item.started.is_(started))
    query = select(*columns_of(Item)).order_by(*_in_tier_order(Item))
    if window is not None:
        # The window is read from the index alone and drives the look-ups (SQLite sorts its
        # at most ``window`` rows): the claim never walks the tier past it.
        first = select(Item.id, Item.priority).where(*tier).order_by(*_in_tier_order(Item))
        near = first.limit(_sql_literal(window)).subquery("near")
        query = (
            select(*columns_of(Item))
            .select_from(near.join(Item, Item.id == near.c.id))
            .order_by(*_in_tier_order(near.c))
        )
    # The tier's conditions stay on the locked rows themselves: PostgreSQL checks them again on
    # a row that another claim changed after this one's snapshot.
    return Prepared(
        query.where(*tier, *_ELIGIBLE)
        .limit(_sql_literal(1))
        .with_for_update(skip_locked=True, key_share=True, of=Item)
    )


CLAIM_TIERS = (
    _next_in_tier(started=True, window=STARTED_WINDOW),
    _next_in_tier(started=False),
    _next_in_tier(started=True),
)
"""The claim's statements in ``core.routing`` order: started items in the window, fresh items,
started items beyond the window (which the third statement reaches only when the first two found
nothing, so it may read the window's items again)."""
_LEASE_COLUMNS = (
    "project_id",
    "item_id",
    "expert_id",
    "status",
    "created_at",
    "expires_at",
    "last_seen_at",
    "active_seconds",
)
_INSERT_ASSIGNMENT = Prepared(insert(Assignment).returning(Assignment.id), keys=_LEASE_COLUMNS)
_UPDATE_ITEM = Prepared(
    update(Item)
    .where(Item.id == bindparam("item_id"))
    .values(
        leases_count=bindparam("leases_count"),
        state=bindparam("state"),
        started=bindparam("started"),
    )
)
_END_ASSIGNMENT = Prepared(
    update(Assignment)
    .where(Assignment.id == bindparam("assignment_id"))
    .values(status=bindparam("status"), ended_at=bindparam("now"))
)


def project_and_live_lease(
    session: Session, *, project_id: int, expert_id: int, now: datetime
) -> tuple[Project | None, Assignment | None]:
    """The project (transient, read only) and the expert's own unexpired lease in it, if any,
    in one query: the first step of a claim."""
    params = {"project_id": project_id, "expert_id": expert_id, "now": now}
    found = _PROJECT_AND_LIVE_LEASE.first_split((Project, Assignment), session, params)
    if found is None:
        return None, None
    project, lease = found
    return project, lease


def lease_in_project(session: Session, assignment_id: int) -> tuple[Assignment, Project] | None:
    """A lease row locked for this transaction and its project, both transient (read, never
    flushed), in one query: the first step of a submit, which writes the lease's end itself
    (``end_assignment``)."""
    found = _LEASE_IN_PROJECT.first_split(
        (Assignment, Project), session, {"assignment_id": assignment_id}
    )
    if found is None:
        return None
    lease, project = found
    return lease, project


def get_assignment(
    session: Session, assignment_id: int, *, lock: bool = False
) -> Assignment | None:
    query = _ASSIGNMENT_LOCKED if lock else _ASSIGNMENT
    return session.scalars(query, {"assignment_id": assignment_id}).first()


def expire_leases(session: Session, *, project_id: int, now: datetime) -> int:
    """End every lease of the project whose time ran out and give its slot back."""
    expired = _EXPIRED.all(session, {"project_id": project_id, "now": now})
    if not expired:
        return 0
    session.execute(
        update(Assignment)
        .where(Assignment.id.in_([lease_id for lease_id, _ in expired]))
        .values(status=AssignmentStatus.EXPIRED.value, ended_at=now)
    )
    for item_id, count in sorted(Counter(item_id for _, item_id in expired).items()):
        move_item_counts(session, item_id, leases=-count)
    return len(expired)


def lock_next_item(session: Session, *, project_id: int, expert_id: int) -> Item | None:
    """Lock the first open item this expert may take, in routing order (``core.routing``),
    skipping locked rows: each tier is one indexed statement that stops at its first match.

    The item comes back transient (read, never flushed): ``add_assignment`` writes its counters.
    """
    params = {"project_id": project_id, "expert_id": expert_id}
    for statement in CLAIM_TIERS:
        item = statement.first_as(Item, session, params)
        if item is not None:
            return item
    return None


def add_assignment(
    session: Session, *, item: Item, expert_id: int, now: datetime, expires_at: datetime
) -> Assignment:
    """Lease a locked item to an expert: one INSERT and one UPDATE of the item's counters."""
    values = {
        "project_id": item.project_id,
        "item_id": item.id,
        "expert_id": expert_id,
        "status": ACTIVE,
        "created_at": now,
        "expires_at": expires_at,
        "last_seen_at": now,
        "active_seconds": 0.0,
    }
    row = _INSERT_ASSIGNMENT.first(session, values)
    assert row is not None
    assignment = Assignment(id=row[0], **values)  # transient: read, never flushed
    leases = item.leases_count + 1
    state = item_state(
        overlap=item.overlap, judgments=item.judgments_count, leases=leases, current=item.state
    ).value
    _UPDATE_ITEM.execute(
        session, {"item_id": item.id, "leases_count": leases, "state": state, "started": True}
    )
    for name, value in (("leases_count", leases), ("state", state), ("started", True)):
        set_committed_value(item, name, value)
    return assignment


def end_assignment(session: Session, assignment: Assignment, *, status: str, now: datetime) -> None:
    """Write a lease's end (its item's counters are moved by ``move_item_counts``)."""
    _END_ASSIGNMENT.execute(session, {"assignment_id": assignment.id, "status": status, "now": now})
    set_committed_value(assignment, "status", status)
    set_committed_value(assignment, "ended_at", now)


def move_item_counts(session: Session, item_id: int, *, leases: int = 0, judgments: int = 0) -> str:
    """Change an item's counters and derive its state in the same transaction; returns it.

    The UPDATE locks the row and returns the new counts; the state is written by a second
    UPDATE only when it changes (an item filling up, completing or reopening).
    """
    values = {"item_id": item_id, "leases": leases, "judgments": judgments}
    row = _MOVE_COUNTS.first(session, values)
    if row is None:
        raise LookupError(f"item {item_id} does not exist")
    overlap, judgments_count, leases_count, current = row
    state = item_state(
        overlap=overlap, judgments=judgments_count, leases=leases_count, current=current
    ).value
    if state != current:
        _SET_STATE.execute(session, {"item_id": item_id, "state": state})
    return state


def recount_items(
    session: Session, project_id: int, now: datetime
) -> list[tuple[int, int, int, int, int]]:
    """(item id, stored judgments, counted judgments, stored leases, counted live leases) for
    every item whose counters disagree with the rows they count. Empty means consistent."""
    rejected = ReviewState.REJECTED.value  # a rejected judgment gave its slot back
    judged = (
        select(Judgment.item_id, func.count().label("n"))
        .where(Judgment.project_id == project_id)
        .where(or_(Judgment.review_state.is_(None), Judgment.review_state != rejected))
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
