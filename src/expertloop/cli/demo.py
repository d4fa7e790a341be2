"""``demo``: seed users, projects, assessments and work to show quality, print the logins, then
serve."""

from __future__ import annotations

from typing import Annotated

import numpy as np
import typer

from expertloop.cli.common import DbOption, fail, open_database, resolve_db_url, utc_now
from expertloop.cli.demo_assessments import DEMO_ASSESSMENTS, DEMO_QUALIFICATIONS
from expertloop.cli.demo_content import DEMO_USERS, demo_projects
from expertloop.cli.demo_quality import quality_work
from expertloop.cli.serve import HostOption, PortOption, run_server
from expertloop.core.errors import DomainError
from expertloop.services.seeding import (
    Seeded,
    SeededAssessment,
    SeededProject,
    seed_demo,
    seed_workforce,
)
from expertloop.services.seeding_work import SeededWork, seed_work

DEMO_SEED = 20_240_517
"""Seeds the demo's simulated work (timings, aggregation), so every fresh demo is the same."""


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("demo")(demo)


def demo(
    db: DbOption = None,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server after seeding.")
    ] = True,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """Seed demo users and projects (again: reuses what exists), print the logins, and serve."""
    url = resolve_db_url(db)
    with open_database(url) as database, database.scoped() as session:
        try:
            seeded = seed_demo(
                session=session, users=DEMO_USERS, projects=demo_projects(), now=utc_now()
            )
            workforce = seed_workforce(
                session=session,
                assessments=DEMO_ASSESSMENTS,
                qualifications=DEMO_QUALIFICATIONS,
                now=utc_now(),
            )
            work = seed_work(
                sessions=database.scoped,
                owner_email=DEMO_USERS[0].email,
                work=quality_work(),
                now=utc_now(),
                rng=np.random.default_rng(DEMO_SEED),
            )
        except DomainError as error:
            raise fail(error) from None
        _print_seeded(seeded, workforce)
        _print_work(work)
    typer.echo(f"\nOpen http://{host}:{port}/ and log in as one of:")
    for seed in DEMO_USERS:
        typer.echo(f"  {seed.role:<8} {seed.email:<28} password: {seed.password}")
    if serve:
        run_server(url, host=host, port=port)


def _print_seeded(seeded: Seeded, workforce: list[SeededAssessment]) -> None:
    new_users = sum(1 for s in seeded.users if s.created)
    typer.echo(f"users: {new_users} created, {len(seeded.users) - new_users} already there")
    for entry in seeded.projects:
        _print_project(entry)
    for made in workforce:
        state = "created" if made.created else "already there"
        typer.echo(f"assessment {made.assessment.id} {made.assessment.title!r}: {state}")


def _print_project(entry: SeededProject) -> None:
    project = entry.project
    state = "created" if entry.created else "already there"
    typer.echo(
        f"project {project.id} {project.name!r} ({project.kind}, overlap "
        f"{project.overlap}): {state}, {entry.items_created} items added"
    )


def _print_work(work: SeededWork) -> None:
    _print_project(work.project)
    report = work.report
    states = ", ".join(f"{count} {state}" for state, count in sorted(report.consensus.items()))
    typer.echo(
        f"  quality: {work.judgments_added} judgments added, "
        f"{report.figures.get('judgments', 0)} counted; consensus {states or 'none yet'}; "
        f"{work.pending_reviews} judgments to review"
    )
