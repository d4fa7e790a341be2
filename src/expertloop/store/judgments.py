"""Judgments: insert, idempotency look-ups and streaming reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertloop.store.tables import Item, Judgment

STREAM_CHUNK = 1000


def get_by_key(session: Session, *, expert_id: int, key: str) -> Judgment | None:
    query = select(Judgment).where(Judgment.expert_id == expert_id, Judgment.idempotency_key == key)
    return session.scalars(query).first()


def get_for_assignment(session: Session, assignment_id: int) -> Judgment | None:
    return session.scalars(select(Judgment).where(Judgment.assignment_id == assignment_id)).first()


def add_judgment(session: Session, *, values: dict[str, Any], now: datetime) -> Judgment:
    judgment = Judgment(**values, created_at=now)
    session.add(judgment)
    session.flush()
    return judgment


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
