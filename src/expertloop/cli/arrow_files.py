"""Reading Arrow-based item sources: Parquet files and Hugging Face datasets saved on disk.

Both are read with pyarrow one record batch at a time and handed on in batches of rows as they
are asked for (``iter_*``), so an import holds one batch; each row becomes a dict (structs become
objects, lists lists; dates and times ISO texts, decimals texts) numbered from 1. A dataset saved
with ``datasets.Dataset.save_to_disk`` is a directory holding ``state.json`` (which names its
Arrow stream files under ``_data_files``) and ``dataset_info.json``; a ``DatasetDict`` is a
directory with ``dataset_dict.json`` (its ``splits``) and one such directory per split. The
``datasets`` package is not needed to read them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from expertloop.cli.item_files import ParsedFile, SourceError

BATCH_ROWS = 1024
HF_STATE = "state.json"
HF_SPLITS = "dataset_dict.json"


def is_hf_dataset(path: Path) -> bool:
    """Whether ``path`` is a directory written by ``save_to_disk`` (a dataset or a dict)."""
    return path.is_dir() and ((path / HF_STATE).is_file() or (path / HF_SPLITS).is_file())


def iter_parquet(
    path: Path, advance: Callable[[int], None], *, batch_rows: int
) -> Iterator[ParsedFile]:
    """The rows of a Parquet file in batches of ``batch_rows``, each read when asked for;
    ``advance`` gets an estimate of the bytes read.

    Raises:
        OSError: the file cannot be opened or read.
        SourceError: the file is not Parquet.
    """
    try:
        source = pq.ParquetFile(path)
    except pa.ArrowException as error:
        raise SourceError("file", f"{path.name} is not a Parquet file ({error})") from None
    total = max(source.metadata.num_rows, 1)
    size = path.stat().st_size
    with source:
        batches = source.iter_batches(batch_size=BATCH_ROWS)
        rows = _Rows(lambda done: advance(size * done // total))
        yield from rows.parts(_guarded(batches, path), batch_rows)
        yield from rows.rest()


def iter_hf_dataset(
    path: Path, split: str | None, advance: Callable[[int], None], *, batch_rows: int
) -> Iterator[ParsedFile]:
    """The rows of a dataset saved with ``save_to_disk`` (``split`` of a ``DatasetDict``) in
    batches of ``batch_rows``, each read when asked for.

    Raises:
        OSError: a file cannot be opened or read.
        SourceError: the directory is not a saved dataset, or ``split`` is wrong.
    """
    rows = _Rows(lambda _: None)
    done = 0
    for file in hf_data_files(path, split):
        with pa.memory_map(str(file)) as stream:
            try:
                reader = ipc.open_stream(stream)
            except pa.ArrowException as error:
                raise SourceError("file", f"{file.name} is not an Arrow stream ({error})") from None
            rows.tick = partial(_at, stream, partial(_shifted, advance, done))
            yield from rows.parts(_guarded(iter(reader), file), batch_rows)
        done += file.stat().st_size
    yield from rows.rest()


def _shifted(advance: Callable[[int], None], before: int, at: int) -> None:
    advance(before + at)


def _at(stream: Any, advance: Callable[[int], None], _: int) -> None:
    advance(stream.tell())


def hf_data_files(path: Path, split: str | None) -> list[Path]:
    """The Arrow files of a saved dataset, in order (those of ``split`` for a ``DatasetDict``).

    Raises:
        SourceError: ``state.json`` / ``dataset_dict.json`` is missing or wrong, ``split`` is
            not one of the splits (or is needed: the dict has several), or is given for a
            single dataset.
    """
    if (path / HF_SPLITS).is_file():
        splits = _json(path / HF_SPLITS).get("splits")
        if not isinstance(splits, list) or not splits:
            raise SourceError("file", f"{path / HF_SPLITS} lists no splits")
        names = ", ".join(str(s) for s in splits)
        if split is None and len(splits) > 1:
            raise SourceError("split", f"{path.name} has splits {names}; choose one with --split")
        chosen = split if split is not None else str(splits[0])
        if chosen not in splits:
            raise SourceError("split", f"{path.name} has no split {chosen!r}; it has {names}")
        return hf_data_files(path / chosen, None)
    if split is not None:
        raise SourceError("split", f"{path.name} is a single dataset, not a DatasetDict")
    files = _json(path / HF_STATE).get("_data_files")
    if not isinstance(files, list) or not all(
        isinstance(f, dict) and isinstance(f.get("filename"), str) for f in files
    ):
        raise SourceError("file", f"{path / HF_STATE} has no _data_files list")
    return [path / f["filename"] for f in files]


def _json(file: Path) -> dict[str, Any]:
    try:
        value = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError("file", f"cannot read {file}: {error}") from None
    if not isinstance(value, dict):
        raise SourceError("file", f"{file} is not a JSON object")
    return value


def _guarded(batches: Iterator[pa.RecordBatch], file: Path) -> Iterator[pa.RecordBatch]:
    """The batches, with Arrow's errors on a broken file turned into a ``SourceError``."""
    try:
        yield from batches
    except pa.ArrowException as error:
        raise SourceError("file", f"cannot read {file.name}: {error}") from None


class _Rows:
    """Rows of Arrow record batches gathered into parts, numbered from 1 across the source;
    ``tick`` gets the number of rows read after each record batch."""

    def __init__(self, tick: Callable[[int], None]) -> None:
        self.tick = tick
        self.part = ParsedFile()
        self.count = 0

    def parts(self, batches: Iterator[pa.RecordBatch], batch_rows: int) -> Iterator[ParsedFile]:
        """The parts of ``batch_rows`` rows filled from ``batches`` (what is left waits for
        the next source, or for ``rest``)."""
        for batch in batches:
            for row in batch.to_pylist():
                self.count += 1
                try:
                    self.part.add({key: plain(value) for key, value in row.items()}, self.count)
                except TypeError as error:
                    self.part.error(self.count, "row", str(error))
            self.tick(self.count)
            if len(self.part) >= batch_rows:
                yield self.part.take()

    def rest(self) -> Iterator[ParsedFile]:
        if self.part or not self.count:
            yield self.part.take()


def plain(value: Any) -> Any:
    """An Arrow cell as JSON-ready Python: dates and times as ISO texts, decimals as texts.

    Raises:
        TypeError: binary cells, which an item cannot hold.
    """
    if isinstance(value, dict):
        return {key: plain(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [plain(inner) for inner in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        raise TypeError("holds binary data, which an item cannot hold")
    return value
