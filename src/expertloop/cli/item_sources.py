"""Where ``expertloop import`` reads rows from: one function per format, chosen by the path.

Every format is read as a stream of batches (``iter_source``); ``read_source`` joins them for
callers that want a whole (small) source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from expertloop.cli.arrow_files import is_hf_dataset, iter_hf_dataset, iter_parquet
from expertloop.cli.item_files import (
    EXTENSIONS,
    FileFormat,
    ParsedFile,
    iter_item_file,
    iter_label_studio,
)

ARROW_FORMATS = (FileFormat.PARQUET, FileFormat.HF_DATASET)
WHOLE = 1 << 62
"""``batch_rows`` for a source read in one part."""


def detect_source_format(path: Path, given: FileFormat | None) -> FileFormat | None:
    """``given``, else the format a directory or extension shows; None when it shows none."""
    if given is not None:
        return given
    if path.is_dir():
        return FileFormat.HF_DATASET if is_hf_dataset(path) else None
    return EXTENSIONS.get(path.suffix.lower())


def source_size(path: Path) -> int:
    """Bytes to read, for a progress bar: the file's, or the files' under a directory."""
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return path.stat().st_size


def read_source(
    path: Path,
    fmt: FileFormat,
    advance: Callable[[int], None],
    *,
    split: str | None = None,
    raw: bool = False,
) -> ParsedFile:
    """Every row of ``path`` read as ``fmt``; ``raw`` reads CSV records as ``{column: cell}``.

    Raises:
        OSError: the source cannot be opened or read.
        UnicodeDecodeError: a text format that is not UTF-8.
        SourceError: the source is not of its format as a whole (not a Parquet file, no
            such split...).
    """
    parts = iter_source(path, fmt, advance, split=split, raw=raw, batch_rows=WHOLE)
    return ParsedFile.joined(parts)


def iter_source(
    path: Path,
    fmt: FileFormat,
    advance: Callable[[int], None],
    *,
    split: str | None = None,
    raw: bool = False,
    batch_rows: int,
) -> Iterator[ParsedFile]:
    """The rows of ``path`` read as ``fmt``, in parts of ``batch_rows`` records (rows and
    rows that could not be read), each read when asked for: at least one part, the last
    possibly empty. ``advance`` gets the bytes read so far.

    Raises (when the parts are read):
        OSError: the source cannot be opened or read.
        UnicodeDecodeError: a text format that is not UTF-8.
        SourceError: the source is not of its format as a whole.
    """
    if fmt is FileFormat.PARQUET:
        return iter_parquet(path, advance, batch_rows=batch_rows)
    if fmt is FileFormat.HF_DATASET:
        return iter_hf_dataset(path, split, advance, batch_rows=batch_rows)
    if fmt is FileFormat.LABEL_STUDIO:
        return iter_label_studio(path, advance, batch_rows=batch_rows)
    return iter_item_file(path, fmt, advance, raw=raw, batch_rows=batch_rows)
