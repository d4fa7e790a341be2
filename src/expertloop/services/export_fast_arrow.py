"""Parquet for the fast ``raw`` export: one record batch per chunk of items, built column by
column from the store's tuples (``store.export_columns``) with the explicit ``raw`` schema of
``services.export_schemas``; no row dicts, no per-row Arrow conversion.

A chunk's judgment rows and its consensus rows are made as two batches, each column from one
Python list (or taken from per-expert and per-item arrays by index), then interleaved with one
``take`` (an item's judgments, then its consensus). The ``value`` column holds
``json.dumps(value, ensure_ascii=False)`` exactly as the general path writes it; SQLite's
timestamps become ISO 8601 with Arrow's string kernels, as ``export_fast_items.iso`` would.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from expertloop.services import export_schemas as schemas
from expertloop.services.export_fast_items import (
    ADJUDICATED,
    REJECTED,
    REVISED,
    Shaper,
    iso_column,
)
from expertloop.services.export_fast_jsonl import Tally
from expertloop.store import export_columns as columns

CACHE = 4096
RAW = schemas.layout_of("raw")
SCHEMA = schemas.arrow_schema(RAW, schemas.default_shape(RAW))
PROVENANCE = schemas.PROVENANCE
EXPERT = schemas.EXPERT
TRACKS = pa.list_(pa.string())


class ParquetOut:
    """One Parquet file written batch by batch (one row group each), opened at the first
    batch with ``schema``; a file without batches gets ``empty`` (``schema`` by default).
    A context manager: leaving it ends the file."""

    def __init__(self, target: Path, schema: pa.Schema, empty: pa.Schema | None = None) -> None:
        self.target, self.schema, self.empty = target, schema, empty or schema
        self.writer: pq.ParquetWriter | None = None

    def write_batch(self, batch: pa.RecordBatch) -> None:
        if self.writer is None:
            self.writer = pq.ParquetWriter(str(self.target), self.schema)
        self.writer.write_batch(batch)

    def __enter__(self) -> ParquetOut:
        return self

    def __exit__(self, *failure: object) -> None:
        writer = self.writer or pq.ParquetWriter(str(self.target), self.empty)
        writer.close()


class _Dumped(dict[str, str]):
    """JSON texts as the general path writes them (``json.dumps(..., ensure_ascii=False)`` of
    the decoded value), by the database's text; ``__getitem__`` fills a miss."""

    def __init__(self, shaper: Shaper) -> None:
        super().__init__()
        self.decode = shaper.decode

    def __missing__(self, text: str) -> str:
        if len(self) >= CACHE:
            self.clear()
        found = self[text] = json.dumps(self.decode(text), ensure_ascii=False)
        return found


