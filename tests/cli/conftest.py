"""CLI fixtures: a runner and the URL of the migrated test database (emptied after each test)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from click.testing import Result
from typer.testing import CliRunner

from expertloop.cli.main import app
from expertloop.store import Database

Invoke = Callable[..., Result]


@pytest.fixture
def db_url(database: Database, database_url: str) -> str:
    """The URL the commands get with --db; the ``database`` fixture empties it afterwards."""
    return database_url


@pytest.fixture
def cli(db_url: str) -> Invoke:
    """Run ``expertloop ARGS --db <test database>`` and return the result."""
    runner = CliRunner()

    def invoke(*args: str, db: bool = True, input: str | None = None) -> Result:
        argv: Sequence[str] = [*args, "--db", db_url] if db else list(args)
        return runner.invoke(app, list(argv), input=input, catch_exceptions=False)

    return invoke
