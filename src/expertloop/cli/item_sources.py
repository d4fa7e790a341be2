"""Where ``expertloop import`` reads rows from: one function per format, chosen by the path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from expertloop.cli.arrow_files import is_hf_dataset, read_hf_dataset, read_parquet
from expertloop.cli.item_files import (
    EXTENSIONS,
    FileFormat,
    ParsedFile,
    read_item_file,
    read_label_studio,
)

ARROW_FORMATS = (FileFormat.PARQUET, FileFormat.HF_DATASET)


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
    if fmt is FileFormat.PARQUET:
        return read_parquet(path, advance)
    if fmt is FileFormat.HF_DATASET:
        return read_hf_dataset(path, split, advance)
    if fmt is FileFormat.LABEL_STUDIO:
        return read_label_studio(path, advance)
    return read_item_file(path, fmt, advance, raw=raw)
