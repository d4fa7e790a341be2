"""``serve``: migrate once, then run the app (web pages and JSON API) under uvicorn."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError

from expertloop.cli.common import DbOption, migrate_or_exit, resolve_db_url
from expertloop.cli.inputs import bad_input
from expertloop.config import Settings

APP_FACTORY = "expertloop.app:create_app"
HostOption = Annotated[str, typer.Option(help="Interface to listen on (0.0.0.0 for all).")]
PortOption = Annotated[int, typer.Option(help="TCP port to listen on.", min=1, max=65535)]
AggregateOption = Annotated[
    float,
    typer.Option(
        help="Seconds between background refreshes of consensus and quality by a worker "
        "process started alongside; 0 starts none (run `expertloop worker` yourself).",
        min=0,
    ),
]


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("serve")(serve)


def serve(
    db: DbOption = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: Annotated[
        int, typer.Option(help="Server processes; more than 1 wants PostgreSQL.", min=1)
    ] = 1,
    aggregate_every: AggregateOption = 10.0,
) -> None:
    """Serve the web pages and the JSON API (/api/v1), migrating the database first."""
    url = resolve_db_url(db)
    migrate_or_exit(url)
    run_server(url, host=host, port=port, workers=workers, aggregate_every=aggregate_every)


@contextmanager
def background_worker(url: str, every: float) -> Iterator[None]:
    """An ``expertloop worker`` process for as long as the block runs (none when ``every`` is
    0); it also exits by itself if this process dies."""
    if every <= 0:
        yield
        return
    command = [sys.executable, "-m", "expertloop.cli.main", "worker", "--db", url]
    command += ["--interval", str(every), "--parent", str(os.getpid())]
    process = subprocess.Popen(command)
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def run_server(
    url: str, *, host: str, port: int, workers: int = 1, aggregate_every: float = 10.0
) -> None:
    """Run uvicorn on the app factory; every worker reads the database URL from the environment.

    The database is already migrated, so workers are told not to migrate again (several
    processes racing to migrate one database would conflict).
    """
    os.environ["EXPERTLOOP_DATABASE_URL"] = url
    os.environ["EXPERTLOOP_MIGRATE_ON_START"] = "false"
    try:
        Settings()  # fail here, once, with a clear message, rather than in every worker
    except ValidationError as error:
        problem = error.errors()[0]
        field = "EXPERTLOOP_" + str(problem["loc"][0]).upper() if problem["loc"] else "settings"
        raise bad_input(field, problem["msg"]) from None
    typer.echo(
        f"expertloop serving on http://{_display(host)}:{port}/ "
        f"(API at /api/v1, {workers} worker{'s' if workers > 1 else ''})"
    )
    with background_worker(url, aggregate_every):
        uvicorn.run(
            APP_FACTORY, factory=True, host=host, port=port, workers=workers, log_level="info"
        )


def _display(host: str) -> str:
    return f"[{host}]" if ":" in host else host
