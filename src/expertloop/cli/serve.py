"""``serve``: migrate once, then run the app (web pages and JSON API) under uvicorn."""

from __future__ import annotations

import os
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
) -> None:
    """Serve the web pages and the JSON API (/api/v1), migrating the database first."""
    url = resolve_db_url(db)
    migrate_or_exit(url)
    run_server(url, host=host, port=port, workers=workers)


def run_server(url: str, *, host: str, port: int, workers: int = 1) -> None:
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
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers, log_level="info")


def _display(host: str) -> str:
    return f"[{host}]" if ":" in host else host