class Batches:
    """Record batches of a project's raw rows, chunk by chunk, counted into a ``Tally``."""

    def __init__(self, shaper: Shaper, kind: str, tally: Tally) -> None:
        self.shaper, self.kind, self.tally = shaper, kind, tally
        self.dumped = _Dumped(shaper)
        self.seen: set[int] = set()

    def batches(self, chunks: Iterable[columns.RawChunk]) -> Iterator[pa.RecordBatch]:
        for chunk in chunks:
            if chunk.judgments:
                yield self._batch(chunk)
        self.tally.close()

    def _batch(self, chunk: columns.RawChunk) -> pa.RecordBatch:
        judged = _Judged(self.shaper, chunk.judgments)
        items = _Items(self, chunk, judged)
        first = self._judgment_rows(judged, items)
        second = self._consensus_rows(judged, items)
        table = pa.Table.from_batches([first, second], schema=SCHEMA)
        combined = table.take(pa.array(items.order, type=pa.int64())).combine_chunks()
        return combined.to_batches()[0]

    def _judgment_rows(self, judged: _Judged, items: _Items) -> pa.RecordBatch:
        count = len(judged.values)
        one = pa.array(range(count + 1), type=pa.int32())
        shared = items.figures(items.of_judgment_array)
        top = {
            "type": repeat("judgment", count),
            "item_id": judged.item_ids,
            "external_id": items.external.take(items.of_judgment_array),
            "expert": judged.names,
            "value": pa.array([self.dumped[v] for v in judged.values], pa.string()),
            "rationale": judged.rationales,
            "guideline_version": judged.versions,
            "active_seconds": judged.seconds,
            "review_state": judged.states,
            "tracks": judged.tracks,
            "created_at": judged.created,
        }
        origin = {
            "experts": pa.ListArray.from_arrays(one, judged.expert),
            "tracks": judged.tracks,
            "guideline_versions": pa.ListArray.from_arrays(one, judged.versions),
            "active_seconds": judged.seconds,
            "judgments": pa.array([1] * count, pa.int64()),
            **shared,
        }
        return self._rows(count, top, origin)

    def _consensus_rows(self, judged: _Judged, items: _Items) -> pa.RecordBatch:
        count = len(items.with_consensus)
        picked = pa.array(items.with_consensus, type=pa.int64())
        figures = items.figures(picked)
        spans = pa.array(items.consensus_spans, type=pa.int32())
        top = {
            "type": repeat("consensus", count),
            "item_id": items.ids.take(picked),
            "external_id": items.external.take(picked),
            "value": pa.array(items.consensus_values, pa.string()),
            "confidence": figures["confidence"],
            "state": figures["consensus_state"],
            "method": figures["method"],
            "agreement": figures["agreement"],
            "adjudicated": figures["adjudicated"],
        }
        origin = {
            "experts": pa.ListArray.from_arrays(
                spans, judged.expert.take(pa.array(items.consensus_experts, pa.int64()))
            ),
            "tracks": items.tracks.take(picked),
            "guideline_versions": items.versions.take(picked),
            "active_seconds": items.seconds.take(picked),
            "judgments": items.judged_count.take(picked),
            **figures,
        }
        return self._rows(count, top, origin)

    def _rows(self, count: int, top: dict[str, Any], origin: dict[str, Any]) -> pa.RecordBatch:
        """A batch of ``count`` rows: the columns given, the kind, nulls elsewhere."""
        kind = repeat(self.kind, count)
        origin = {"item_id": top["item_id"], "external_id": top["external_id"], **origin}
        origin["kind"] = origin["source"] = kind
        provenance = pa.StructArray.from_arrays(
            [column(origin, f, count) for f in PROVENANCE], fields=list(PROVENANCE)
        )
        top = {**top, "kind": kind, "provenance": provenance}
        return pa.RecordBatch.from_arrays([column(top, f, count) for f in SCHEMA], schema=SCHEMA)

    def meet(self, experts: tuple[int, ...]) -> None:
        """The card learns of each expert once, at their first exported judgment."""
        known = self.tally.summary.experts
        for expert in experts:
            if expert not in self.seen:
                self.seen.add(expert)
                tracks = frozenset(self.shaper.tracks.get(expert) or ())
                known.setdefault(self.shaper.names[expert], tracks)


class _Judged:
    """A chunk's judgments as columns: revisions applied, pseudonyms and tracks looked up,
    timestamps in ISO 8601."""

    def __init__(self, shaper: Shaper, rows: list[columns.RawJudgment]) -> None:
        (item_ids, experts, values, rationales, versions, seconds, states, made, revised) = (
            list(column) for column in zip(*rows, strict=True)
        )
        decode = shaper.decode
        for n, state in enumerate(states):
            if state == REVISED and revised[n] is not None and decode(revised[n]):
                values[n] = revised[n]
        self.rows, self.values, self.experts, self.states_list = rows, values, experts, states
        self.raw_seconds, self.raw_versions = seconds, versions
        self.item_ids = pa.array(item_ids, pa.int64())
        self.names = pa.array([shaper.names[e] for e in experts], pa.string())
        tracks = shaper.tracks
        self.tracks = pa.array([tracks.get(e) or [] for e in experts], TRACKS)
        self.versions = pa.array(versions, pa.int64())
        self.seconds = pa.array(seconds, pa.float64())
        self.rationales = pa.array(rationales, pa.string())
        self.states = pa.array(states, pa.string())
        self.created = iso_column(made)
        self.expert = pa.StructArray.from_arrays(
            [self.names, self.tracks, self.versions, self.seconds], fields=list(EXPERT)
        )
        """Each judgment's expert as provenance lists them."""


