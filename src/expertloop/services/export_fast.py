"""The fast path of the ``raw`` export without filters: the same rows as
``services.exports.open_export`` with ``core.exports.raw`` written by
``services.export_files.write_export``, several times faster.

The store hands flat tuples per chunk of items with JSON as the database's text
(``store.export_columns``), shaped into items by ``services.export_fast_items``. JSONL lines
are built with ``orjson``, the judgment and consensus values embedded as ``orjson.Fragment``
(never decoded and re-encoded); Parquet record batches are built column by column
(``services.export_fast_arrow``) with the schema of ``services.export_schemas``. Values are
decoded only where a figure needs them (an item's agreement, the Parquet ``value`` string),
through a small cache keyed by their text. The dataset card's ``CardSummary`` gets the counts
the general path's per-row ``update`` would give. Memory is bounded by one chunk of items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from expertloop.core.errors import FieldError, invalid
from expertloop.core.exports.card import CardSummary, dataset_card
from expertloop.core.exports.selection import ExportFilters
from expertloop.services import export_files as files
from expertloop.services.export_fast_arrow import write_parquet
from expertloop.services.export_fast_items import FastConsensus, FastItem, Shaper
from expertloop.services.export_files import ExportFileFormat, ExportWritten
from expertloop.services.exports import ExportStream
from expertloop.store import Session

WRITE_BUFFER = 1 << 20
FAST_FILES = frozenset({ExportFileFormat.JSONL, ExportFileFormat.PARQUET})


def fast_raw_applies(stream: ExportStream, file_format: ExportFileFormat) -> bool:
    """Whether ``write_raw_fast`` can write this export: ``raw`` without filters, as JSONL or
    Parquet."""
    request = stream.request
    return (
        stream.format.name == "raw"
        and request.filters == ExportFilters()
        and file_format in FAST_FILES
    )


def write_stream(
    *,
    session: Session,
    stream: ExportStream,
    path: Path,
    file_format: ExportFileFormat,
    progress: Callable[[int], None] | None = None,
) -> ExportWritten:
    """Write an export ``open_export`` opened: through ``write_raw_fast`` when it applies,
    else through ``export_files.write_export`` with the stream's rows.

    Args:
        session: the session ``open_export`` was given, still open.
        progress: the fast path calls it with the items read so far (the general path reports
            through ``open_export``'s own ``progress``).

    Returns:
        What ``write_export`` returns.
    """
    if fast_raw_applies(stream, file_format):
        return write_raw_fast(
            session=session,
            project_id=stream.project_id,
            kind=stream.kind,
            path=path,
            file_format=file_format,
            summary=stream.summary,
            progress=progress,
        )
    return files.write_export(
        stream.rows,
        path=path,
        file_format=file_format,
        format_name=stream.format.name,
        summary=stream.summary,
    )


def write_raw_fast(
    *,
    session: Session,
    project_id: int,
    kind: str,
    path: Path,
    file_format: ExportFileFormat,
    summary: CardSummary,
    progress: Callable[[int], None] | None = None,
) -> ExportWritten:
    """Write the project's ``raw`` export (no filters) to ``path`` and its card beside it.

    Args:
        session: an open session (read only is enough); the caller checked the actor.
        project_id: the project; ``kind`` its task kind.
        path: the JSONL or Parquet file to write; replaced if it exists.
        file_format: ``jsonl`` or ``parquet``.
        summary: the card's counts (``open_export``'s, panel attributes added); updated here.
        progress: called with the number of items read so far, after each chunk.

    Returns:
        What ``write_export`` returns: rows, data file, card path, bytes.

    Raises:
        Invalid: ``export.cannot_write`` for an unwritable path; ``export.invalid`` naming
            ``file_format`` for a file format other than JSONL or Parquet.
    """
    if file_format not in FAST_FILES:
        message = f"the fast raw export writes jsonl or parquet, not {file_format.value}"
        raise invalid("export.invalid", [FieldError("file_format", message)])
    items = Shaper(session, project_id, kind).items(progress)
    counted = _Counted(summary, kind)
    with files._replacing(path) as partial:
        if file_format == ExportFileFormat.JSONL:
            _write_jsonl(counted.chunks(items), partial, kind)
        else:
            write_parquet(counted.chunks(items), partial, kind)
    card = files._card_beside(path)
    files._write_text(card, dataset_card(summary))
    return ExportWritten(counted.rows, (path,), card, path.stat().st_size)


class _Counted:
    """Feeds the card's summary the counts of each chunk's rows, as ``CardSummary.update``
    would one row at a time."""

    def __init__(self, summary: CardSummary, kind: str) -> None:
        self.summary, self.kind = summary, kind
        self.rows = 0

    def chunks(self, chunks: Iterator[list[FastItem]]) -> Iterator[list[FastItem]]:
        for chunk in chunks:
            for item in chunk:
                self._count(item)
            yield chunk

    def _count(self, item: FastItem) -> None:
        summary = self.summary
        judged = len(item.judgments)
        rows = judged + (item.consensus is not None)
        summary.rows += rows
        self.rows += rows
        summary.items += 1
        summary.last_item = item.item_id
        summary.balance["judgment rows"] += judged
        if item.consensus is not None:
            summary.balance["consensus rows"] += 1
        if self.kind:
            summary.sources[self.kind] += rows
        versions, experts = summary.guideline_versions, summary.experts
        for expert, tracks, _value, _why, version, _seconds, _state, _made in item.judgments:
            versions[str(version)] += 1
            if expert not in experts:
                experts[expert] = frozenset(tracks)
        if item.consensus is not None:
            for version in item.versions():
                versions[str(version)] += 1
            self._consensus(item.consensus, rows)

    def _consensus(self, consensus: FastConsensus, rows: int) -> None:
        """Each row of the item carries the consensus figures: added row by row, in order,
        so the sums are the general path's to the last bit."""
        summary = self.summary
        for _ in range(rows):
            if consensus.agreement is not None:
                summary.agreement_sum += float(consensus.agreement)
                summary.agreement_count += 1
            summary.confidence_sum += consensus.confidence
            summary.confidence_count += 1
        if consensus.adjudicated:
            summary.adjudicated += rows


