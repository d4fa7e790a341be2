"""The fast ``kto`` export of a pairwise project (from its consensus): for each preference
``export_fast_pairs`` finds, the chosen answer labelled True then the rejected one labelled
False, as ``core.exports.kto`` shapes them through the general path; JSON lines from byte
templates and Parquet batches built column by column from the same ``PairRow`` tuples."""

from __future__ import annotations

import pyarrow as pa

from expertloop.core.exports.records import ExportOptions
from expertloop.services import export_schemas as schemas
from expertloop.services.export_fast_pairs import Lines, PairRow, Pairs, dumps
from expertloop.services.export_fast_pairs_arrow import PairBatches

LINE = b'{"prompt":%s,"completion":%s,"label":%s,"provenance":{%s,"source":%s,"response":%s}}\n'
LAYOUT = schemas.layout_of("kto")
EMPTY = schemas.arrow_schema(LAYOUT, schemas.default_shape(LAYOUT))
"""The schema of an export without rows (as the general path writes it)."""


class KtoPairs(Pairs):
    """``Pairs`` counted as KTO rows: two per preference, the chosen one desirable."""

    def _count(self, row: PairRow) -> None:
        summary = self.summary
        self.rows += 2
        summary.rows += 2
        summary.items += 1  # both rows are the item's
        summary.last_item = row.item_id
        summary.conversational += 2 * self.chat
        summary.balance["desirable"] += 1
        summary.balance["undesirable"] += 1
        summary.sources[self.shaper.kind] += 2
        for version in row.versions:
            summary.guideline_versions[str(version)] += 2
        self._meet(row.who)
        confidence, agreement, _, _, adjudicated = row.figures
        for _ in range(2):  # row by row, as CardSummary.update sums them
            if agreement is not None:
                summary.agreement_sum += agreement
                summary.agreement_count += 1
            summary.confidence_sum += confidence
            summary.confidence_count += 1
        summary.adjudicated += 2 * adjudicated


class KtoLines(Lines):
    """Writes each ``PairRow`` as its two KTO lines."""

    def line(self, row: PairRow) -> bytes:
        answer = self.answer
        prompt, kind = dumps(row.prompt), self.kind
        middle = self.provenance(row)
        return b"".join(
            LINE % (prompt, dumps(answer(text)), label, middle, kind, dumps(response))
            for text, label, response in (
                (row.chosen, b"true", row.chosen_id),
                (row.rejected, b"false", row.rejected_id),
            )
        )


class KtoBatches(PairBatches):
    """Record batches of KTO rows: each ``PairRow``'s chosen row, then its rejected row."""

    @staticmethod
    def schema_of(options: ExportOptions) -> pa.Schema:
        form = "messages" if options.conversational else "text"
        shape = (("prompt", form), ("completion", form), ("label", ""))
        return schemas.arrow_schema(LAYOUT, shape)

    def batch(self, rows: list[PairRow]) -> pa.RecordBatch:
        count = 2 * len(rows)
        fields = dict(zip(PairRow._fields, zip(*rows, strict=True), strict=True))
        twice = pa.array([n // 2 for n in range(count)], pa.int64())
        completions = [text for row in rows for text in (row.chosen, row.rejected)]
        responses = [name for row in rows for name in (row.chosen_id, row.rejected_id)]
        origin = {
            name: array.take(twice) for name, array in self.provenance(fields, len(rows)).items()
        }
        origin["response"] = pa.array(responses, pa.string())
        top = {
            "prompt": pa.array(fields["prompt"], self.schema.field("prompt").type).take(twice),
            "completion": self.answers(completions),
            "label": pa.array([n % 2 == 0 for n in range(count)], pa.bool_()),
        }
        return self.record(top, origin, count)