class _Items:
    """A chunk's items with judgments as columns (external id, consensus figures, unions,
    versions, seconds), and the order that interleaves judgment and consensus rows."""

    def __init__(self, owner: Batches, chunk: columns.RawChunk, judged: _Judged) -> None:
        self.owner, self.chunk, self.judged = owner, chunk, judged
        self.external_of = dict(chunk.items)
        self.columns: dict[str, list[Any]] = {name: [] for name in ITEM_COLUMNS}
        self.figure_rows: list[tuple[Any, ...]] = []
        self.of_judgment: list[int] = []
        self.with_consensus: list[int] = []
        self.consensus_values: list[str] = []
        self.consensus_spans = [0]
        self.consensus_experts: list[int] = []
        self.order: list[int] = []
        start = 0
        for index, (item_id, group) in enumerate(groupby(judged.rows, itemgetter(0))):
            stop = start + sum(1 for _ in group)
            self._item(index, item_id, start, stop)
            start = stop
        self._arrays()

    def _item(self, index: int, item_id: int, start: int, stop: int) -> None:
        judged, owner, size = self.judged, self.owner, stop - start
        span = range(start, stop)
        who = tuple(judged.experts[start:stop])
        versions = judged.raw_versions[start:stop]
        owner.meet(who)
        votes = [judged.values[n] for n in span if judged.states_list[n] != REJECTED]
        found = _consensus(owner.shaper, self.chunk.consensus.get(item_id), votes)
        for name, value in zip(ITEM_COLUMNS, (
            item_id, self.external_of[item_id], owner.shaper.union(who), sorted(set(versions)),
            float(sum(judged.raw_seconds[start:stop])), size,
        ), strict=True):  # fmt: skip
            self.columns[name].append(value)
        self.of_judgment.extend([index] * size)
        self.order.extend(span)
        if found is None:
            self.figure_rows.append(NO_FIGURES)
            owner.tally.item(item_id, versions, size, None)
            return
        value, figures = found
        self.figure_rows.append(figures)
        self.order.append(len(judged.values) + len(self.with_consensus))
        self.with_consensus.append(index)
        self.consensus_values.append(owner.dumped[value])
        self.consensus_experts.extend(span)
        self.consensus_spans.append(self.consensus_spans[-1] + size)
        owner.tally.item(item_id, versions, size, (figures[0], figures[1], figures[4]))

    def _arrays(self) -> None:
        made = {name: pa.array(values, ITEM_TYPES[name]) for name, values in self.columns.items()}
        self.ids, self.external, self.tracks = made["id"], made["external"], made["tracks"]
        self.versions, self.seconds, self.judged_count = (
            made["versions"], made["seconds"], made["judged"],
        )  # fmt: skip
        self.of_judgment_array = pa.array(self.of_judgment, pa.int64())
        figures = list(zip(*self.figure_rows, strict=True))
        self._figures = {
            name: pa.array(list(values), kind)
            for (name, kind), values in zip(FIGURES, figures, strict=True)
        }

    def figures(self, picked: pa.Array) -> dict[str, pa.Array]:
        """The consensus figures of the items at ``picked``."""
        return {name: array.take(picked) for name, array in self._figures.items()}


ITEM_TYPES = {
    "id": pa.int64(),
    "external": pa.string(),
    "tracks": TRACKS,
    "versions": pa.list_(pa.int64()),
    "seconds": pa.float64(),
    "judged": pa.int64(),
}
ITEM_COLUMNS = tuple(ITEM_TYPES)
FIGURES = (
    ("confidence", pa.float64()),
    ("agreement", pa.float64()),
    ("consensus_state", pa.string()),
    ("method", pa.string()),
    ("adjudicated", pa.bool_()),
)
NO_FIGURES = (None,) * len(FIGURES)


def _consensus(
    shaper: Shaper, row: columns.RawConsensus | None, votes: list[str]
) -> tuple[str, tuple[Any, ...]] | None:
    """The item's consensus value (text) and figures (confidence, agreement, state, method,
    adjudicated), ``None`` without one."""
    if row is None or row.value is None:
        return None
    value = shaper.decode(row.value)
    if value is None:
        return None
    agreement = shaper.agreement(value, votes)
    confidence = float(row.confidence or 0.0)
    return row.value, (confidence, agreement, row.state, row.method, row.state == ADJUDICATED)


def column(columns_by_name: dict[str, Any], field: pa.Field, count: int) -> pa.Array:
    """The column of ``field`` cast to its type, or ``count`` nulls when there is none."""
    found = columns_by_name.get(field.name)
    if found is None:
        return pa.nulls(count, type=field.type)
    return found if found.type == field.type else found.cast(field.type)


def repeat(text: str, count: int) -> pa.Array:
    """A string column of ``count`` times ``text``."""
    return pa.array([text] * count, pa.string())
