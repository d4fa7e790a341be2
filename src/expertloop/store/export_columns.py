"""The raw export's fast read: a project's items in id order, ``CHUNK`` at a time, as flat
tuples with every JSON column left as the text the database holds (SQLite's stored text;
PostgreSQL's ``jsonb`` cast to text), so the writer can embed it without decoding it.

Timestamps come back as SQLite's text (``2026-12-02 10:00:00.000000``, UTC) or PostgreSQL's
aware ``datetime``; ``services.export_fast`` turns both into ISO 8601.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Integer, Text, bindparam, cast, func, literal_column, select, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY
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


class ItemTexts(NamedTuple):
    """What training rows read of an item: its prompt and responses as JSON text, its state."""

    prompt: str
    responses: str | None
    state: str


@dataclass(frozen=True)
class Window:
    """Which judgments and what more of the items a fast read takes: judgments made at or
    after ``since`` and before ``until`` (all by default); with ``metadata``, each item's
    metadata as JSON text (for the ``metadata`` filter)."""

    since: datetime | None = None
    until: datetime | None = None
    metadata: bool = False


EVERYTHING = Window()


@dataclass(frozen=True)
class RawChunk:
    """Up to ``CHUNK`` items (id, external id) in id order, all their judgments (by item, then
    id), their consensus rows by item id and, when asked for, their texts by item id."""

    items: list[tuple[int, str | None]]
    judgments: list[RawJudgment]
    consensus: dict[int, RawConsensus]
    texts: dict[int, ItemTexts] = field(default_factory=dict)
    metadata: dict[int, str | None] = field(default_factory=dict)
    """Each item's metadata as JSON text, when the read's ``Window`` asks for it."""


def iter_raw_chunks(
    session: Session,
    project_id: int,
    *,
    chunk: int | None = None,
    after: int = 0,
    through: int | None = None,
    texts: bool = False,
    window: Window = EVERYTHING,
) -> Iterator[RawChunk]:
    """The project's items ``chunk`` (default ``CHUNK``) at a time with their judgments and
    consensus, JSON as text: the items with ids above ``after`` and up to ``through`` (all
    by default); with ``texts``, each item's ``ItemTexts`` too; the judgments and metadata
    ``window`` says."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    extra: list[Any] = []
    if texts:
        extra += (_text(Item.prompt, sqlite), _text(Item.responses, sqlite), Item.state)
    if window.metadata:
        extra.append(_text(Item.metadata_, sqlite))
    query = (
        select(Item.id, Item.external_id, *extra)
        .where(Item.project_id == project_id, Item.id > bindparam("after", type_=Integer))
        .order_by(Item.id)
        .limit(chunk or CHUNK)
    )
    if through is not None:
        query = query.where(Item.id <= through)
    among = _among(sqlite)
    judged = exports.judgments_query(among, _texts(sqlite), sqlite, window.since, window.until)
    reads = [
        _Statement(session, q)
        for q in (query, judged, exports.consensus_query(among, _texts(sqlite)))
    ]
    pick = _picked if sqlite else list
    last = after
    while found := reads[0].fetch(after=last):
        items = [(int(row[0]), row[1]) for row in found]
        ids = pick([item_id for item_id, _ in items])
        judgments: list[RawJudgment] = reads[1].fetch(ids=ids)
        consensus = {row[0]: RawConsensus(*row[1:]) for row in reads[2].fetch(ids=ids)}
        held = {int(row[0]): ItemTexts(*row[2:5]) for row in found} if texts else {}
        metadata = {int(row[0]): row[-1] for row in found} if window.metadata else {}
        yield RawChunk(items, judgments, consensus, held, metadata)
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


class _Statement:
    """A query compiled once for the session's dialect, then run on the DBAPI cursor as often
    as needed with new values for its parameters: no SQLAlchemy compile or result rows per
    run (compiling an ``IN`` list of a chunk's ids each time cost more than the reading).
    Parameters go through their types' bind processing (a ``since`` bound becomes the text
    SQLite stores); columns come back as the driver gives them (none of these needs more)."""

    def __init__(self, session: Session, query: Any) -> None:
        self.connection = session.connection()
        dialect = self.connection.dialect
        self.compiled = query.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        self.sql = str(self.compiled)
        self.processors = {
            name: processor
            for name, bound in self.compiled.binds.items()
            if (processor := bound.type.bind_processor(dialect)) is not None
        }

    def fetch(self, **values: Any) -> list[Any]:
        """All rows, as tuples, with ``values`` for the named parameters."""
        compiled = self.compiled
        params = compiled.construct_params(values) if values else compiled.params
        for name, processor in self.processors.items():
            if name in params:
                params[name] = processor(params[name])
        positions = compiled.positiontup
        arguments = tuple(params[name] for name in positions) if positions else params
        cursor = self.connection.connection.cursor()
        try:
            cursor.execute(self.sql, arguments)
            return list(cursor.fetchall())
        finally:
            cursor.close()


def _among(sqlite: bool) -> exports.Among:
    """A chunk's items as one parameter, ``ids``: a JSON array read by ``json_each`` on
    SQLite, an array on PostgreSQL (``= ANY``); the statement's text is the same for every
    chunk."""
    if sqlite:
        listed: Any = select(literal_column("value")).select_from(func.json_each(bindparam("ids")))
        return lambda column: column.in_(listed.scalar_subquery())
    ids = bindparam("ids", type_=ARRAY(Integer))
    return lambda column: column == func.any(ids)


def _picked(ids: list[int]) -> str:
    """Item ids as the JSON array SQLite's ``json_each`` reads."""
    return "[" + ",".join(map(str, ids)) + "]"


def _text(column: Any, sqlite: bool) -> Any:
    """A JSON column as its text: SQLite stores text already; ``jsonb`` is cast."""
    return type_coerce(column, Text) if sqlite else cast(column, Text)


def _texts(sqlite: bool) -> exports.JsonColumn:
    return lambda column: _text(column, sqlite)
