"""Reading for the fast ``raw`` export: the store's flat tuples, chunk by chunk, shaped into
``FastItem``s (pseudonyms, tracks, reviewer revisions, ISO timestamps, each item's agreement)
with the database's JSON texts kept as they are; values are decoded only for the agreement,
through a small cache keyed by their text."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson

from expertloop.core.exports.records import pseudonym
from expertloop.core.exports.selection import LABEL_LIKE
from expertloop.store import Session
from expertloop.store import export_columns as columns
from expertloop.store import exports as store

REVISED = "revised"
REJECTED = "rejected"
ADJUDICATED = "adjudicated"
STORED = len("2026-12-02 10:00:00.000000")
CACHE = 4096
"""Decoded values kept (by their JSON text) before the cache starts afresh."""


def loads(text: str) -> Any:
    """JSON text decoded (``json`` for what orjson refuses: ``NaN``, integers past 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


FastJudgment = tuple[str, list[str], str, str, int, float, str | None, str]
"""One judgment as its rows need it (a plain tuple: there are millions): expert pseudonym, the
expert's tracks (sorted), value as JSON text (a revision applied), rationale, guideline
version, active seconds, review state, ``created_at`` in ISO 8601."""


class FastConsensus(NamedTuple):
    """An item's consensus, its value as JSON text; ``agreement`` as ``item_agreement``."""

    value: str
    confidence: float
    state: str
    method: str
    agreement: float | None
    adjudicated: bool


class FastItem(NamedTuple):
    """An item with judgments, ready to be written: the consensus ``None`` when it has none."""

    item_id: int
    external_id: str | None
    judgments: list[FastJudgment]
    consensus: FastConsensus | None
    tracks: list[str]
    """The judging experts' tracks: sorted, distinct."""

    def versions(self) -> list[int]:
        return sorted({j[4] for j in self.judgments})

    def seconds(self) -> float:
        return float(sum(j[5] for j in self.judgments))


class _Names(dict[int, str]):
    """Expert pseudonyms, each hashed once."""

    def __init__(self, salt: str) -> None:
        super().__init__()
        self.salt = salt

    def __missing__(self, expert_id: int) -> str:
        name = self[expert_id] = pseudonym(expert_id, self.salt)
        return name


class Shaper:
    """Turns the store's chunks into ``FastItem`` lists: pseudonyms and tracks per expert,
    revisions applied, agreement computed."""

    def __init__(self, session: Session, project_id: int, kind: str) -> None:
        self.session, self.project_id, self.kind = session, project_id, kind
        self.names = _Names(store.export_salt(session))
        panel = store.expert_panel(session, project_id)
        self.tracks = {expert: list(tracks) for expert, (tracks, _) in panel.items()}
        self.decoded: dict[str, Any] = {}
        self.keys: dict[str, Any] = {}
        self.unions: dict[tuple[str, ...], list[str]] = {}
        self.key = LABEL_LIKE.get(kind)

    def items(self, progress: Callable[[int], None] | None) -> Iterator[list[FastItem]]:
        done = 0
        for chunk in columns.iter_raw_chunks(self.session, self.project_id):
            yield self._chunk(chunk)
            done += len(chunk.items)
            if progress is not None:
                progress(done)

    def _chunk(self, chunk: columns.RawChunk) -> list[FastItem]:
        by_item = self._judgments(chunk.judgments)
        shaped = []
        for item_id, external_id in chunk.items:
            judgments = by_item.get(item_id)
            if judgments:
                consensus = self._consensus(chunk.consensus.get(item_id), judgments)
                tracks = self._union(judgments)
                shaped.append(FastItem(item_id, external_id, judgments, consensus, tracks))
        return shaped

    def _judgments(self, rows: list[columns.RawJudgment]) -> dict[int, list[FastJudgment]]:
        """The chunk's judgments by item (the rows come sorted by item)."""
        names, tracks, decode, iso = self.names, self.tracks, self.decode, _iso
        by_item: dict[int, list[FastJudgment]] = {}
        current: int | None = None
        judgments: list[FastJudgment] = []
        for item_id, expert, value, rationale, version, seconds, state, made, revised in rows:
            if item_id != current:
                current, judgments = item_id, []
                by_item[item_id] = judgments
            # an empty or null revision keeps the expert's value, as services.exports does
            if state == REVISED and revised is not None and decode(revised):
                value = revised
            expert_tracks = tracks.get(expert) or []
            made_at = iso(made)
            judgments.append(
                (names[expert], expert_tracks, value, rationale, version, seconds, state, made_at)
            )
        return by_item

    def _union(self, judgments: list[FastJudgment]) -> list[str]:
        """The judgments' tracks, sorted and distinct; cached by the experts who judged (an
        expert's tracks are fixed for the export)."""
        experts = tuple(j[0] for j in judgments)
        found = self.unions.get(experts)
        if found is None:
            if len(self.unions) >= CACHE:
                self.unions.clear()
            found = self.unions[experts] = sorted({t for j in judgments for t in j[1]})
        return found

    def _consensus(
        self, row: columns.RawConsensus | None, judgments: list[FastJudgment]
    ) -> FastConsensus | None:
        if row is None or row.value is None:
            return None
        value = self.decode(row.value)
        if value is None:
            return None
        return FastConsensus(
            row.value,
            float(row.confidence or 0.0),
            row.state,
            row.method,
            self._agreement(value, judgments),
            row.state == ADJUDICATED,
        )

    def _agreement(self, value: Any, judgments: list[FastJudgment]) -> float | None:
        """``core.exports.selection.item_agreement`` on the judgments' texts."""
        votes = [j[2] for j in judgments if j[6] != REJECTED]
        if self.key is None or not value or not votes:
            return None
        target = self.key(value)
        keys = self.keys
        agreeing = 0
        for text in votes:
            key = keys.get(text, keys)
            if key is keys:
                if len(keys) >= CACHE:
                    keys.clear()
                key = keys[text] = self.key(self.decode(text))
            agreeing += key == target
        return agreeing / len(votes)

    def decode(self, text: str) -> Any:
        """A JSON text decoded, cached (the same few values recur across judgments)."""
        found = self.decoded.get(text, self)
        if found is self:
            if len(self.decoded) >= CACHE:
                self.decoded.clear()
            found = self.decoded[text] = loads(text)
        return found


def _iso(moment: str | datetime) -> str:
    """ISO 8601 of a timestamp as ``store.exports`` reads it (SQLite's text is UTC), exactly
    as ``datetime.isoformat`` writes it: SQLAlchemy's ``2026-12-02 10:00:00.250000`` is
    rewritten as text (``isoformat`` drops zero microseconds), anything else parsed."""
    if isinstance(moment, datetime):
        return moment.isoformat()
    if len(moment) == STORED and moment[10] == " " and moment[19] == "." and moment.isascii():
        fraction = moment[20:]
        if fraction.isdigit():
            second = "" if fraction == "000000" else f".{fraction}"
            return f"{moment[:10]}T{moment[11:19]}{second}+00:00"
    return datetime.fromisoformat(moment).replace(tzinfo=UTC).isoformat()
