"""Parquet record batches of the fast ``preference`` export: one batch per chunk of items,
built column by column from ``export_fast_pairs.PairRow`` tuples with the schema the general
path gives such rows (``services.export_schemas``: texts or message lists by
``conversational``, ``margin`` when asked); an export without rows has the general path's
empty schema."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyarrow as pa

from expertloop.core.exports.records import ExportOptions
from expertloop.services import export_schemas as schemas
from expertloop.services.export_fast_arrow import FIGURES, column, repeat
from expertloop.services.export_fast_items import Shaper
from expertloop.services.export_fast_pairs import Basis, PairRow

LAYOUT = schemas.layout_of("preference")
ROLE = pa.struct([("role", pa.string()), ("content", pa.string())])
EMPTY = schemas.arrow_schema(LAYOUT, schemas.default_shape(LAYOUT))
"""The schema of an export without rows (as the general path writes it)."""


class PairBatches:
    """Record batches of ``PairRow`` lists."""

    def __init__(self, shaper: Shaper, options: ExportOptions) -> None:
        self.shaper = shaper
        self.chat = options.conversational
        self.schema = self.schema_of(options)

    @staticmethod
    def schema_of(options: ExportOptions) -> pa.Schema:
        """The schema of the rows these options shape."""
        form = "messages" if options.conversational else "text"
        shape = (("prompt", form), ("chosen", form), ("rejected", form))
        return schemas.arrow_schema(LAYOUT, shape + ((("margin", ""),) if options.margin else ()))

    def batches(self, chunks: Iterable[list[PairRow]]) -> Iterator[pa.RecordBatch]:
        for rows in chunks:
            if rows:
                yield self.batch(rows)

    def batch(self, rows: list[PairRow]) -> pa.RecordBatch:
        count = len(rows)
        fields = dict(zip(PairRow._fields, zip(*rows, strict=True), strict=True))
        top = {
            "prompt": pa.array(fields["prompt"], self.schema.field("prompt").type),
            "chosen": self.answers(fields["chosen"]),
            "rejected": self.answers(fields["rejected"]),
        }
        if "margin" in self.schema.names:
            top["margin"] = pa.array(fields["margin"], pa.float64())
        origin = self.provenance(fields, count)
        origin["chosen"] = pa.array(fields["chosen_id"], pa.string())
        origin["rejected"] = pa.array(fields["rejected_id"], pa.string())
        return self.record(top, origin, count)

    def provenance(self, fields: dict[str, tuple[Any, ...]], count: int) -> dict[str, pa.Array]:
        """The provenance columns every format of these rows has (``fields``: the rows'
        ``PairRow`` fields by name)."""
        kind = repeat(self.shaper.kind, count)
        return {
            "item_id": pa.array(fields["item_id"], pa.int64()),
            "external_id": pa.array(fields["external_id"], pa.string()),
            "kind": kind,
            "source": kind,
            "experts": self._experts(fields["basis"]),
            "tracks": pa.array([self.shaper.union(w) for w in fields["who"]], schemas.STRINGS),
            "guideline_versions": pa.array(fields["versions"], pa.list_(pa.int64())),
            "active_seconds": pa.array(fields["spent"], pa.float64()),
            "judgments": pa.array([len(who) for who in fields["who"]], pa.int64()),
            **_figures(fields["figures"]),
        }

    def record(
        self, top: dict[str, pa.Array], origin: dict[str, pa.Array], count: int
    ) -> pa.RecordBatch:
        """A batch of ``count`` rows of the schema: ``top``'s columns and ``provenance`` from
        ``origin``'s (null where absent)."""
        top["provenance"] = pa.StructArray.from_arrays(
            [column(origin, f, count) for f in schemas.PROVENANCE], fields=list(schemas.PROVENANCE)
        )
        return pa.RecordBatch.from_arrays(
            [column(top, f, count) for f in self.schema], schema=self.schema
        )

    def answers(self, texts: Sequence[str]) -> pa.Array:
        """Answers (chosen, rejected or a completion): texts, or one assistant message each."""
        if not self.chat:
            return pa.array(texts, pa.string())
        roles = repeat("assistant", len(texts))
        messages = pa.StructArray.from_arrays(
            [roles, pa.array(texts, pa.string())], fields=list(ROLE)
        )
        return pa.ListArray.from_arrays(pa.array(range(len(texts) + 1), pa.int32()), messages)

    def _experts(self, bases: tuple[list[Basis], ...]) -> pa.Array:
        """Each row's ``provenance.experts``: the experts' names and tracks taken from a
        table of the batch's distinct experts."""
        spans, ids, versions, seconds = [0], [], [], []
        for basis in bases:
            for expert, version, active in basis:
                ids.append(expert)
                versions.append(version)
                seconds.append(float(active))
            spans.append(len(ids))
        distinct = list(dict.fromkeys(ids))
        position = {expert: index for index, expert in enumerate(distinct)}
        picked = pa.array([position[expert] for expert in ids], pa.int32())
        names = pa.array([self.shaper.names[e] for e in distinct], pa.string())
        tracks = pa.array([self.shaper.tracks.get(e) or [] for e in distinct], schemas.STRINGS)
        experts = pa.StructArray.from_arrays(
            [
                names.take(picked),
                tracks.take(picked),
                pa.array(versions, pa.int64()),
                pa.array(seconds, pa.float64()),
            ],
            fields=list(schemas.EXPERT),
        )
        return pa.ListArray.from_arrays(pa.array(spans, pa.int32()), experts)


def _figures(figures: tuple[tuple[object, ...], ...]) -> dict[str, pa.Array]:
    """The rows' consensus figures as columns."""
    columns = list(zip(*figures, strict=True)) or [()] * len(FIGURES)
    return {
        name: pa.array(values, kind) for (name, kind), values in zip(FIGURES, columns, strict=True)
    }
