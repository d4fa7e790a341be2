"""Data in and out: ``import PROJECT FILE`` (JSONL, CSV, Parquet, a saved Hugging Face dataset,
Label Studio JSON); ``export PROJECT`` is in ``cli.exports``."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from expertloop.cli.common import DbOption, fail, open_database, utc_now
from expertloop.cli.inputs import bad_input, parse_project_id
from expertloop.cli.item_files import FileFormat, ParsedFile, SourceError
from expertloop.cli.item_sources import detect_source_format, iter_source, source_size
from expertloop.cli.mappings import ItemMapping, item_batches, mapped_batches, mapping_kind
from expertloop.core.errors import DomainError, FieldError
from expertloop.core.field_maps import FieldMap, parse_field_map
from expertloop.services.items import BATCH_ROWS, ItemBatch, import_item_batches
from expertloop.services.projects import get_project_or_raise
from expertloop.store import Database
from expertloop.store.tables import Project

MAX_REPORTED = 500
MAX_PROBLEMS = 1_000
"""An import stops reading its file after this many problems."""
ProjectArg = Annotated[str, typer.Argument(help="Project id (printed by `projects create`).")]


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("import")(import_file)


def import_file(
    project: ProjectArg,
    file: Annotated[
        Path,
        typer.Argument(help="Items: .jsonl, .csv, .parquet, Label Studio .json, a saved dataset."),
    ],
    format: Annotated[
        FileFormat | None,
        typer.Option("--format", help="Source format (default: by extension or directory)."),
    ] = None,
    mapping: Annotated[
        ItemMapping | None,
        typer.Option("--mapping", help="Read rows of another dataset's shape (processbench)."),
    ] = None,
    field_map: Annotated[
        list[str] | None,
        typer.Option(
            "--map", metavar="FIELD=SOURCE", help="Fill an item field from a column (repeatable)."
        ),
    ] = None,
    split: Annotated[
        str | None, typer.Option("--split", help="Split of a saved DatasetDict to import.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Import items into a project, all or nothing: one bad row and nothing is stored."""
    project_id = parse_project_id(project)
    fmt = detect_source_format(file, format)
    if fmt is None:
        choices = "|".join(f.value for f in FileFormat)
        raise bad_input("format", f"cannot tell the format of {file.name}; use --format {choices}")
    pairs = _parse_field_map(field_map or [], mapping, fmt, split)
    with open_database(db) as database:
        with database.scoped(write=False) as session:
            try:
                target = get_project_or_raise(session=session, actor=None, project_id=project_id)
            except DomainError as error:
                raise fail(error) from None
        _check_mapping(target, mapping, fmt)
        with _Importing(file) as progress, _without_cycle_collection():
            parts = iter_source(
                file, fmt, progress.read, split=split, raw=bool(pairs.pairs), batch_rows=BATCH_ROWS
            )
            if mapping is not None:
                parts = mapped_batches(parts, mapping)
            else:
                parts = item_batches(parts, fmt=fmt, kind=target.kind, field_map=pairs)
            created = _store(database, project_id, _Parts(parts, file), progress)
    typer.echo(f"created {created} items in project {target.id} ({target.name!r}) from {file.name}")


def _store(database: Database, project_id: int, parts: _Parts, progress: _Importing) -> int:
    """Validate and store the parts in one transaction, or exit 1 naming every problem."""
    try:
        parts.check_not_empty()
        with database.scoped() as session:
            return import_item_batches(
                session=session,
                actor=None,
                project_id=project_id,
                batches=(ItemBatch(p.rows, p.lines, p.errors) for p in parts),
                now=utc_now(),
                on_stored=progress.stored,
                max_problems=MAX_PROBLEMS,
            )
    except SourceError as error:
        raise bad_input(error.field, error.message) from None
    except DomainError as error:
        stopped = parts.stopped_at()
        raise report_file_errors(error, error.errors, parts.file, stopped_at=stopped) from None


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """No cyclic garbage collection while the rows are read and stored: the rows (decoded
    JSON) hold no cycles, yet their millions of objects set off collection passes that walk
    every object alive, the loaded modules' included, for nothing (a quarter of the time)."""
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


