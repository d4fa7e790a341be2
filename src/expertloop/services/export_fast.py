"""The fast path of the ``raw`` export without filters: the same rows as
``services.exports.open_export`` with ``core.exports.raw`` written by
``services.export_files.write_export``, several times faster.

The store hands flat tuples per chunk of items with JSON as the database's text
(``store.export_columns``, read through ``services.export_fast_items.Shaper``). JSONL lines are
made from byte templates (``services.export_fast_jsonl``), the judgment and consensus values
embedded as the database's text (never decoded and re-encoded); Parquet record batches are
built column by column (``services.export_fast_arrow``) with the schema of
``services.export_schemas``. The dataset card's ``CardSummary`` gets the counts the general
path's per-row ``update`` would give. A large project may be written by several processes
together (``services.export_parts``). Memory is bounded by one chunk of items per process.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from expertloop.core.errors import FieldError, invalid
from expertloop.core.exports.card import CardSummary, dataset_card
from expertloop.core.exports.selection import ExportFilters
from expertloop.services import export_files as files
from expertloop.services import export_parts as parts
from expertloop.services.export_files import ExportFileFormat, ExportWritten
from expertloop.services.exports import ExportStream
from expertloop.store import Session

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
    processes: int = 1,
) -> ExportWritten:
    """Write an export ``open_export`` opened: through ``write_raw_fast`` when it applies,
    else through ``export_files.write_export`` with the stream's rows.

    Args:
        session: the session ``open_export`` was given, still open.
        progress: the fast path calls it with the items read so far (the general path reports
            through ``open_export``'s own ``progress``).
        processes: the fast path's processes (``write_raw_fast``).

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
            processes=processes,
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
    processes: int = 1,
) -> ExportWritten:
    """Write the project's ``raw`` export (no filters) to ``path`` and its card beside it.

    Args:
        session: an open session (read only is enough); the caller checked the actor.
        project_id: the project; ``kind`` its task kind.
        path: the JSONL or Parquet file to write; replaced if it exists.
        file_format: ``jsonl`` or ``parquet``.
        summary: the card's counts (``open_export``'s, panel attributes added); updated here.
        progress: called with the number of items read so far, after each chunk.
        processes: how many processes may write a large project's export together
            (``services.export_parts``); one writes it all here.

    Returns:
        What ``write_export`` returns: rows, data file, card path, bytes.

    Raises:
        Invalid: ``export.cannot_write`` for an unwritable path; ``export.invalid`` naming
            ``file_format`` for a file format other than JSONL or Parquet.
    """
    if file_format not in FAST_FILES:
        message = f"the fast raw export writes jsonl or parquet, not {file_format.value}"
        raise invalid("export.invalid", [FieldError("file_format", message)])
    spans = parts.plan(session, project_id, processes)
    with files._replacing(path) as partial:
        first = parts.RunJob(project_id, kind, spans[0], file_format.value)
        if len(spans) == 1:
            rows = parts.write_span(session, first, partial, summary, progress)
        else:
            rows = parts.write_runs(session, first, spans, partial, summary, progress)
    card = files._card_beside(path)
    files._write_text(card, dataset_card(summary))
    return ExportWritten(rows, (path,), card, path.stat().st_size)
