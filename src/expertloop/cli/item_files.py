"""Reading item files (JSONL, CSV, Label Studio JSON) into raw rows, each with its line.

Files are read as a stream of batches (``ParsedFile`` parts of ``batch_rows`` records), so an
import holds one batch of a file at a time; ``read_*`` functions join the batches of a whole
(small) file.

JSONL: one item object per line, the shape of the JSON API (``external_id``, ``prompt``,
``context``, ``responses``, ``data``, ``metadata``, ``priority``); blank lines are skipped.

CSV: a header line, then one item per record; every cell is read as a string. Columns:
``external_id``, ``prompt``, ``context``, ``priority`` (an integer), ``response_<ID>`` (the
text of response ``<ID>``, in column order), ``model_<ID>`` (its model, optional) and
``metadata.<key>``. Empty cells of ``context``, ``priority``, responses, models and metadata
are left out. Errors name the line of the file (1-based; the header is line 1).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any

from expertloop.core.errors import FieldError

CSV_FIELD_LIMIT = 2_000_000
SIMPLE_COLUMNS = ("external_id", "prompt", "context", "priority")
PREFIXES = {"response_": "response", "model_": "model", "metadata.": "metadata"}
EXPECTED = "external_id, prompt, context, priority, response_<ID>, model_<ID> or metadata.<key>"


class FileFormat(StrEnum):
    """Formats ``expertloop import`` reads."""

    JSONL = "jsonl"
    """One JSON object per line."""
    CSV = "csv"
    """Comma-separated values with a header line."""
    PARQUET = "parquet"
    """An Apache Parquet file, one item per row."""
    HF_DATASET = "hf-dataset"
    """A Hugging Face dataset saved with ``save_to_disk`` (a directory of Arrow files)."""
    LABEL_STUDIO = "label-studio"
    """A Label Studio JSON export: a list of tasks ``{id, data, annotations, predictions}``."""


EXTENSIONS = {
    ".jsonl": FileFormat.JSONL,
    ".ndjson": FileFormat.JSONL,
    ".csv": FileFormat.CSV,
    ".parquet": FileFormat.PARQUET,
    ".json": FileFormat.LABEL_STUDIO,
}


class SourceError(Exception):
    """A file or directory that is not what its format needs (not a row of it: the whole)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class ParsedFile:
    """Rows read from a file, the line each starts on, and problems found while reading."""

    rows: list[Any] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)

    def add(self, row: Any, line: int) -> None:
        self.rows.append(row)
        self.lines.append(line)

    def error(self, line: int, field_name: str, message: str) -> None:
        self.errors.append(FieldError(field_name, message, line))

    def __len__(self) -> int:
        """Records read: rows and rows that could not be read."""
        return len(self.rows) + len(self.errors)

    def take(self) -> ParsedFile:
        """What was read so far, moved to a new ``ParsedFile``; this one is left empty."""
        taken = ParsedFile(self.rows, self.lines, self.errors)
        self.rows, self.lines, self.errors = [], [], []
        return taken

    @classmethod
    def joined(cls, parts: Iterable[ParsedFile]) -> ParsedFile:
        """The parts of one file as one."""
        whole = cls()
        for part in parts:
            whole.rows.extend(part.rows)
            whole.lines.extend(part.lines)
            whole.errors.extend(part.errors)
        return whole

    def on_lines(self, errors: Iterable[FieldError]) -> list[FieldError]:
        """Errors naming row indexes of ``rows`` renamed to the file lines they came from."""
        return [
            FieldError(e.field, e.message, self.lines[e.row] if e.row is not None else None)
            for e in errors
        ]


def iter_item_file(
    path: Path,
    fmt: FileFormat,
    advance: Callable[[int], None],
    *,
    raw: bool = False,
    batch_rows: int,
) -> Iterator[ParsedFile]:
    """A JSONL or CSV file in batches of ``batch_rows`` records, read as they are asked for;
    ``advance`` gets the bytes read so far.

    ``raw`` reads each CSV record as ``{column: cell}`` (empty cells null), for ``--map``.

    Raises:
        OSError: the file cannot be opened or read.
        UnicodeDecodeError: the file is not UTF-8.
    """
    if fmt is FileFormat.JSONL:
        return iter_text_file(path, advance, _read_jsonl, batch_rows)
    return iter_text_file(path, advance, _read_raw_csv if raw else _read_csv, batch_rows)


