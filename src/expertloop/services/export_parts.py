"""The fast exports (``raw``; ``preference`` and ``kto`` of a pairwise project) of a large
project written by several processes at once.

The project's items are cut by id into runs of about the same size (``store.export_columns.
item_bounds``); this process writes the first run, each other run is written by a process of
its own (``multiprocessing`` spawn) that opens its own connection to the same database. A
JSONL run is a file of lines, appended in order to this process's file; a Parquet run is an
Arrow IPC file of record batches, written in order after this process's batches into the one
Parquet file (Arrow to Parquet is done here: the other processes do the per-row Python work).
Each run's dataset card counts come back as a ``CardSummary`` and are merged in order.

Runs are read in separate transactions: on a database being written to while it is exported,
a later run may include work an earlier run's snapshot did not (as any export on PostgreSQL,
whose reads are ``READ COMMITTED``). An in-memory SQLite database cannot be shared, and a small
project is not worth the processes' start: both are written here, in one run.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import pyarrow as pa

from expertloop.core.exports.card import CardSummary
from expertloop.core.exports.records import DEFAULT_OPTIONS, ExportOptions
from expertloop.core.exports.selection import ExportFilters
from expertloop.services import export_fast_arrow as arrow
from expertloop.services import export_fast_filters as filtering
from expertloop.services import export_fast_kto as kto
from expertloop.services import export_fast_pairs as pairs
from expertloop.services import export_fast_pairs_arrow as pairs_arrow
from expertloop.services.export_fast_filters import Gate
from expertloop.services.export_fast_items import Shaper
from expertloop.services.export_fast_jsonl import Tally, write_lines
from expertloop.services.export_files import ExportFileFormat
from expertloop.store import Database, Session
from expertloop.store import export_columns as columns
from expertloop.store.exports import count_items

Span = tuple[int, int | None]
"""Items with ids above the first and up to the second (``None``: to the last)."""
WHOLE: Span = (0, None)
ITEMS_PER_RUN = 20_000
"""Fewest items a run is given: fewer are written faster by one process than started in two."""
WRITE_BUFFER = 1 << 20
COPY_BUFFER = 1 << 26
POLL_SECONDS = 0.2
Progress = Callable[[int], None]


def plan(session: Session, project_id: int, processes: int) -> list[Span]:
    """The runs a project's export is cut into: one unless ``processes`` is above one, the
    database can be opened by another process and the project has ``ITEMS_PER_RUN`` items for
    each of at least two runs."""
    if processes < 2 or shared_url(session) is None:
        return [WHOLE]
    total = count_items(session, project_id)
    runs = min(processes, total // ITEMS_PER_RUN)
    if runs < 2:
        return [WHOLE]
    edges = [0, *columns.item_bounds(session, project_id, total, runs)]
    return [(edges[k], edges[k + 1] if k + 1 < len(edges) else None) for k in range(len(edges))]


def shared_url(session: Session) -> str | None:
    """The session's database URL, with its password, when another process can open the same
    database (not an in-memory SQLite one)."""
    url = session.get_bind().engine.url
    if url.get_backend_name() == "sqlite":
        name = url.database or ""
        if name in ("", ":memory:") or "mode=memory" in str(url.query.get("mode", "")):
            return None
    return url.render_as_string(hide_password=False)


def write_span(
    session: Session,
    run: RunJob,
    target: Path,
    summary: CardSummary,
    progress: Progress | None,
) -> int:
    """One run's rows written to ``target`` as JSONL (lines), Parquet (the whole file when
    it is the only run) or Arrow IPC (a later run of a Parquet export); the rows written."""
    if run.file_format == ExportFileFormat.JSONL.value:
        shaper = _shaper(session, run)
        with target.open("wb", buffering=WRITE_BUFFER) as out:
            found = TRAINING.get(run.format_name)
            if found is None:
                return write_lines(shaper, run.kind, summary, out, progress)
            counted = found.rows(shaper, run.options, summary)
            found.lines(shaper, run.options.conversational).write(counted.chunks(progress), out)
            return counted.rows
    made = _batches(session, run, summary, progress)
    if run.ipc:
        with pa.OSFile(str(target), "wb") as sink, pa.ipc.new_file(sink, made.schema) as out:
            for batch in made.batches:
                out.write_batch(batch)
    else:
        with made.writer(target) as writer:
            for batch in made.batches:
                writer.write_batch(batch)
    return made.counted.rows


class Counted(Protocol):
    """What counts a run's rows as they are made (``Tally``, ``Pairs``)."""

    rows: int


@dataclass
class _Made:
    """A run's record batches (lazy), their schema, the schema of a file without rows and
    what counts the rows."""

    batches: Iterator[pa.RecordBatch]
    schema: pa.Schema
    empty: pa.Schema
    counted: Counted

    def writer(self, target: Path) -> arrow.ParquetOut:
        return arrow.ParquetOut(target, self.schema, self.empty)


def _batches(
    session: Session, run: RunJob, summary: CardSummary, progress: Progress | None
) -> _Made:
    """The run's record batches, by its export format."""
    shaper = _shaper(session, run)
    found = TRAINING.get(run.format_name)
    if found is not None:
        rows = found.rows(shaper, run.options, summary)
        made = found.batches(shaper, run.options)
        return _Made(made.batches(rows.chunks(progress)), made.schema, found.empty, rows)
    tally = Tally(summary, run.kind)
    batches = arrow.Batches(shaper, run.kind, tally).batches(shaper.chunks(progress))
    return _Made(batches, arrow.SCHEMA, arrow.SCHEMA, tally)


