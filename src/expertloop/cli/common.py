"""What every CLI command shares: the --db option, opening the database, the clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

import typer

from expertloop.config import default_database_url
from expertloop.core.errors import DomainError
from expertloop.store import Database
from expertloop.store.migrate import upgrade

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (sqlite:///path.db or postgresql://user@host/db). "
        "Default: $EXPERTLOOP_DATABASE_URL, then ./expertloop.db.",
        show_default=False,
    ),
]


def resolve_db_url(db: str | None) -> str:
    """--db, else $EXPERTLOOP_DATABASE_URL, else a SQLite file in the working directory."""
    return db or os.environ.get("EXPERTLOOP_DATABASE_URL") or default_database_url()


def utc_now() -> datetime:
    return datetime.now(UTC)


def migrate_or_exit(url: str) -> None:
    """Migrate the database to head, or exit 1 saying why (bad URL, unreachable server)."""
    try:
        upgrade(url)
    except DomainError as error:
        raise fail(error) from None


@contextmanager
def open_database(db: str | None, *, migrate: bool = True) -> Iterator[Database]:
    """Open (and by default migrate) the database a command works on."""
    url = resolve_db_url(db)
    if migrate:
        migrate_or_exit(url)
    try:
        database = Database(url)
    except DomainError as error:
        raise fail(error) from None
    try:
        yield database
    finally:
        database.dispose()


def fail(error: DomainError) -> typer.Exit:
    """Print a domain error the way a person reads it and return the exit to raise."""
    typer.secho(f"error [{error.code}]: {error.message}", err=True, fg=typer.colors.RED)
    for problem in error.errors[1:20]:
        where = f"row {problem.row}, " if problem.row is not None else ""
        typer.secho(f"  {where}{problem.field}: {problem.message}", err=True)
    return typer.Exit(code=1)
