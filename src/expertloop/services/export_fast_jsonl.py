"""JSON lines of the fast ``raw`` export, made from byte templates straight from the store's
tuples (``store.export_columns``): no row dicts, no per-judgment records.

Every piece of a line is what ``orjson.dumps`` writes for that value (the expert's pseudonym
and tracks once per expert, the item's head and consensus figures once per item), so a line
parses to the general path's row with its keys in the same order; the judgment and consensus
values are the database's JSON text, embedded as they are. The dataset card's counts are kept
item by item (``Tally``), as ``CardSummary.update`` would keep them row by row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any, BinaryIO

import orjson
import pyarrow as pa

from expertloop.core.exports.card import CardSummary
from expertloop.services.export_fast_items import (
    ADJUDICATED,
    REJECTED,
    REVISED,
    Shaper,
    iso_column,
)
from expertloop.store import export_columns as columns

dumps = orjson.dumps

JUDGMENT = (
    b'{"type":"judgment",%s,"expert":%s,"value":%s,"rationale":%s,"guideline_version":%d,'
    b'"active_seconds":%s,"review_state":%s,"tracks":%s,"created_at":"%s","provenance":{%s,'
    b'"experts":[%s],"tracks":%s,"guideline_versions":[%d],"active_seconds":%s,"judgments":1,'
)
"""A judgment row up to its consensus figures (``TAIL`` ends it)."""
EXPERT = b'{"id":%s,"tracks":%s,"guideline_version":%d,"active_seconds":%s}'
HEAD = b'"item_id":%d,"external_id":%s,"kind":%s'
TAIL = b'"confidence":%s,"agreement":%s,"consensus_state":%s,"method":%s,"adjudicated":%s'
CONSENSUS = (
    b'{"type":"consensus",%s,"value":%s,"confidence":%s,"state":%s,"method":%s,"agreement":%s,'
    b'"adjudicated":%s,"provenance":{%s,"experts":[%s],"tracks":%s,"guideline_versions":%s,'
    b'"active_seconds":%s,"judgments":%d,%s}}\n'
)
NO_CONSENSUS = TAIL % (b"null", b"null", b"null", b"null", b"null")
ItemRows = tuple[int, str | None, list[columns.RawJudgment], columns.RawConsensus | None]
"""An item with judgments: id, external id, its judgments as read, its consensus row."""


def item_rows(chunk: columns.RawChunk) -> Iterator[ItemRows]:
    """The chunk's items that have judgments, in id order, with their rows."""
    external = dict(chunk.items)
    found = chunk.consensus.get
    for item_id, rows in groupby(chunk.judgments, itemgetter(0)):
        yield item_id, external[item_id], list(rows), found(item_id)


class Tally:
    """The card's counts, item by item: what ``CardSummary.update`` adds for the item's rows
    (the agreement and confidence sums added row by row, so they match to the last bit).
    Counts are kept here and added to the summary by ``close``."""

    def __init__(self, summary: CardSummary, kind: str) -> None:
        self.summary, self.kind = summary, kind
        self.versions: Counter[int] = Counter()
        self.pending: list[int] = []
        self.rows = self.items = self.judged = self.consensus = self.folded = 0

    def item(
        self, item_id: int, versions: list[int], judged: int, figures: tuple[Any, ...] | None
    ) -> None:
        """One item: its judgments' versions (one each), the consensus figures when it has a
        consensus row (``confidence, agreement, adjudicated``)."""
        self.items += 1
        self.judged += judged
        self.summary.last_item = item_id
        pending = self.pending
        pending.extend(versions)
        if figures is None:
            self.rows += judged
        else:
            self.rows += judged + 1
            self.consensus += 1
            pending.extend(set(versions))
            self._consensus(judged + 1, *figures)
        if len(pending) > PENDING:
            self.versions.update(pending)
            pending.clear()

    def _consensus(
        self, rows: int, confidence: float, agreement: float | None, adjudicated: bool
    ) -> None:
        summary = self.summary
        for _ in range(rows):
            if agreement is not None:
                summary.agreement_sum += agreement
                summary.agreement_count += 1
            summary.confidence_sum += confidence
            summary.confidence_count += 1
        if adjudicated:
            summary.adjudicated += rows

    def close(self) -> None:
        """Add the counts kept to the summary (the card sorts the versions)."""
        summary = self.summary
        self.versions.update(self.pending)
        self.pending.clear()
        for version, count in self.versions.items():
            summary.guideline_versions[str(version)] += count
        self.versions.clear()
        rows, self.folded = self.rows - self.folded, self.rows
        summary.rows += rows
        summary.items += self.items
        if self.judged:
            summary.balance["judgment rows"] += self.judged
        if self.consensus:
            summary.balance["consensus rows"] += self.consensus
        if self.kind and rows:
            summary.sources[self.kind] += rows
        self.items = self.judged = self.consensus = 0


PENDING = 1 << 16
"""Versions listed before they are counted (a bound on the tally's memory)."""


