"""Writing shaped export rows to files: JSONL, Parquet, or a ``datasets`` directory, with a card.

Rows stream through in constant memory: JSONL is written line by line, Parquet through one
``pyarrow.parquet.ParquetWriter`` fed record batches of ``batch_rows`` rows (one row group per
batch), and a ``datasets`` directory is made from such a Parquet file, written to a temporary
directory beside the target, by ``datasets.Dataset.from_parquet(...).save_to_disk(path)``
(memory-mapped Arrow, never a list of rows). Files are written under a temporary name in the
target's directory and renamed into place at the end, so a failed export leaves nothing behind.

JSONL rows are exactly as ``expertloop.core.exports`` shapes them. Parquet and ``datasets``
columns follow ``export_schemas`` (TRL's column types; raw ``value`` and
``provenance.extra`` as JSON strings). Every row must have the first row's shape: a mix of
conversational and standard rows is an ``export.invalid_row`` error (export with
``conversational=True`` to write every row as messages).

The dataset card (``core.exports.card``) is written beside the data: ``README.md`` inside a
``datasets`` directory (the Hugging Face Hub reads it there), ``<stem>.README.md`` next to a file
(``train.parquet`` -> ``train.README.md``). Writing the ``datasets`` format needs the optional
extra: ``pip install 'expertloop[datasets]'``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import orjson
import pyarrow.parquet as pq

from expertloop.core.errors import FieldError, Unavailable, invalid
from expertloop.core.exports.card import CardSummary, dataset_card
from expertloop.services import export_schemas as schemas

Progress = Callable[[int], None]
DATASETS_HINT = "pip install 'expertloop[datasets]'"
T = TypeVar("T")
JSONL_OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
"""UTF-8 JSON, one compact line per row (orjson: about 7 times ``json.dumps`` here)."""


class ExportFileFormat(StrEnum):
    """File formats an export is written in."""

    JSONL = "jsonl"
    """One JSON object per line, rows exactly as shaped."""
    PARQUET = "parquet"
    """One Parquet file with an explicit Arrow schema per export format."""
    DATASET = "dataset"
    """A ``datasets.Dataset.save_to_disk`` directory (needs the ``datasets`` extra)."""


@dataclass(frozen=True)
class ExportWritten:
    """What an export wrote: its row count, data files, dataset card and data bytes.

    ``paths`` is the file itself for JSONL and Parquet, and the files ``save_to_disk`` wrote
    inside the directory for ``datasets``; ``bytes`` is their total size (the card excluded).
    """

    rows: int
    paths: tuple[Path, ...]
    card: Path
    bytes: int


@dataclass
class _Rows:
    """The rows as they stream past: shape checked against the first, counted, summarised."""

    layout: schemas.Layout
    summary: CardSummary
    shape: schemas.Shape | None = None
    count: int = 0

    def check(self, rows: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        for row in rows:
            shape = schemas.row_shape(self.layout, row, self.count + 1)
            if self.shape is None:
                self.shape = shape
            elif shape != self.shape:
                raise _mixed(self.count + 1, shape, self.shape)
            self.count += 1
            self.summary.update(row)
            yield row


def write_export(
    rows: Iterable[Mapping[str, Any]],
    *,
    path: Path,
    file_format: ExportFileFormat,
    format_name: str,
    summary: CardSummary,
    progress: Progress | None = None,
    batch_rows: int = 5000,
) -> ExportWritten:
    """Write shaped export rows to ``path`` and the dataset card beside it.

    Args:
        rows: rows of one export format, from ``expertloop.core.exports.<format>.rows``.
        path: the file (JSONL, Parquet) or directory (``datasets``) to write; replaced if it
            exists; its parent directory must exist.
        file_format: how to write the rows.
        format_name: ``sft``, ``preference``, ``kto``, ``stepwise`` or ``raw``.
        summary: counts for the card; updated in place by every row.
        progress: called with the number of rows written so far after every ``batch_rows``
            rows and once at the end.
        batch_rows: rows per Parquet row group (and per progress call).

    Returns:
        The rows written, the data files, the card path and the data files' total bytes.

    Raises:
        Invalid: ``export.unknown_format``, ``export.invalid_row`` (a row of the wrong shape or
            type, named by its 1-based number), ``export.cannot_write`` (an unwritable path).
        Unavailable: ``export.needs_datasets`` when the ``datasets`` extra is not installed.
    """
    layout = schemas.layout_of(format_name)
    if batch_rows < 1:
        raise invalid("export.invalid_batch", [FieldError("batch_rows", "must be at least 1")])
    stream = _Rows(layout, summary)
    report = progress or (lambda count: None)
    if file_format == ExportFileFormat.JSONL:
        _write_jsonl(stream.check(rows), path, report, batch_rows)
        paths: tuple[Path, ...] = (path,)
    elif file_format == ExportFileFormat.PARQUET:
        with _replacing(path) as partial:
            _write_parquet(stream, rows, partial, report, batch_rows)
        paths = (path,)
    else:
        paths = _write_dataset(stream, rows, path, report, batch_rows)
    card = path / "README.md" if file_format == ExportFileFormat.DATASET else _card_beside(path)
    _write_text(card, dataset_card(summary))
    return ExportWritten(stream.count, paths, card, sum(p.stat().st_size for p in paths))


def jsonl_line(row: Mapping[str, Any]) -> bytes:
    """One row as a line of JSONL, as every JSONL export writes it."""
    return orjson.dumps(row, option=JSONL_OPTIONS)


def _write_jsonl(
    rows: Iterable[Mapping[str, Any]], path: Path, progress: Progress, batch_rows: int
) -> None:
    count = 0
    with _replacing(path) as partial, partial.open("wb") as out:
        for row in rows:
            out.write(jsonl_line(row))
            count += 1
            if count % batch_rows == 0:
                progress(count)
    if count == 0 or count % batch_rows:
        progress(count)


def _write_parquet(
    stream: _Rows,
    rows: Iterable[Mapping[str, Any]],
    target: Path,
    progress: Progress,
    batch_rows: int,
) -> None:
    """Stream rows into one Parquet file, one row group per batch of ``batch_rows``."""
    checked = stream.check(rows)
    writer: pq.ParquetWriter | None = None
    try:
        while batch := list(islice(checked, batch_rows)):
            first = stream.count - len(batch) + 1
            shape = stream.shape or schemas.default_shape(stream.layout)
            schema = schemas.arrow_schema(stream.layout, shape)
            writer = writer or pq.ParquetWriter(str(target), schema)
            writer.write_batch(schemas.record_batch(stream.layout, schema, batch, first))
            progress(stream.count)
        if writer is None:  # no rows: an empty file with the standard schema
            schema = schemas.arrow_schema(stream.layout, schemas.default_shape(stream.layout))
            writer = pq.ParquetWriter(str(target), schema)
            progress(0)
    finally:
        if writer is not None:
            writer.close()


def _write_dataset(
    stream: _Rows, rows: Iterable[Mapping[str, Any]], path: Path, progress: Progress, batch: int
) -> tuple[Path, ...]:
    """Rows through a temporary Parquet file into a ``datasets`` directory at ``path``."""
    datasets = _datasets()
    if path.exists() and not path.is_dir():
        raise _cannot_write(path, "it is a file, and the datasets format writes a directory")
    with _workspace(path) as work:
        parquet = work / "rows.parquet"
        _write_parquet(stream, rows, parquet, progress, batch)
        bars_on = datasets.is_progress_bar_enabled()
        datasets.disable_progress_bars()
        try:
            _save_dataset(datasets, parquet, path, cache=work, empty=stream.count == 0)
        finally:
            if bars_on:
                datasets.enable_progress_bars()
    return tuple(sorted(p for p in path.iterdir() if p.is_file() and p.name != "README.md"))


def _save_dataset(datasets: Any, parquet: Path, path: Path, *, cache: Path, empty: bool) -> None:
    """``Dataset.from_parquet`` memory-maps the rows; it refuses a file without rows, and a
    dataset saved in zero shards does not load, so an empty export is one empty shard."""
    if empty:
        features = datasets.Features.from_arrow_schema(pq.read_schema(parquet))
        dataset = datasets.Dataset.from_dict({name: [] for name in features}, features=features)
        dataset.save_to_disk(str(path), num_shards=1)
    else:
        dataset = datasets.Dataset.from_parquet(str(parquet), cache_dir=str(cache))
        dataset.save_to_disk(str(path))


def _datasets() -> Any:
    """The ``datasets`` module, or ``export.needs_datasets`` when the extra is missing."""
    try:
        import datasets
    except ImportError:
        raise _needs_datasets() from None
    return datasets


def require_datasets() -> None:
    """Refuse the ``datasets`` file format early when the package is not installed, without
    importing it (a job queued now would only fail later in the worker).

    Raises:
        Unavailable: ``export.needs_datasets`` saying how to install it.
    """
    try:
        found = importlib.util.find_spec("datasets") is not None
    except ValueError:  # set to None in sys.modules: importing it would fail
        found = False
    if not found:
        raise _needs_datasets()


def _needs_datasets() -> Unavailable:
    message = f"writing the datasets format needs the datasets package: {DATASETS_HINT}"
    return Unavailable("export.needs_datasets", message)


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed to it on success and removed on failure."""
    handle, name = _guard(path, lambda: tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent))
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        partial.replace(path)
    except OSError as error:  # a full disk or a vanished directory while writing
        raise _cannot_write(path, error.strerror or str(error)) from None
    finally:
        partial.unlink(missing_ok=True)


