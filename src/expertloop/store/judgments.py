"""Judgments: insert, idempotency look-ups and streaming reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from expertloop.store import tallies
from expertloop.store.prepared import Prepared
from expertloop.store.tables import Item, Judgment

STREAM_CHUNK = 1000


_BY_KEY = select(Judgment).where(
    Judgment.expert_id == bindparam("expert_id"), Judgment.idempotency_key == bindparam("key")
)
_INSERTS: dict[tuple[str, ...], Prepared] = {}
"""Prepared INSERTs by the columns given (one set in practice: the submit path's)."""


def get_by_key(session: Session, *, expert_id: int, key: str) -> Judgment | None:
    return session.scalars(_BY_KEY, {"expert_id": expert_id, "key": key}).first()


def get_for_assignment(session: Session, assignment_id: int) -> Judgment | None:
    return session.scalars(select(Judgment).where(Judgment.assignment_id == assignment_id)).first()


def add_judgment(session: Session, *, values: dict[str, Any], now: datetime) -> Judgment:
    row = {**values, "created_at": now}
    keys = tuple(row)
    statement = _INSERTS.get(keys)
    if statement is None:
        statement = Prepared(insert(Judgment).returning(Judgment.id), keys=keys)
        _INSERTS[keys] = statement
    inserted = statement.first(session, row)
    assert inserted is not None
    tallies.add_judgment(
        session,
        project_id=row["project_id"],
        key=row["item_id"],
        active_seconds=row.get("active_seconds", 0.0),
    )
    return Judgment(id=inserted[0], **row)  # transient: read, never flushed


def stream_judgments(session: Session, project_id: int) -> Iterator[tuple[Judgment, Item]]:
    """Every judgment of a project with its item, oldest first, fetched in chunks."""
    query = (
        select(Judgment, Item)
        .join(Item, Item.id == Judgment.item_id)
        .where(Judgment.project_id == project_id)
        .order_by(Judgment.id)
        .execution_options(yield_per=STREAM_CHUNK)
    )
    for row in session.execute(query):
        yield row[0], row[1]