def iter_label_studio(
    path: Path, advance: Callable[[int], None], *, batch_rows: int
) -> Iterator[ParsedFile]:
    """The tasks of a Label Studio JSON export in batches (the file is one JSON list, read
    whole; its tasks are handed on a batch at a time), numbered from 1 in their order.

    Raises:
        OSError: the file cannot be opened or read.
        UnicodeDecodeError: the file is not UTF-8.
        SourceError: the file is not a JSON list of tasks with ``data``.
    """
    text = path.read_text(encoding="utf-8-sig")
    advance(path.stat().st_size)
    try:
        tasks = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise SourceError("json", f"{path.name} is not valid JSON: {error.msg} ({where})") from None
    if isinstance(tasks, dict) and "data" in tasks:
        tasks = [tasks]
    if not isinstance(tasks, list) or not any(isinstance(t, dict) and "data" in t for t in tasks):
        message = (
            f"{path.name} is not a Label Studio export (a JSON list of tasks with data); "
            "for one item per line use .jsonl"
        )
        raise SourceError("file", message)
    yield from _tasks(tasks, batch_rows)


def _tasks(tasks: list[Any], batch_rows: int) -> Iterator[ParsedFile]:
    for start in range(0, len(tasks), batch_rows):
        part = ParsedFile()
        for number, task in enumerate(tasks[start : start + batch_rows], start=start + 1):
            part.add(task, number)
        yield part


Reader = Callable[[Iterable[str], ParsedFile], Iterator[None]]
"""Reads lines of text into a ``ParsedFile``, yielding after each record."""


def read_text_file(path: Path, advance: Callable[[int], None], read: Reader) -> ParsedFile:
    """What ``read`` makes of the whole UTF-8 file (a BOM is skipped); ``advance`` gets the
    bytes read.

    Raises:
        OSError: the file cannot be opened or read.
        UnicodeDecodeError: the file is not UTF-8.
    """
    return ParsedFile.joined(iter_text_file(path, advance, read, batch_rows=None))


def iter_text_file(
    path: Path, advance: Callable[[int], None], read: Reader, batch_rows: int | None
) -> Iterator[ParsedFile]:
    """What ``read`` makes of the UTF-8 file, in parts of ``batch_rows`` records (None: one
    part), each read when asked for; at least one part, which may be empty.

    Raises:
        OSError: the file cannot be opened or read.
        UnicodeDecodeError: the file is not UTF-8.
    """
    parsed, parts = ParsedFile(), 0
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        for _ in read(text, parsed):
            if batch_rows is not None and len(parsed.rows) + len(parsed.errors) >= batch_rows:
                advance(raw.tell())
                parts += 1
                yield parsed.take()
        advance(raw.tell())
    if parsed or not parts:
        yield parsed.take()


def _read_jsonl(text: Iterable[str], parsed: ParsedFile) -> Iterator[None]:
    for number, line in enumerate(text, start=1):
        if line and not line.isspace():
            try:
                parsed.add(decode_line(line), number)
            except json.JSONDecodeError as error:
                parsed.error(number, "json", f"not valid JSON: {error.msg} (column {error.colno})")
        yield


_SCAN: Any = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # json.loads's C scanner
_WHITESPACE = " \t\n\r"


def decode_line(line: str) -> Any:
    """``json.loads(line)``, without its Python steps around the C scanner for the usual line
    (a value from its first character, then only whitespace); any other line goes to
    ``json.loads`` itself, so values and errors are the same.

    Raises:
        json.JSONDecodeError: the line is not JSON.
    """
    if line[:1] in _WHITESPACE or line.startswith("\ufeff"):
        return json.loads(line)
    try:
        value, end = _SCAN(line, 0)
    except StopIteration:
        return json.loads(line)
    if end != len(line) and line[end:].strip(_WHITESPACE):
        return json.loads(line)
    return value


@dataclass(frozen=True)
class Column:
    """Where a CSV column goes in an item row: ``target`` and, for prefixed ones, ``key``."""

    target: str
    key: str = ""


RowMaker = Callable[[list[str]], Any]
"""Turns the cells of one CSV record into a row."""


