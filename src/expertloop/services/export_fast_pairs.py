"""The fast ``preference`` export of a pairwise project (one row per item, from its
consensus): the same rows as ``core.exports.preference`` through the general path, read from
the store's tuples (``store.export_columns`` with the items' texts) without per-row records.

``Pairs`` turns a chunk into ``PairRow`` tuples and counts them into the dataset card as
``CardSummary.update`` would; ``Lines`` writes them as JSON lines from byte templates, each
piece what ``orjson.dumps`` writes for it (``export_fast_pairs_arrow`` builds Parquet batches
from the same tuples; ``export_fast_kto`` writes them as KTO rows). Which exports take this
path: ``export_fast.fast_applies``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO, NamedTuple

import orjson

from expertloop.core.exports.card import CardSummary
from expertloop.core.exports.common import as_messages, as_text, assistant
from expertloop.core.exports.preference import chosen_of, consensus_margin, sides
from expertloop.core.exports.records import ExportOptions
from expertloop.core.lifecycles import ItemState
from expertloop.services.export_fast_items import ADJUDICATED, REJECTED, REVISED, Shaper, loads
from expertloop.services.export_fast_jsonl import EXPERT, TAIL, item_rows
from expertloop.store import export_columns as columns

dumps = orjson.dumps
GOLD = ItemState.GOLD.value
PROVENANCE = (
    b'"item_id":%d,"external_id":%s,"kind":%s,"experts":[%s],"tracks":%s,'
    b'"guideline_versions":%s,"active_seconds":%s,"judgments":%d,%s'
)
"""A row's provenance up to what its format adds."""
LINE = (
    b'{"prompt":%s,"chosen":%s,"rejected":%s%s,"provenance":{%s,"source":%s,"chosen":%s,'
    b'"rejected":%s}}\n'
)
CACHE = 1 << 16
"""JSON pieces kept (experts, consensus figures) before a cache starts afresh."""
Basis = tuple[int, int, float]
"""A judgment a row rests on: expert id, guideline version, active seconds."""


class PairRow(NamedTuple):
    """One preference row as the writers need it: ``prompt`` as the row holds it (a text, or
    messages in the conversational form), the chosen and rejected answers' texts."""

    item_id: int
    external_id: str | None
    prompt: Any
    chosen: str
    rejected: str
    chosen_id: str
    rejected_id: str
    margin: float | None
    basis: list[Basis]
    who: tuple[int, ...]
    """The basis's experts, in order."""
    versions: list[int]
    """The basis's guideline versions, sorted and distinct."""
    spent: float
    """The basis's active seconds, summed in order (as ``provenance`` sums them)."""
    figures: tuple[float, float | None, str, str, bool]
    """The consensus's confidence, agreement, state, method and whether adjudicated."""


