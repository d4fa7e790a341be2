"""Reading for the fast exports (``raw``; ``preference`` of pairwise projects): the store's
flat tuples, chunk by chunk (``Shaper``), with what the writers (``export_fast_jsonl``,
``export_fast_arrow``, ``export_fast_pairs``) look up: pseudonyms and tracks per expert, track
unions per panel of judges, each item's agreement, ISO 8601 times. The database's JSON texts
are kept as they are; values are decoded only where a row needs them (a revision's emptiness,
the agreement, a preference's choice and margin), through a small cache keyed by their text."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from expertloop.core.exports.records import pseudonym
from expertloop.core.exports.selection import LABEL_LIKE
from expertloop.store import Session
from expertloop.store import export_columns as columns
from expertloop.store import exports as store

REVISED = "revised"
REJECTED = "rejected"
ADJUDICATED = "adjudicated"
STORED = len("2026-12-02 10:00:00.000000")
SQLITE_MOMENT = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$"
CACHE = 4096
"""Decoded values kept (by their JSON text) before the cache starts afresh."""


def loads(text: str) -> Any:
    """JSON text decoded (``json`` for what orjson refuses: ``NaN``, integers past 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


class _Names(dict[int, str]):
    """Expert pseudonyms, each hashed once."""

    def __init__(self, salt: str) -> None:
        super().__init__()
        self.salt = salt

    def __missing__(self, expert_id: int) -> str:
        name = self[expert_id] = pseudonym(expert_id, self.salt)
        return name


class Shaper:
    """Reads the store's chunks and looks up what rows show of them: pseudonyms and tracks
    per expert, decoded values, agreement."""

    def __init__(
        self,
        session: Session,
        project_id: int,
        kind: str,
        span: tuple[int, int | None] = (0, None),
        window: columns.Window = columns.EVERYTHING,
        gate: Callable[[columns.RawChunk], columns.RawChunk] | None = None,
    ) -> None:
        """``span``: the items read, ids above its first and up to its second (all of them by
        default); ``window``: what the read takes of them; ``gate``: what each chunk keeps
        (``services.export_fast_filters``; all of it by default)."""
        self.session, self.project_id, self.kind, self.span = session, project_id, kind, span
        self.window, self.gate = window, gate
        self.names = _Names(store.export_salt(session))
        panel = store.expert_panel(session, project_id)
        self.tracks = {expert: list(tracks) for expert, (tracks, _) in panel.items()}
        self.decoded: dict[str, Any] = {}
        self.keys: dict[str, Any] = {}
        self.unions: dict[tuple[int, ...], list[str]] = {}
        self.key = LABEL_LIKE.get(kind)

    def chunks(
        self, progress: Callable[[int], None] | None, texts: bool = False
    ) -> Iterator[columns.RawChunk]:
        """The store's chunks (with the items' texts when ``texts``), as the gate keeps them;
        ``progress`` called with the items read after each."""
        done = 0
        after, through = self.span
        chunks = columns.iter_raw_chunks(
            self.session,
            self.project_id,
            after=after,
            through=through,
            texts=texts,
            window=self.window,
        )
        gate = self.gate
        for chunk in chunks:
            done += len(chunk.items)
            yield chunk if gate is None else gate(chunk)
            if progress is not None:
                progress(done)

    def union(self, experts: tuple[int, ...]) -> list[str]:
        """The tracks of these experts (an item's judges), sorted and distinct; cached by the
        experts (an expert's tracks are fixed for the export)."""
        found = self.unions.get(experts)
        if found is None:
            if len(self.unions) >= CACHE:
                self.unions.clear()
            tracks = self.tracks
            found = self.unions[experts] = sorted({t for e in experts for t in tracks.get(e) or ()})
        return found

    def agreement(self, value: Any, votes: list[str]) -> float | None:
        """``core.exports.selection.item_agreement`` on the texts of the judgments that were
        not rejected, ``value`` the consensus value decoded."""
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


def iso(moment: str | datetime) -> str:
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


def iso_column(moments: list[Any]) -> pa.Array:
    """``iso`` of each timestamp: SQLite's ``YYYY-MM-DD HH:MM:SS.ffffff`` texts with Arrow's
    kernels when every one has that form, else one by one."""
    if moments and all(m.__class__ is str for m in moments):
        texts = pa.array(moments, pa.string())
        if pc.all(pc.match_substring_regex(texts, SQLITE_MOMENT)).as_py():
            joined = pc.utf8_replace_slice(texts, start=10, stop=11, replacement="T")
            trimmed = pc.replace_substring_regex(joined, pattern=r"\.000000$", replacement="")
            return pc.binary_join_element_wise(trimmed, "+00:00", "")
    return pa.array([iso(m) for m in moments], pa.string())