def _write_jsonl(chunks: Iterator[list[FastItem]], target: Path, kind: str) -> None:
    """Each line written as it is made (orjson's bytes hold a spare buffer: a chunk's worth
    of them would be tens of MiB)."""
    with target.open("wb", buffering=WRITE_BUFFER) as out:
        write = out.write
        for chunk in chunks:
            for item in chunk:
                for line in _lines(item, kind):
                    write(line)


def _lines(item: FastItem, kind: str) -> Iterator[bytes]:
    """The item's raw rows as JSON lines, keys in ``core.exports.raw``'s order."""
    tail = _consensus_fields(item.consensus)
    dumps, fragment, newline = orjson.dumps, orjson.Fragment, orjson.OPT_APPEND_NEWLINE
    item_id, external_id = item.item_id, item.external_id
    for expert, tracks, value, rationale, version, raw_seconds, state, made in item.judgments:
        seconds = float(raw_seconds)
        origin = {
            "item_id": item_id,
            "external_id": external_id,
            "kind": kind,
            "experts": [
                {
                    "id": expert,
                    "tracks": tracks,
                    "guideline_version": version,
                    "active_seconds": seconds,
                }
            ],
            "tracks": tracks,
            "guideline_versions": [version],
            "active_seconds": seconds,
            "judgments": 1,
            **tail,
            "source": kind,
        }
        row = {
            "type": "judgment",
            "item_id": item_id,
            "external_id": external_id,
            "kind": kind,
            "expert": expert,
            "value": fragment(value),
            "rationale": rationale,
            "guideline_version": version,
            "active_seconds": seconds,
            "review_state": state,
            "tracks": tracks,
            "created_at": made,
            "provenance": origin,
        }
        yield dumps(row, option=newline)
    if item.consensus is not None:
        yield dumps(_consensus_row(item, kind, tail), option=newline)


def _consensus_row(item: FastItem, kind: str, tail: dict[str, Any]) -> dict[str, Any]:
    consensus = item.consensus
    assert consensus is not None
    experts = [
        {
            "id": expert,
            "tracks": tracks,
            "guideline_version": version,
            "active_seconds": float(seconds),
        }
        for expert, tracks, _value, _why, version, seconds, _state, _made in item.judgments
    ]
    return {
        "type": "consensus",
        "item_id": item.item_id,
        "external_id": item.external_id,
        "kind": kind,
        "value": orjson.Fragment(consensus.value),
        "confidence": consensus.confidence,
        "state": consensus.state,
        "method": consensus.method,
        "agreement": consensus.agreement,
        "adjudicated": consensus.adjudicated,
        "provenance": {
            "item_id": item.item_id,
            "external_id": item.external_id,
            "kind": kind,
            "experts": experts,
            "tracks": item.tracks,
            "guideline_versions": item.versions(),
            "active_seconds": item.seconds(),
            "judgments": len(item.judgments),
            **tail,
            "source": kind,
        },
    }


def _consensus_fields(consensus: FastConsensus | None) -> dict[str, Any]:
    if consensus is None:
        return dict.fromkeys(
            ("confidence", "agreement", "consensus_state", "method", "adjudicated")
        )
    return {
        "confidence": consensus.confidence,
        "agreement": consensus.agreement,
        "consensus_state": consensus.state,
        "method": consensus.method,
        "adjudicated": consensus.adjudicated,
    }
