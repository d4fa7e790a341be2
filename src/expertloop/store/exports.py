"""Exports: a project's items in id order with their judgments and consensus, read in chunks
as plain tuples (constant memory; no ORM objects: the queries run on the session's connection,
skipping the ORM's result processing), the instance's pseudonym key, the panel."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Text, func, select, type_coerce
from sqlalchemy.orm import Session

from expertloop.store.tables import (
    Consensus,
    ExpertProfile,
    InstanceSecret,
    Item,
    Judgment,
    Qualification,
    Review,
    Track,
)

CHUNK = 2000
PANEL_BATCH = 500
"""Experts looked up per query for the panel (the judgments are scanned for them once)."""
GRANTED = "granted"


class ItemRow(NamedTuple):
    id: int
    external_id: str | None
    prompt: Any
    context: str | None
    responses: Any
    data: dict[str, Any]
    metadata: dict[str, Any]
    state: str


class JudgmentRow(NamedTuple):
    item_id: int
    expert_id: int
    value: dict[str, Any]
    rationale: str
    guideline_version: int
    active_seconds: float
    review_state: str | None
    created_at: datetime
    revised_value: dict[str, Any] | None


class ConsensusRow(NamedTuple):
    item_id: int
    value: dict[str, Any] | None
    confidence: float | None
    state: str
    method: str


@dataclass(frozen=True)
class Chunk:
    """Up to ``CHUNK`` items in id order, their judgments (by item, oldest first) and
    consensus rows by item."""

    items: list[ItemRow]
    judgments: dict[int, list[JudgmentRow]]
    consensus: dict[int, ConsensusRow]


def _loads(text: str | bytes | None) -> Any:
    """JSON text as SQLite holds it, decoded (orjson; ``json`` for what orjson refuses,
    e.g. ``NaN`` or integers past 64 bits)."""
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _same(value: Any) -> Any:
    return value


def _moment(text: str | datetime) -> datetime:
    """A timestamp as SQLite holds it (UTC, ``2026-12-02 10:00:00.000000``), aware."""
    if isinstance(text, datetime):
        return text
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _json(column: Any, sqlite: bool) -> Any:
    """A JSON column read as its text on SQLite (decoded by ``_loads``, several times faster
    than SQLAlchemy's ``json.loads`` per value); PostgreSQL's driver decodes ``jsonb`` itself."""
    return type_coerce(column, Text) if sqlite else column


def export_salt(session: Session) -> str:
    """The instance's pseudonym key (made by migration 0006)."""
    return session.scalars(
        select(InstanceSecret.value).where(InstanceSecret.name == "export_salt")
    ).one()


def count_items(session: Session, project_id: int) -> int:
    """How many items the project has (for progress)."""
    query = select(func.count()).select_from(Item).where(Item.project_id == project_id)
    return int(session.scalar(query) or 0)


def has_chat_prompt(session: Session, project_id: int) -> bool:
    """Whether any of the project's items has a chat prompt (a JSON array, not a text)."""
    if session.get_bind().dialect.name == "postgresql":
        chat = func.jsonb_typeof(Item.prompt) == "array"
    else:  # SQLite holds json.dumps text: an array starts with "[" (no JSON parsed per item)
        chat = func.substr(type_coerce(Item.prompt, Text), 1, 1) == "["
    query = select(Item.id).where(Item.project_id == project_id, chat).limit(1)
    return session.scalar(query) is not None


def iter_chunks(
    session: Session,
    project_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    chunk: int = CHUNK,
) -> Iterator[Chunk]:
    """The project's items in id order, ``chunk`` at a time, with what exports need of them.

    ``since`` / ``until`` bound the judgments read (made at or after ``since``, before
    ``until``); every other filter is applied by the caller.
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    loads = _loads if sqlite else _same
    columns = (Item.id, Item.external_id, _json(Item.prompt, sqlite), Item.context)
    json_columns = (Item.responses, Item.data, Item.metadata_)
    last = 0
    while True:
        query = (
            select(*columns, *(_json(c, sqlite) for c in json_columns), Item.state)
            .where(Item.project_id == project_id, Item.id > last)
            .order_by(Item.id)
            .limit(chunk)
        )
        items = [
            ItemRow(i, external, loads(prompt), context, loads(responses), loads(d), loads(m), st)
            for i, external, prompt, context, responses, d, m, st in _rows(session, query)
        ]
        if not items:
            return
        ids = [item.id for item in items]
        judgments = _judgments(session, ids, since, until, sqlite)
        yield Chunk(items, judgments, _consensus(session, ids, sqlite))
        last = ids[-1]


def _rows(session: Session, query: Any) -> Sequence[Any]:
    """All rows of a query on the session's connection (Core: no ORM result processing)."""
    return session.connection().execute(query).all()


JsonColumn = Callable[[Any], Any]
"""How a query selects a JSON column (as it is, or as its text)."""
Among = Callable[[Any], Any]
"""Which items a query reads: their id column to the ``WHERE`` condition."""


def _among(item_ids: Sequence[int]) -> Among:
    return lambda column: column.in_(item_ids)


def judgments_query(
    among: Among,
    json_column: JsonColumn,
    sqlite: bool,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Any:
    """The judgments of the items ``among`` picks with their review's revision, by item,
    oldest first: item id, expert id, value, rationale, guideline version, active seconds,
    review state, created_at (SQLite's text on SQLite), revised value; only those made at or
    after ``since`` and before ``until`` when given."""
    query = (
        select(
            Judgment.item_id,
            Judgment.expert_id,
            json_column(Judgment.value),
            Judgment.rationale,
            Judgment.guideline_version,
            Judgment.active_seconds,
            Judgment.review_state,
            type_coerce(Judgment.created_at, Text) if sqlite else Judgment.created_at,
            json_column(Review.revised_value),
        )
        .outerjoin(Review, Review.judgment_id == Judgment.id)
        .where(among(Judgment.item_id))
        .order_by(Judgment.item_id, Judgment.id)
    )
    if since is not None:
        query = query.where(Judgment.created_at >= since)
    if until is not None:
        query = query.where(Judgment.created_at < until)
    return query


def consensus_query(among: Among, json_column: JsonColumn) -> Any:
    """The consensus of the items ``among`` picks: item id, value, confidence, state, method."""
    return select(
        Consensus.item_id,
        json_column(Consensus.value),
        Consensus.confidence,
        Consensus.state,
        Consensus.method,
    ).where(among(Consensus.item_id))


def _judgments(
    session: Session,
    item_ids: Sequence[int],
    since: datetime | None,
    until: datetime | None,
    sqlite: bool,
) -> dict[int, list[JudgmentRow]]:
    query = judgments_query(
        _among(item_ids), lambda column: _json(column, sqlite), sqlite, since, until
    )
    found: dict[int, list[JudgmentRow]] = defaultdict(list)
    loads, moment = (_loads, _moment) if sqlite else (_same, _same)
    for item, expert, value, rationale, version, seconds, state, made, revised in _rows(
        session, query
    ):
        row = JudgmentRow(
            item,
            expert,
            loads(value),
            rationale,
            version,
            seconds,
            state,
            moment(made),
            loads(revised),
        )
        found[item].append(row)
    return found


def _consensus(session: Session, item_ids: Sequence[int], sqlite: bool) -> dict[int, ConsensusRow]:
    query = consensus_query(_among(item_ids), lambda column: _json(column, sqlite))
    loads = _loads if sqlite else _same
    return {
        item: ConsensusRow(item, loads(value), confidence, state, method)
        for item, value, confidence, state, method in _rows(session, query)
    }


def expert_panel(
    session: Session, project_id: int
) -> dict[int, tuple[tuple[str, ...], dict[str, Any]]]:
    """Every expert who judged in the project: their granted tracks (sorted) and background
    attributes."""
    experts = select(Judgment.expert_id).where(Judgment.project_id == project_id).distinct()
    ids = sorted(session.scalars(experts))
    tracks: dict[int, set[str]] = defaultdict(set)
    attributes: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), PANEL_BATCH):
        batch = ids[start : start + PANEL_BATCH]
        granted = (
            select(Qualification.expert_id, Track.name)
            .join(Track, Track.id == Qualification.track_id)
            .where(Qualification.expert_id.in_(batch), Qualification.status == GRANTED)
        )
        for expert_id, track in session.execute(granted):
            tracks[expert_id].add(track)
        profiles = select(ExpertProfile.user_id, ExpertProfile.attributes).where(
            ExpertProfile.user_id.in_(batch)
        )
        attributes.update((row[0], dict(row[1] or {})) for row in session.execute(profiles))
    return {i: (tuple(sorted(tracks[i])), attributes.get(i, {})) for i in ids}
