"""Data in and out: ``import PROJECT FILE`` (JSONL, CSV, Parquet, a saved Hugging Face dataset,
Label Studio JSON); ``export PROJECT`` is in ``cli.exports``."""

from __future__ import annotations

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
from expertloop.cli.item_sources import detect_source_format, read_source, source_size
from expertloop.cli.mappings import ItemMapping, item_rows, map_rows, mapping_kind
from expertloop.core.errors import DomainError, FieldError
from expertloop.core.field_maps import FieldMap, parse_field_map
from expertloop.services.items import import_items
from expertloop.services.projects import get_project_or_raise
from expertloop.store.tables import Project

MAX_REPORTED = 500
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
        parsed = _read_with_progress(file, fmt, split=split, raw=bool(pairs.pairs))
        if mapping is not None:
            parsed = _mapped(map_rows(parsed, mapping), file)
        else:
            parsed = _mapped(item_rows(parsed, fmt=fmt, kind=target.kind, field_map=pairs), file)
        with database.scoped() as session, _storing(len(parsed.rows)):
            try:
                created = import_items(
                    session=session,
                    actor=None,
                    project_id=project_id,
                    rows=parsed.rows,
                    now=utc_now(),
                )
            except DomainError as error:
                raise report_file_errors(error, parsed.on_lines(error.errors), file) from None
    typer.echo(f"created {created} items in project {target.id} ({target.name!r}) from {file.name}")


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


def _mapped(mapped: ParsedFile, file: Path) -> ParsedFile:
    if mapped.errors:
        raise report_file_errors(
            DomainError("items.invalid", "the file has errors"), mapped.errors, file
        )
    return mapped


def _read_with_progress(file: Path, fmt: FileFormat, *, split: str | None, raw: bool) -> ParsedFile:
    console = Console(stderr=True)

    def read() -> ParsedFile:
        size = source_size(file)
        with Progress(
            TextColumn("reading {task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        ) as progress:
            task = progress.add_task(file.name, total=size)
            return read_source(
                file,
                fmt,
                lambda done: progress.update(task, completed=done),
                split=split,
                raw=raw,
            )

    try:
        return read_import_file(file, read, code="items.invalid", what="items")
    except SourceError as error:
        raise bad_input(error.field, error.message) from None


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


@contextmanager
def _storing(count: int) -> Iterator[None]:
    """A spinner while the rows are validated and stored in one transaction (terminals only)."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(f"validating and storing {count} items"):
        yield


def report_file_errors(error: DomainError, errors: list[FieldError], file: Path) -> typer.Exit:
    """Print every row error with its file line (the rest like any domain error); the exit."""
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