def read_csv_rows(
    text: Iterable[str],
    parsed: ParsedFile,
    plan: Callable[[list[str], ParsedFile], RowMaker | None],
) -> Iterator[None]:
    """Read CSV records into ``parsed``, each as a row with the file line it starts on.

    ``plan`` checks the header (its problems go to ``parsed`` on line 1) and returns how to
    make a row of a record, or None to read no further. A record with another number of cells
    than the header is an error; a blank line is skipped. Yields after each record.
    """
    reader = csv.reader(text)
    try:
        header = next(reader, [])
        to_row = plan(header, parsed)
        if to_row is None:
            return
        start = reader.line_num + 1
        for cells in reader:
            if len(cells) == len(header):
                parsed.add(to_row(cells), start)
            elif cells:  # an empty list is a blank line
                message = f"has {len(cells)} cells; the header has {len(header)}"
                parsed.error(start, "cells", message)
            start = reader.line_num + 1
            yield
    except csv.Error as error:
        parsed.error(reader.line_num, "csv", str(error))


def _read_csv(text: Iterable[str], parsed: ParsedFile) -> Iterator[None]:
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    return read_csv_rows(text, parsed, _item_rows)


def _read_raw_csv(text: Iterable[str], parsed: ParsedFile) -> Iterator[None]:
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    return read_csv_rows(text, parsed, _raw_rows)


def _raw_rows(header: list[str], parsed: ParsedFile) -> RowMaker | None:
    names = [name.strip() for name in header]
    if not names:
        parsed.error(1, "header", "the file is empty; the first line must name the columns")
    for name, count in Counter(names).items():
        if count > 1 or not name:
            parsed.error(1, name or "header", "a column needs a name of its own")
    if parsed.errors:
        return None
    return lambda cells: {name: cell or None for name, cell in zip(names, cells, strict=True)}


def _item_rows(header: list[str], parsed: ParsedFile) -> RowMaker | None:
    columns = plan_columns(header, parsed)
    return None if parsed.errors else partial(csv_row, columns)


def plan_columns(header: list[str], parsed: ParsedFile) -> list[Column]:
    """Map each header cell to a ``Column``; problems go to ``parsed`` on line 1."""
    if not header:
        parsed.error(1, "header", "the file is empty; the first line must name the columns")
        return []
    columns = [_column(name.strip()) for name in header]
    for name, column in zip(header, columns, strict=True):
        if column is None:
            parsed.error(1, name or "header", f"unknown column; expected {EXPECTED}")
    for name, count in Counter(header).items():
        if count > 1:
            parsed.error(1, name, "appears more than once in the header")
    known = [c for c in columns if c is not None]
    if Column("prompt") not in known:
        parsed.error(1, "prompt", "the header has no prompt column")
    responses = {c.key for c in known if c.target == "response"}
    for column in known:
        if column.target == "model" and column.key not in responses:
            parsed.error(1, f"model_{column.key}", f"has no response_{column.key} column")
    return known


def _column(name: str) -> Column | None:
    if name in SIMPLE_COLUMNS:
        return Column(name)
    for prefix, target in PREFIXES.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            return Column(target, name[len(prefix) :])
    return None


def csv_row(columns: list[Column], cells: list[str]) -> dict[str, Any]:
    """One CSV record as an item row (the JSON API shape)."""
    row: dict[str, Any] = {}
    parts: dict[str, dict[str, str]] = {"response": {}, "model": {}, "metadata": {}}
    for column, cell in zip(columns, cells, strict=True):
        if column.target in parts:
            if cell:
                parts[column.target][column.key] = cell
        elif column.target in ("external_id", "prompt"):
            row[column.target] = cell
        elif cell.strip():
            row[column.target] = _integer(cell) if column.target == "priority" else cell
    models = parts["model"]
    if parts["response"]:
        row["responses"] = [
            {"id": key, "text": text, "model": models.get(key)}
            for key, text in parts["response"].items()
        ]
    if parts["metadata"]:
        row["metadata"] = parts["metadata"]
    return row


def _integer(cell: str) -> int | str:
    """An integer cell as an int; anything else stays a string for the validator to name."""
    try:
        return int(cell.strip())
    except ValueError:
        return cell