class Lines:
    """Writes the raw rows of chunks of items to a binary file."""

    def __init__(self, shaper: Shaper, kind: str, tally: Tally) -> None:
        self.shaper, self.tally = shaper, tally
        self.kind = dumps(kind)
        self.source = b',"source":%s}}\n' % self.kind
        self.experts: dict[int, tuple[bytes, bytes]] = {}
        self.states: dict[str | None, bytes] = {}

    def write(self, chunks: Iterable[columns.RawChunk], out: BinaryIO) -> None:
        write = out.write
        for chunk in chunks:
            made = iso_column([row[7] for row in chunk.judgments]).cast(pa.binary()).to_pylist()
            start = 0
            for item_id, external_id, rows, found in item_rows(chunk):
                stop = start + len(rows)
                for line in self._item(item_id, external_id, rows, made[start:stop], found):
                    write(line)
                start = stop
        self.tally.close()

    def _item(
        self,
        item_id: int,
        external_id: str | None,
        rows: list[columns.RawJudgment],
        made: list[bytes],
        found: columns.RawConsensus | None,
    ) -> list[bytes]:
        """The item's lines: its judgments' (``made`` their ISO 8601 times), then its
        consensus row's."""
        head = HEAD % (item_id, dumps(external_id), self.kind)
        decode, expert_of, state_of = self.shaper.decode, self._expert, self._state
        lines, experts, votes, versions = [], [], [], []
        for row, moment in zip(rows, made, strict=True):
            _, expert, value, rationale, version, seconds, state, _made, revised = row
            if state == REVISED and revised is not None and decode(revised):
                value = revised
            if state != REJECTED:
                votes.append(value)
            versions.append(version)
            name, tracks = expert_of(expert)
            spent = dumps(float(seconds))
            piece = EXPERT % (name, tracks, version, spent)
            experts.append(piece)
            lines.append(
                JUDGMENT
                % (
                    head, name, value.encode(), dumps(rationale), version, spent,
                    state_of(state), tracks, moment, head, piece, tracks,
                    version, spent,
                )
            )  # fmt: skip
        consensus = self._consensus(found, votes)
        tail = (NO_CONSENSUS if consensus is None else consensus[0]) + self.source
        lines = [line + tail for line in lines]
        if consensus is None:
            self.tally.item(item_id, versions, len(rows), None)
            return lines
        _, encoded, figures, pieces = consensus
        lines.append(self._consensus_line(head, encoded, experts, rows, versions, tail, pieces))
        confidence, _state, _method, agreement, adjudicated = figures
        self.tally.item(item_id, versions, len(rows), (confidence, agreement, adjudicated))
        return lines

    def _consensus(
        self, found: columns.RawConsensus | None, votes: list[str]
    ) -> tuple[bytes, bytes, tuple[Any, ...], tuple[bytes, ...]] | None:
        """The item's consensus as the tail of its rows, its value, its figures
        (``confidence, state, method, agreement, adjudicated``) and those figures as JSON;
        ``None`` without one."""
        if found is None or found.value is None:
            return None
        value = self.shaper.decode(found.value)
        if value is None:
            return None
        agreement = self.shaper.agreement(value, votes)
        confidence = float(found.confidence or 0.0)
        adjudicated = found.state == ADJUDICATED
        figures = (confidence, found.state, found.method, agreement, adjudicated)
        pieces = tuple(dumps(figure) for figure in figures)
        tail = TAIL % (pieces[0], pieces[3], pieces[1], pieces[2], pieces[4])
        return tail, found.value.encode(), figures, pieces

    def _consensus_line(
        self,
        head: bytes,
        value: bytes,
        experts: list[bytes],
        rows: list[columns.RawJudgment],
        versions: list[int],
        tail: bytes,
        pieces: tuple[bytes, ...],
    ) -> bytes:
        spent = float(sum(row[5] for row in rows))
        return CONSENSUS % (
            head,
            value,
            *pieces,
            head,
            b",".join(experts),
            dumps(self.shaper.union(tuple(row[1] for row in rows))),
            dumps(sorted(set(versions))),
            dumps(spent),
            len(rows),
            tail[:-3],
        )

    def _expert(self, expert_id: int) -> tuple[bytes, bytes]:
        """The expert's pseudonym and tracks as JSON; the card learns of the expert here."""
        found = self.experts.get(expert_id)
        if found is None:
            name = self.shaper.names[expert_id]
            tracks = self.shaper.tracks.get(expert_id) or []
            self.tally.summary.experts.setdefault(name, frozenset(tracks))
            found = self.experts[expert_id] = (dumps(name), dumps(tracks))
        return found

    def _state(self, state: str | None) -> bytes:
        found = self.states.get(state)
        if found is None:
            found = self.states[state] = dumps(state)
        return found


def write_lines(
    shaper: Shaper,
    kind: str,
    summary: CardSummary,
    out: BinaryIO,
    progress: Callable[[int], None] | None,
) -> int:
    """The raw rows of the shaper's items written to ``out``; the rows written."""
    tally = Tally(summary, kind)
    Lines(shaper, kind, tally).write(shaper.chunks(progress), out)
    return tally.rows
