"""Parquet for the fast ``raw`` export: one record batch per chunk of items, built column by
column from ``services.export_fast``'s items (no row dicts), with the explicit ``raw`` schema of
``services.export_schemas``; the ``value`` column holds ``json.dumps(value,
ensure_ascii=False)`` exactly as the general path writes it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from expertloop.services import export_schemas as schemas
from expertloop.services.export_fast_items import FastItem, loads

CACHE = 4096
RAW = schemas.layout_of("raw")
SCHEMA = schemas.arrow_schema(RAW, schemas.default_shape(RAW))
EMPTY_PROVENANCE = ("chosen", "rejected", "response", "score", "first_error", "label_source")


def write_parquet(chunks: Iterable[list[FastItem]], target: Path, kind: str) -> None:
    """One Parquet file at ``target``, one row group per non-empty chunk (an empty file with
    the schema when there are no rows)."""
    dumped: dict[str, str] = {}

    def as_json(text: str) -> str:
        found = dumped.get(text)
        if found is None:
            if len(dumped) >= CACHE:
                dumped.clear()
            found = dumped[text] = json.dumps(loads(text), ensure_ascii=False)
        return found

    with pq.ParquetWriter(str(target), SCHEMA) as writer:
        for chunk in chunks:
            if chunk:
                writer.write_batch(_batch(chunk, kind, as_json))


# A row's fields, in this order: the top-level columns but ``kind`` (constant), then the
# provenance fields the rows fill (``item_id``, ``external_id``, ``kind`` and ``source`` are
# shared or constant; the other format fields are null), then the row's expert count.
TOP = (
    "type",
    "item_id",
    "external_id",
    "expert",
    "value",
    "rationale",
    "guideline_version",
    "active_seconds",
    "review_state",
    "tracks",
    "created_at",
    "confidence",
    "state",
    "method",
    "agreement",
    "adjudicated",
)
ORIGIN = (
    "tracks",
    "guideline_versions",
    "active_seconds",
    "judgments",
    "confidence",
    "agreement",
    "consensus_state",
    "method",
    "adjudicated",
)
EXPERTS = len(TOP) + len(ORIGIN)


def _batch(chunk: list[FastItem], kind: str, as_json: Any) -> pa.RecordBatch:
    rows: list[tuple[Any, ...]] = []
    experts: list[tuple[Any, ...]] = []
    for item in chunk:
        _item(rows, experts, item, as_json)
    columns = list(zip(*rows, strict=True))
    top = dict(zip(TOP, columns, strict=False))
    count = len(rows)
    arrays = [
        pa.array([kind] * count if f.name == "kind" else top[f.name], type=f.type)
        for f in SCHEMA
        if f.name != "provenance"
    ]
    origin = dict(zip(ORIGIN, columns[len(TOP) :], strict=False))
    origin["item_id"], origin["external_id"] = top["item_id"], top["external_id"]
    offsets = [0]
    total = 0
    for size in columns[EXPERTS]:
        total += size
        offsets.append(total)
    arrays.append(_provenance(origin, offsets, experts, kind))
    return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)


def _item(
    rows: list[tuple[Any, ...]], experts: list[tuple[Any, ...]], item: FastItem, as_json: Any
) -> None:
    """The item's judgment rows, then its consensus row; the experts each row rests on."""
    consensus = item.consensus
    figures: tuple[Any, ...] = (None,) * 5
    if consensus is not None:
        figures = (
            consensus.confidence,
            consensus.agreement,
            consensus.state,
            consensus.method,
            consensus.adjudicated,
        )
    head = (item.item_id, item.external_id)
    for expert, tracks, value, rationale, version, raw_seconds, state, made in item.judgments:
        seconds = float(raw_seconds)
        experts.append((expert, tracks, version, seconds))
        judgment = (expert, as_json(value), rationale, version, seconds, state, tracks, made)
        origin = (tracks, [version], seconds, 1, *figures, 1)
        rows.append(("judgment", *head, *judgment, *(None,) * 5, *origin))
    if consensus is not None:
        for expert, tracks, _value, _why, version, seconds, _state, _made in item.judgments:
            experts.append((expert, tracks, version, float(seconds)))
        judged = len(item.judgments)
        answer = (None, as_json(consensus.value), *(None,) * 6)
        verdict = (
            consensus.confidence,
            consensus.state,
            consensus.method,
            consensus.agreement,
            consensus.adjudicated,
        )
        origin = (item.tracks, item.versions(), item.seconds(), judged, *figures, judged)
        rows.append(("consensus", *head, *answer, *verdict, *origin))


def _provenance(
    origin: dict[str, Any], offsets: list[int], experts: list[tuple[Any, ...]], kind: str
) -> pa.StructArray:
    """The provenance struct: experts as a list array over their flattened struct."""
    count = len(offsets) - 1
    flat = list(zip(*experts, strict=True))
    struct = pa.StructArray.from_arrays(
        [pa.array(flat[n], type=f.type) for n, f in enumerate(schemas.EXPERT)],
        fields=list(schemas.EXPERT),
    )
    listed = pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), struct)
    arrays: list[pa.Array] = []
    for field in schemas.PROVENANCE:
        name = field.name
        if name == "experts":
            arrays.append(listed.cast(field.type))
        elif name in ("kind", "source"):
            arrays.append(pa.array([kind] * count, type=pa.string()))
        elif name in EMPTY_PROVENANCE or name == "extra":
            arrays.append(pa.nulls(count, type=field.type))
        else:
            arrays.append(pa.array(origin[name], type=field.type))
    return pa.StructArray.from_arrays(arrays, fields=list(schemas.PROVENANCE))