@contextmanager
def _workspace(path: Path) -> Iterator[Path]:
    """A temporary directory beside ``path``, removed afterwards."""
    work = Path(_guard(path, lambda: tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent)))
    try:
        yield work
    except OSError as error:
        raise _cannot_write(path, error.strerror or str(error)) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _card_beside(path: Path) -> Path:
    return path.with_name(f"{path.stem}.README.md")


def _write_text(path: Path, text: str) -> None:
    _guard(path, lambda: path.write_text(text, encoding="utf-8"))


def _guard(path: Path, action: Callable[[], T]) -> T:
    """Run a file system action; an ``OSError`` becomes ``export.cannot_write``."""
    try:
        return action()
    except OSError as error:
        raise _cannot_write(path, error.strerror or str(error)) from None


def _cannot_write(path: Path, reason: str) -> Exception:
    return invalid("export.cannot_write", [FieldError("path", f"cannot write {path}: {reason}")])


def _mixed(number: int, shape: schemas.Shape, first: schemas.Shape) -> Exception:
    message = (
        f"has columns {schemas.describe(shape)} but the first row has "
        f"{schemas.describe(first)}; every row must be conversational or every row standard: "
        "export with conversational=True to write every row as messages"
    )
    return invalid("export.invalid_row", [FieldError("columns", message, number)])
