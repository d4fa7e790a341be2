"""The raw export's fast read: a project's items in id order, ``CHUNK`` at a time, as flat
tuples with every JSON column left as the text the database holds (SQLite's stored text;
PostgreSQL's ``jsonb`` cast to text), so the writer can embed it without decoding it.

Timestamps come back as SQLite's text (``2026-12-02 10:00:00.000000``, UTC) or PostgreSQL's
aware ``datetime``; ``services.export_fast`` turns both into ISO 8601.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Text, cast, select, type_coerce
from sqlalchemy.orm import Session

from expertloop.store import exports
from expertloop.store.tables import Item

RawJudgment = tuple[int, int, str, str, int, float, str | None, str | datetime, str | None]
"""A judgment as the driver returns it (a plain tuple: there are millions): item id, expert id,
value (JSON text), rationale, guideline version, active seconds, review state, created_at, the
review's revised value (JSON text, None without one), in this order."""


CHUNK = exports.CHUNK


class RawConsensus(NamedTuple):
    value: str | None
    confidence: float | None
    state: str
    method: str


@dataclass(frozen=True)
class RawChunk:
    """Up to ``CHUNK`` items (id, external id) in id order, all their judgments (by item, then
    id) and their consensus rows by item id."""

    items: list[tuple[int, str | None]]
    judgments: list[RawJudgment]
    consensus: dict[int, RawConsensus]


def iter_raw_chunks(
    session: Session,
    project_id: int,
    *,
    chunk: int | None = None,
    after: int = 0,
    through: int | None = None,
) -> Iterator[RawChunk]:
    """The project's items ``chunk`` (default ``CHUNK``) at a time with their judgments and
    consensus, JSON as text: the items with ids above ``after`` and up to ``through`` (all
    by default)."""
    chunk = chunk or CHUNK
    sqlite = session.get_bind().dialect.name == "sqlite"
    last = after
    while True:
        query = (
            select(Item.id, Item.external_id)
            .where(Item.project_id == project_id, Item.id > last)
            .order_by(Item.id)
            .limit(chunk)
        )
        if through is not None:
            query = query.where(Item.id <= through)
        items = [(int(i), external) for i, external in _fetch(session, query)]
        if not items:
            return
        ids = [item_id for item_id, _ in items]
        judgments: list[RawJudgment] = _fetch(session, _judgments(ids, sqlite))
        consensus = {
            row[0]: RawConsensus(*row[1:]) for row in _fetch(session, _consensus(ids, sqlite))
        }
        yield RawChunk(items, judgments, consensus)
        last = items[-1][0]


def item_bounds(session: Session, project_id: int, total: int, parts: int) -> list[int]:
    """Item ids that cut the project's ``total`` items into ``parts`` runs of about the same
    size: the last id of each run but the last (fewer when there are fewer items than parts)."""
    bounds: list[int] = []
    for part in range(1, parts):
        offset = total * part // parts - 1
        if offset < 0:
            continue
        query = (
            select(Item.id)
            .where(Item.project_id == project_id)
            .order_by(Item.id)
            .offset(offset)
            .limit(1)
        )
        found = session.scalar(query)
        if found is not None and (not bounds or found > bounds[-1]):
            bounds.append(int(found))
    return bounds


def _fetch(session: Session, query: Any) -> list[Any]:
    """All rows of a query as the driver's tuples: compiled for the dialect and run on the
    DBAPI cursor, skipping SQLAlchemy's per-row result work (three times faster on SQLite);
    fine for these queries, whose columns need no result processing."""
    connection = session.connection()
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params = compiled.params
    positions = compiled.positiontup
    arguments = tuple(params[name] for name in positions) if positions else params
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), arguments)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _text(column: Any, sqlite: bool) -> Any:
    """A JSON column as its text: SQLite stores text already; ``jsonb`` is cast."""
    return type_coerce(column, Text) if sqlite else cast(column, Text)


def _judgments(item_ids: list[int], sqlite: bool) -> Any:
    return exports.judgments_query(item_ids, lambda column: _text(column, sqlite), sqlite)


def _consensus(item_ids: list[int], sqlite: bool) -> Any:
    return exports.consensus_query(item_ids, lambda column: _text(column, sqlite))