def _shaper(session: Session, run: RunJob) -> Shaper:
    """The run's reader, its export's filters applied."""
    gate = Gate.of(run.filters)
    window = filtering.window(run.filters)
    kept = None if gate is None else gate.kept
    return Shaper(session, run.project_id, run.kind, run.span, window, kept)


@dataclass(frozen=True)
class _Training:
    """How a training format of a pairwise project is written: its rows (counted into the
    card), its JSON lines, its record batches and the schema of a file without rows."""

    rows: type[pairs.Pairs]
    lines: type[pairs.Lines]
    batches: type[pairs_arrow.PairBatches]
    empty: pa.Schema


TRAINING = {
    "preference": _Training(pairs.Pairs, pairs.Lines, pairs_arrow.PairBatches, pairs_arrow.EMPTY),
    "kto": _Training(kto.KtoPairs, kto.KtoLines, kto.KtoBatches, kto.EMPTY),
}
"""The formats other than ``raw`` the fast path writes, by name."""


@dataclass(frozen=True)
class RunJob:
    """What a process needs to write one run."""

    project_id: int
    kind: str
    span: Span
    file_format: str
    format_name: str = "raw"
    """``raw``, or one of ``TRAINING`` (of a pairwise project)."""
    options: ExportOptions = DEFAULT_OPTIONS
    filters: ExportFilters = field(default_factory=ExportFilters)
    url: str = ""
    index: int = 0
    ipc: bool = False


def write_runs(
    session: Session,
    first: RunJob,
    spans: list[Span],
    target: Path,
    summary: CardSummary,
    progress: Progress | None,
) -> int:
    """The runs of ``spans`` written into ``target``: the first here (``first`` its job),
    the others by processes of their own; the rows written in all."""
    url = shared_url(session)
    assert url is not None and len(spans) > 1
    context = multiprocessing.get_context("spawn")
    done = context.Array("q", len(spans), lock=False)
    parquet = first.file_format == ExportFileFormat.PARQUET.value
    with ExitStack() as stack:
        parts = [stack.enter_context(_part_file(target, k)) for k in range(1, len(spans))]
        pool = stack.enter_context(
            ProcessPoolExecutor(
                len(parts), mp_context=context, initializer=_share, initargs=(done,)
            )
        )
        futures = [
            pool.submit(_run, replace(first, span=span, url=url, index=index, ipc=parquet), part)
            for index, (span, part) in enumerate(zip(spans[1:], parts, strict=True), 1)
        ]
        report = _reporter(done, progress)
        if parquet:
            return _parquet_runs(session, first, target, summary, report, futures, parts)
        rows = write_span(session, first, target, summary, report)
        _await(futures, report)
        with target.open("r+b") as out:  # not "ab": copy_file_range refuses O_APPEND
            out.seek(0, os.SEEK_END)
            for future, part in zip(futures, parts, strict=True):
                rows += _merge(summary, future)
                with part.open("rb") as source:
                    _copy(source, out)
        return rows


def _parquet_runs(
    session: Session,
    first: RunJob,
    target: Path,
    summary: CardSummary,
    report: Progress,
    futures: list[Future[tuple[int, CardSummary]]],
    parts: list[Path],
) -> int:
    """This process's batches, then each other run's, into one Parquet file."""
    made = _batches(session, first, summary, report)
    with made.writer(target) as writer:
        for batch in made.batches:
            writer.write_batch(batch)
        rows = made.counted.rows
        _await(futures, report)
        for future, part in zip(futures, parts, strict=True):
            rows += _merge(summary, future)
            with pa.OSFile(str(part)) as source:  # read batch by batch, not mapped whole
                reader = pa.ipc.open_file(source)
                for number in range(reader.num_record_batches):
                    writer.write_batch(reader.get_batch(number))
    return rows


def _merge(summary: CardSummary, future: Future[tuple[int, CardSummary]]) -> int:
    rows, counted = future.result()
    summary.merge(counted)
    return rows


def _await(futures: list[Future[Any]], report: Progress) -> None:
    """Wait for the other runs, reporting their progress; a failed run's error raised."""
    pending = set(futures)
    while pending:
        _, pending = wait(pending, timeout=POLL_SECONDS)
        report(-1)
    for future in futures:
        future.result()


def _reporter(done: Any, progress: Progress | None) -> Progress:
    """Progress of all runs together: this process's count (``-1``: unchanged) plus the
    other processes' counts as they last wrote them."""
    mine = 0

    def report(count: int) -> None:
        nonlocal mine
        if count >= 0:
            mine = count
        if progress is not None:
            progress(mine + sum(done[1:]))

    return report


_shared: Any = None


def _share(done: Any) -> None:
    """A run process's start: keep the shared progress counters."""
    global _shared
    _shared = done


def _run(run: RunJob, target: Path) -> tuple[int, CardSummary]:
    """A run process's work: its run written to ``target``; its rows and card counts."""
    database = Database(run.url)
    summary = CardSummary(name="", format=run.format_name)

    def report(count: int) -> None:
        if _shared is not None:
            _shared[run.index] = count

    try:
        with database.scoped(write=False) as session:
            rows = write_span(session, run, target, summary, report)
    finally:
        database.dispose()
    return rows, summary


@contextmanager
def _part_file(target: Path, index: int) -> Iterator[Path]:
    """A temporary file beside ``target`` for run ``index``, removed afterwards."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.run{index}.", dir=target.parent)
    os.close(handle)
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _copy(source: BinaryIO, out: BinaryIO) -> None:
    """Append ``source`` to ``out``: in the kernel where it can (``os.copy_file_range``,
    Linux), else through a buffer."""
    out.flush()
    try:
        while os.copy_file_range(source.fileno(), out.fileno(), COPY_BUFFER):
            pass
    except (AttributeError, OSError):
        shutil.copyfileobj(source, out, COPY_BUFFER)
