"""Quality from the command line: the background ``worker``, ``quality refresh`` and
``quality report`` of one project, and ``gold import`` of known answers."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from expertloop.cli.common import DbOption, fail, open_database, utc_now
from expertloop.cli.inputs import bad_input, parse_project_id, read_text
from expertloop.config import Settings
from expertloop.core.errors import DomainError, invalid
from expertloop.services import aggregation, export_worker, gold, quality
from expertloop.store import Database

quality_app = typer.Typer(help="Consensus, agreement and experts' measured quality.")
gold_app = typer.Typer(help="Gold items: items with known answers, served unmarked.")
ProjectArg = Annotated[str, typer.Argument(help="Project id (printed by `projects create`).")]
SeedOption = Annotated[int, typer.Option(help="Seed of the methods that restart at random.")]


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("worker")(worker)
    app.add_typer(quality_app, name="quality")
    app.add_typer(gold_app, name="gold")


def worker(
    db: DbOption = None,
    interval: Annotated[
        float, typer.Option(help="Seconds between looks for projects with new work.", min=0.1)
    ] = 10.0,
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit.")] = False,
    seed: SeedOption = 0,
    parent: Annotated[
        int | None, typer.Option(help="Exit when this process id is gone (set by serve).")
    ] = None,
) -> None:
    """Refresh consensus and quality, then write queued exports (into $EXPERTLOOP_EXPORT_DIR),
    in the background, coordinated through the database: run any number of these, on any hosts
    sharing one PostgreSQL (and one export directory)."""
    rng = np.random.default_rng(seed)
    settings = Settings()
    with open_database(db) as database:
        while True:
            done = aggregation.refresh_due(sessions=database.scoped, now=utc_now, rng=rng)
            for refreshed in done:
                typer.echo(
                    f"project {refreshed.project_id}: {refreshed.items} items, "
                    f"{refreshed.slots_opened} slots opened, {refreshed.disputed} disputed"
                )
            _run_exports(database, settings)
            if once or (parent is not None and os.getppid() != parent):
                return
            time.sleep(interval)


def _run_exports(database: Database, settings: Settings) -> None:
    finished = export_worker.run_pending_exports(
        sessions=database.scoped,
        now=utc_now,
        directory=settings.export_dir,
        stale_seconds=settings.export_job_timeout_seconds,
        processes=settings.export_processes,
    )
    for job in finished:
        outcome = f"{job.rows} rows in {job.path}" if job.status == "done" else job.error
        typer.echo(f"export {job.id} of project {job.project_id}: {job.status}: {outcome}")


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


@quality_app.command("refresh")
def refresh(project: ProjectArg, db: DbOption = None, seed: SeedOption = 0) -> None:
    """Recompute PROJECT's consensus and quality now and print the project's figures."""
    project_id = parse_project_id(project)
    with open_database(db) as database, database.scoped() as session:
        try:
            refreshed = aggregation.refresh_project(
                session=session,
                project_id=project_id,
                now=utc_now(),
                rng=np.random.default_rng(seed),
            )
        except DomainError as error:
            raise fail(error) from None
    if refreshed is None:
        raise bad_input("project", "a worker is refreshing this project right now; try again")
    _print_json(asdict(refreshed))


@quality_app.command("report")
def report(project: ProjectArg, db: DbOption = None) -> None:
    """Print PROJECT's quality as JSON: agreement, consensus by state, each expert's figures."""
    project_id = parse_project_id(project)
    with open_database(db) as database, database.scoped(write=False) as session:
        try:
            found = quality.get_quality_report(session=session, actor=None, project_id=project_id)
        except DomainError as error:
            raise fail(error) from None
    _print_json(asdict(found))


def _gold_rows(path: Path) -> tuple[list[gold.GoldDraft], list[int]]:
    """The drafts in FILE and the line each came from."""
    drafts, lines = [], []
    for line, text in enumerate(read_text(path, "file").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as error:
            raise bad_input("file", f"line {line} is not valid JSON: {error.msg}") from None
        if not isinstance(row, dict) or not isinstance(row.get("answer"), dict):
            raise bad_input("file", f"line {line}: needs an object with an 'answer' object")
        if not isinstance(row.get("external_id"), str):
            raise bad_input("file", f"line {line}: 'external_id' must be a string")
        explanation = row.get("explanation") or ""
        drafts.append(gold.GoldDraft(row["answer"], str(explanation), None, row["external_id"]))
        lines.append(line)
    return drafts, lines


def _on_lines(error: DomainError, lines: list[int]) -> DomainError:
    """The error with each problem's row given as the file's line number."""
    if not error.errors:
        return error
    single = len(lines) == 1
    problems = [
        replace(p, row=lines[0] if single else None if p.row is None else lines[p.row])
        for p in error.errors
    ]
    return invalid(error.code, problems)


@gold_app.command("import")
def import_gold(
    project: ProjectArg,
    file: Annotated[
        Path,
        typer.Argument(help='JSONL: {"external_id", "answer": {...}, "explanation"} per line.'),
    ],
    db: DbOption = None,
) -> None:
    """Mark PROJECT's items as gold with the known answers in FILE (all or nothing)."""
    project_id = parse_project_id(project)
    drafts, lines = _gold_rows(file)
    with open_database(db) as database, database.scoped() as session:
        try:
            marked = gold.mark_gold(
                session=session, actor=None, project_id=project_id, drafts=drafts, now=utc_now()
            )
        except DomainError as error:
            raise fail(_on_lines(error, lines)) from None
    typer.echo(f"marked {marked} gold items")
