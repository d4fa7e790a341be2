"""Bulk inserts for benchmarks only: rows straight into a table with one ``executemany`` per
batch, bypassing the ORM unit of work (no identity map, no per-object events).

Nothing here checks what the rows hold; the callers (``services.export_bench``) build rows the
ordinary use cases would have written. It flushes nothing else and never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from expertloop.store.tables import (
    Assignment,
    Consensus,
    ExpertProfile,
    Item,
    Judgment,
    Project,
    User,
)

TABLES: dict[str, Any] = {
    "users": User,
    "expert_profiles": ExpertProfile,
    "projects": Project,
    "items": Item,
    "assignments": Assignment,
    "judgments": Judgment,
    "consensus": Consensus,
}


def _table(name: str) -> Table:
    table = TABLES[name].__table__
    assert isinstance(table, Table)
    return table


def insert_rows(session: Session, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (column name to value) into ``table`` with one ``executemany``."""
    if rows:
        session.execute(insert(_table(table)), list(rows))


def insert_returning_ids(session: Session, table: str, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` into ``table`` and return their new ids, in the order of ``rows``."""
    if not rows:
        return []
    target = _table(table)
    query = insert(target).returning(target.c.id, sort_by_parameter_order=True)
    return [int(row[0]) for row in session.execute(query, list(rows))]