class Pairs:
    """Preference rows of a pairwise project's chunks, counted into the card."""

    def __init__(self, shaper: Shaper, options: ExportOptions, summary: CardSummary) -> None:
        self.shaper, self.summary = shaper, summary
        self.chat, self.margin = options.conversational, options.margin
        self.rows = 0
        self.met: set[int] = set()
        self.balance: dict[str, str] = {}

    def chunks(self, progress: Callable[[int], None] | None) -> Iterator[list[PairRow]]:
        """Each chunk's rows, in item order."""
        for chunk in self.shaper.chunks(progress, texts=True):
            yield self.chunk_rows(chunk)

    def chunk_rows(self, chunk: columns.RawChunk) -> list[PairRow]:
        """The chunk's rows (its items that give a preference), counted into the card."""
        made = []
        for item_id, external_id, judgments, found in item_rows(chunk):
            row = self._row(item_id, external_id, judgments, found, chunk.texts[item_id])
            if row is not None:
                made.append(row)
                self._count(row)
        return made

    def _row(
        self,
        item_id: int,
        external_id: str | None,
        judgments: list[columns.RawJudgment],
        found: columns.RawConsensus | None,
        texts: columns.ItemTexts,
    ) -> PairRow | None:
        if found is None or found.value is None or texts.state == GOLD:
            return None
        decode = self.shaper.decode
        value = decode(found.value)
        if value is None:
            return None
        picked = chosen_of(loads(texts.responses or "null") or (), value)
        if picked is None:
            return None
        chosen_id, chosen, rejected_id, rejected = sides(*picked)
        basis, votes, who, spent = [], [], [], 0.0
        for _, expert, voted, _why, version, seconds, state, _made, revised in judgments:
            if state != REJECTED:
                if state == REVISED and revised is not None and decode(revised):
                    voted = revised
                votes.append(voted)
                basis.append((expert, version, seconds))
                who.append(expert)
                spent += seconds
        margin = None
        if self.margin:
            margin = consensus_margin([decode(v) for v in votes], value.get("choice"))
        prompt = loads(texts.prompt)
        shaped = as_messages(prompt) if self.chat else as_text(prompt)
        confidence = float(found.confidence or 0.0)
        agreement = self.shaper.agreement(value, votes)
        figures = (confidence, agreement, found.state, found.method, found.state == ADJUDICATED)
        versions = sorted({version for _, version, _ in basis})
        return PairRow(
            item_id, external_id, shaped, chosen, rejected, chosen_id, rejected_id, margin,
            basis, tuple(who), versions, spent, figures,
        )  # fmt: skip

    def _count(self, row: PairRow) -> None:
        """What ``CardSummary.update`` counts for the row."""
        summary = self.summary
        self.rows += 1
        summary.rows += 1
        summary.items += 1  # one row per item
        summary.last_item = row.item_id
        summary.conversational += self.chat
        label = self.balance.get(row.chosen_id)
        if label is None:
            label = self.balance[row.chosen_id] = f"chosen {row.chosen_id}"
        summary.balance[label] += 1
        summary.sources[self.shaper.kind] += 1
        for version in row.versions:
            summary.guideline_versions[str(version)] += 1
        self._meet(row.who)
        confidence, agreement, _, _, adjudicated = row.figures
        if agreement is not None:
            summary.agreement_sum += agreement
            summary.agreement_count += 1
        summary.confidence_sum += confidence
        summary.confidence_count += 1
        summary.adjudicated += adjudicated

    def _meet(self, who: tuple[int, ...]) -> None:
        """The card learns of each expert once, at their first row."""
        for expert in who:
            if expert not in self.met:
                self.met.add(expert)
                tracks = frozenset(self.shaper.tracks.get(expert) or ())
                self.summary.experts.setdefault(self.shaper.names[expert], tracks)


class Lines:
    """Writes ``PairRow`` tuples as JSON lines."""

    def __init__(self, shaper: Shaper, chat: bool) -> None:
        self.shaper = shaper
        self.answer: Callable[[str], Any] = assistant if chat else str
        self.kind = dumps(shaper.kind)
        self.experts: dict[Basis, bytes] = {}
        self.tails: dict[tuple[Any, ...], bytes] = {}

    def write(self, chunks: Iterable[list[PairRow]], out: BinaryIO) -> None:
        write = out.write
        for rows in chunks:
            write(b"".join(map(self.line, rows)))

    def line(self, row: PairRow) -> bytes:
        answer = self.answer
        margin = b"" if row.margin is None else b',"margin":' + dumps(row.margin)
        return LINE % (
            dumps(row.prompt), dumps(answer(row.chosen)), dumps(answer(row.rejected)), margin,
            self.provenance(row), self.kind, dumps(row.chosen_id), dumps(row.rejected_id),
        )  # fmt: skip

    def provenance(self, row: PairRow) -> bytes:
        """The row's ``PROVENANCE``."""
        pieces, experts = self.experts, []
        for judged in row.basis:
            piece = pieces.get(judged)
            if piece is None:
                piece = self._expert(judged)
            experts.append(piece)
        return PROVENANCE % (
            row.item_id, dumps(row.external_id), self.kind, b",".join(experts),
            dumps(self.shaper.union(row.who)), dumps(row.versions), dumps(row.spent),
            len(row.basis), self._tail(row.figures),
        )  # fmt: skip

    def _expert(self, judged: Basis) -> bytes:
        """An expert of ``provenance.experts`` as JSON, cached by expert, version and
        seconds."""
        if len(self.experts) >= CACHE:
            self.experts.clear()
        expert, version, seconds = judged
        name = dumps(self.shaper.names[expert])
        tracks = dumps(self.shaper.tracks.get(expert) or [])
        piece = self.experts[judged] = EXPERT % (name, tracks, version, dumps(float(seconds)))
        return piece

    def _tail(self, figures: tuple[Any, ...]) -> bytes:
        """The consensus figures as JSON, cached (few distinct ones recur)."""
        found = self.tails.get(figures)
        if found is None:
            if len(self.tails) >= CACHE:
                self.tails.clear()
            confidence, agreement, state, method, adjudicated = map(dumps, figures)
            found = self.tails[figures] = TAIL % (confidence, agreement, state, method, adjudicated)
        return found
