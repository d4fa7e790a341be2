"""The fast path of the ``raw`` export, and of the ``preference`` and ``kto`` exports of a
pairwise project from its consensus, with any filters (``services.export_fast_filters``): the
same rows as ``services.exports.open_export`` with ``core.exports`` written by
``services.export_files.write_export``, several times faster.

The store hands flat tuples per chunk of items with JSON as the database's text
(``store.export_columns``, read through ``services.export_fast_items.Shaper``). Raw JSONL lines
are made from byte templates (``services.export_fast_jsonl``), the judgment and consensus
values embedded as the database's text (never decoded and re-encoded); raw Parquet record
batches are built column by column (``services.export_fast_arrow``) with the schema of
``services.export_schemas``. Preference rows are one tuple per item
(``services.export_fast_pairs``, ``export_fast_pairs_arrow``). The dataset card's
``CardSummary`` gets the counts the general path's per-row ``update`` would give. A large
project may be written by several processes together (``services.export_parts``). Memory is
bounded by one chunk of items per process.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from expertloop.core.errors import FieldError, invalid
from expertloop.core.exports.card import dataset_card
from expertloop.services import export_files as files
from expertloop.services import export_parts as parts
from expertloop.services.export_files import ExportFileFormat, ExportWritten
from expertloop.services.exports import ExportStream
from expertloop.store import Session

FAST_FILES = frozenset({ExportFileFormat.JSONL, ExportFileFormat.PARQUET})


def fast_applies(stream: ExportStream, file_format: ExportFileFormat) -> bool:
    """Whether ``write_fast`` can write this export: ``raw``, or ``preference`` or ``kto`` of
    a pairwise project from its consensus (not ``per_judgment``), with any filters, as JSONL
    or Parquet."""
    request = stream.request
    if file_format not in FAST_FILES:
        return False
    if stream.format.name in parts.TRAINING:
        return stream.kind == "pairwise" and not request.options.per_judgment
    return stream.format.name == "raw"


def write_stream(
    *,
    session: Session,
    stream: ExportStream,
    path: Path,
    file_format: ExportFileFormat,
    progress: Callable[[int], None] | None = None,
    processes: int = 1,
) -> ExportWritten:
    """Write an export ``open_export`` opened: through ``write_fast`` when it applies,
    else through ``export_files.write_export`` with the stream's rows.

    Args:
        session: the session ``open_export`` was given, still open.
        progress: the fast path calls it with the items read so far (the general path reports
            through ``open_export``'s own ``progress``).
        processes: the fast path's processes (``write_fast``).

    Returns:
        What ``write_export`` returns.
    """
    if fast_applies(stream, file_format):
        return write_fast(
            session=session,
            stream=stream,
            path=path,
            file_format=file_format,
            progress=progress,
            processes=processes,
        )
    return files.write_export(
        stream.rows,
        path=path,
        file_format=file_format,
        format_name=stream.format.name,
        summary=stream.summary,
    )


def write_fast(
    *,
    session: Session,
    stream: ExportStream,
    path: Path,
    file_format: ExportFileFormat,
    progress: Callable[[int], None] | None = None,
    processes: int = 1,
) -> ExportWritten:
    """Write an export ``fast_applies`` to to ``path`` and its card beside it.

    Args:
        session: the session ``open_export`` was given (read only is enough).
        stream: what ``open_export`` returned; its rows are not read, its ``summary`` (the
            card's counts, panel attributes added) is updated here.
        path: the JSONL or Parquet file to write; replaced if it exists.
        file_format: ``jsonl`` or ``parquet``.
        progress: called with the number of items read so far, after each chunk.
        processes: how many processes may write a large project's export together
            (``services.export_parts``); one writes it all here.

    Returns:
        What ``write_export`` returns: rows, data file, card path, bytes.

    Raises:
        Invalid: ``export.cannot_write`` for an unwritable path; ``export.invalid`` naming
            ``format`` for an export the fast path does not write.
    """
    if not fast_applies(stream, file_format):
        message = (
            "the fast path writes raw, or preference or kto of a pairwise project from its"
            f" consensus, as jsonl or parquet; not {stream.format.name} as {file_format.value}"
        )
        raise invalid("export.invalid", [FieldError("format", message)])
    spans = parts.plan(session, stream.project_id, processes)
    first = parts.RunJob(
        stream.project_id,
        stream.kind,
        spans[0],
        file_format.value,
        stream.format.name,
        stream.request.options,
        stream.request.filters,
    )
    summary = stream.summary
    with files._replacing(path) as partial:
        if len(spans) == 1:
            rows = parts.write_span(session, first, partial, summary, progress)
        else:
            rows = parts.write_runs(session, first, spans, partial, summary, progress)
    card = files._card_beside(path)
    files._write_text(card, dataset_card(summary))
    return ExportWritten(rows, (path,), card, path.stat().st_size)