class _Parts:
    """The parts of a file as they are read: a file that cannot be read (or is not UTF-8)
    is a ``SourceError``; remembers the last line read and whether the file was read to its
    end."""

    def __init__(self, parts: Iterator[ParsedFile], file: Path) -> None:
        self.file = file
        self.line = 0
        self.done = False
        self._parts = self._guarded(parts)
        self._first: ParsedFile | None = None

    def check_not_empty(self) -> None:
        """Read the first part now: a file without rows or problems exits 1."""
        self._first = next(self._parts, None)
        if self._first is None or not self._first:
            raise bad_input("file", f"{self.file} has no items")

    def stopped_at(self) -> int | None:
        """The last line read when the file was not read to its end (one more part is read to
        tell); None when it was."""
        if self.done:
            return None
        line = self.line
        return None if next(self._parts, None) is None else line

    def __iter__(self) -> Iterator[ParsedFile]:
        if self._first is not None:
            yield self._first
            self._first = None
        yield from self._parts

    def _guarded(self, parts: Iterator[ParsedFile]) -> Iterator[ParsedFile]:
        file = self.file
        try:
            for part in parts:
                self.line = max([self.line, *part.lines, *(e.row or 0 for e in part.errors)])
                yield part
        except OSError as error:
            raise SourceError("file", f"cannot read {file}: {error.strerror or error}") from None
        except UnicodeDecodeError as error:
            raise SourceError("file", f"{file} is not UTF-8 text ({error.reason})") from None
        self.done = True


class _Importing:
    """One progress bar (terminals only): the bytes of the file read, advanced each time a
    batch of items is stored."""

    def __init__(self, file: Path) -> None:
        console = Console(stderr=True)
        self._progress = Progress(
            TextColumn("importing {task.description}"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[items]} items stored"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        total = source_size(file) if file.exists() else None
        self._task = self._progress.add_task(file.name, total=total, items=0)
        self._read = 0

    def __enter__(self) -> _Importing:
        self._progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._progress.stop()

    def read(self, done: int) -> None:
        self._read = done

    def stored(self, items: int) -> None:
        self._progress.update(self._task, completed=self._read, items=items)


def _parse_field_map(
    specs: list[str], mapping: ItemMapping | None, fmt: FileFormat, split: str | None
) -> FieldMap:
    """The ``--map`` pairs, or exit 1 when they are bad or clash with other options."""
    if split is not None and fmt is not FileFormat.HF_DATASET:
        raise bad_input("split", "--split is for a saved Hugging Face dataset (hf-dataset)")
    try:
        pairs = parse_field_map(specs)
    except DomainError as error:
        raise fail(error) from None
    if pairs.pairs and mapping is not None:
        raise bad_input("map", "--map and --mapping do not go together; use one")
    return pairs


def _check_mapping(project: Project, mapping: ItemMapping | None, fmt: FileFormat) -> None:
    if mapping is None:
        return
    kind = mapping_kind(mapping)
    if project.kind != kind:
        message = (
            f"{mapping.value} rows go to {kind} projects; project {project.id} is {project.kind}"
        )
        raise bad_input("mapping", message)
    if fmt is not FileFormat.JSONL:
        raise bad_input("mapping", f"{mapping.value} rows are read from JSONL only")


def read_import_file(
    file: Path, read: Callable[[], ParsedFile], *, code: str, what: str
) -> ParsedFile:
    """The rows ``read()`` gets from ``file``, or exit 1 saying why: the file cannot be read or
    is not UTF-8, rows have errors (``code``, each with its line), or it has no ``what``."""
    try:
        parsed = read()
    except OSError as error:
        raise bad_input("file", f"cannot read {file}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise bad_input("file", f"{file} is not UTF-8 text ({error.reason})") from None
    if parsed.errors:
        raise report_file_errors(DomainError(code, "the file has errors"), parsed.errors, file)
    if not parsed.rows:
        raise bad_input("file", f"{file} has no {what}")
    return parsed


def report_file_errors(
    error: DomainError, errors: list[FieldError], file: Path, *, stopped_at: int | None = None
) -> typer.Exit:
    """Print every row error with its file line (the rest like any domain error); the exit.
    ``stopped_at``: the line where reading stopped, when it stopped before the end."""
    if not errors:
        return fail(error)
    err = typer.get_text_stream("stderr")
    typer.secho(
        f"error [{error.code}]: {len(errors)} problem(s) in {file.name}; nothing was imported",
        err=True,
        fg=typer.colors.RED,
    )
    for problem in errors[:MAX_REPORTED]:
        where = f"line {problem.row}, " if problem.row is not None else ""
        err.write(f"  {where}{problem.field}: {problem.message}\n")
    if len(errors) > MAX_REPORTED:
        err.write(f"  ... and {len(errors) - MAX_REPORTED} more\n")
    if stopped_at is not None:
        err.write(f"  reading stopped at line {stopped_at}; the rest of the file was not checked\n")
    return typer.Exit(code=1)


@contextmanager
def output_stream(out: Path | None) -> Iterator[TextIO]:
    """The file ``--out`` names, opened for writing (or exit 1 saying why), else stdout."""
    if out is None:
        yield sys.stdout
        return
    try:
        stream = out.open("w", encoding="utf-8")
    except OSError as error:
        raise bad_input("out", f"cannot write {out}: {error.strerror or error}") from None
    with stream:
        yield stream
