"""The expert workforce from the command line: ``experts import|export|verify-credential``,
``tracks list|set-rate``, ``domains list|add`` and ``qualifications change``."""

from __future__ import annotations

from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from expertloop.cli.common import DbOption, fail, open_database, utc_now
from expertloop.cli.data import output_stream, read_import_file, report_file_errors
from expertloop.cli.expert_files import column_of, read_expert_csv, write_roster
from expertloop.core.errors import DomainError
from expertloop.core.profiles import format_money
from expertloop.services import experts, qualifications, tracks
from expertloop.services.expert_import import import_experts
from expertloop.services.experts import RosterFilter

experts_app = typer.Typer(help="Experts and reviewers: import, export the roster.")
tracks_app = typer.Typer(help="Qualification tracks and their hourly rates.")
domains_app = typer.Typer(help="The domain taxonomy.")
qualifications_app = typer.Typer(help="Grant, suspend, reinstate or revoke qualifications.")


class RosterFormat(StrEnum):
    """Formats ``experts export`` writes."""

    CSV = "csv"
    """One line per expert; lists joined by ``;``."""
    JSONL = "jsonl"
    """One JSON object per expert with every credential and qualification history."""


class Action(StrEnum):
    """What ``qualifications change`` does."""

    GRANT = "grant"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REVOKE = "revoke"


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    for sub, name in (
        (experts_app, "experts"),
        (tracks_app, "tracks"),
        (domains_app, "domains"),
        (qualifications_app, "qualifications"),
    ):
        sub.info.no_args_is_help = True
        app.add_typer(sub, name=name)


@experts_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="A CSV file of experts (see the README).")],
    db: DbOption = None,
) -> None:
    """Import experts and reviewers from CSV, all or nothing: one bad row and none is stored."""
    read = partial(read_expert_csv, file, lambda _: None)
    parsed = read_import_file(file, read, code="experts.invalid", what="experts")
    with open_database(db) as database, database.scoped() as session, _progress() as progress:
        task = progress.add_task("storing", total=len(parsed.rows))
        try:
            summary = import_experts(
                session=session,
                rows=parsed.rows,
                now=utc_now(),
                advance=lambda done: progress.update(task, completed=done),
            )
        except DomainError as error:
            errors = [column_of(e) for e in parsed.on_lines(error.errors)]
            raise report_file_errors(error, errors, file) from None
    typer.echo(
        f"created {summary.created} users ({summary.experts} experts, "
        f"{summary.reviewers} reviewers) from {file.name}"
    )


def _progress() -> Progress:
    console = Console(stderr=True)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


@experts_app.command("export")
def export_roster(
    out: Annotated[Path | None, typer.Option(help="Write to this file (default: stdout).")] = None,
    format: Annotated[
        RosterFormat, typer.Option("--format", help="csv (lists joined by ;) or jsonl.")
    ] = RosterFormat.CSV,
    db: DbOption = None,
) -> None:
    """Export the roster (experts and reviewers), streamed; the count goes to stderr."""
    with open_database(db) as database, database.scoped(write=False) as session:
        views = experts.stream_roster(
            session=session, actor=None, where=RosterFilter(), history=format is RosterFormat.JSONL
        )
        with output_stream(out) as stream:
            count = write_roster(stream, views, format.value)
    typer.echo(f"exported {count} experts", err=True)


class Verdict(StrEnum):
    VERIFIED = "verified"
    REJECTED = "rejected"


@experts_app.command("verify-credential")
def verify_credential(
    expert: Annotated[str, typer.Option(help="The expert's email.")],
    credential: Annotated[
        int, typer.Option(help="The credential's id (in `experts export --format jsonl`).")
    ],
    status: Annotated[Verdict, typer.Option(help="verified or rejected.")],
    note: Annotated[str, typer.Option(help="How it was checked, or why it could not be.")],
    db: DbOption = None,
) -> None:
    """Mark an expert's credential verified or rejected, with a note the expert sees."""
    with open_database(db) as database, database.scoped() as session:
        try:
            expert_id = experts.get_expert_id_by_email(session=session, email=expert)
            checked = experts.verify_credential(
                session=session,
                actor=None,
                expert_id=expert_id,
                credential_id=credential,
                status=status.value,
                note=note,
                now=utc_now(),
            )
        except DomainError as error:
            raise fail(error) from None
        typer.echo(f"{expert}: credential {checked.id} {checked.title!r} is {checked.status}")


@tracks_app.command("list")
def list_tracks(db: DbOption = None) -> None:
    """Print every track, tab-separated: name, hourly rate (USD), description."""
    with open_database(db) as database, database.scoped(write=False) as session:
        for track in tracks.list_tracks(session=session):
            typer.echo(f"{track.name}\t{format_money(track.hourly_rate)}\t{track.description}")


@tracks_app.command("set-rate")
def set_rate(
    name: Annotated[str, typer.Argument(help="The track's name.")],
    rate: Annotated[str, typer.Argument(help="USD per hour, e.g. 45.50.")],
    db: DbOption = None,
) -> None:
    """Change a track's hourly rate (above 0, at most 10000, 2 decimals)."""
    with open_database(db) as database, database.scoped() as session:
        try:
            track = tracks.update_track(
                session=session, actor=None, name=name, hourly_rate=rate, now=utc_now()
            )
        except DomainError as error:
            raise fail(error) from None
        typer.echo(f"track {track.name} pays {format_money(track.hourly_rate)} USD per hour")


@domains_app.command("list")
def list_domains(db: DbOption = None) -> None:
    """Print the taxonomy, tab-separated: slug, name, parent slug."""
    with open_database(db) as database, database.scoped(write=False) as session:
        for domain in tracks.list_domains(session=session):
            typer.echo(f"{domain.slug}\t{domain.name}\t{domain.parent or ''}")


@domains_app.command("add")
def add_domain(
    slug: Annotated[str, typer.Argument(help="a-z first, then a-z, 0-9, _ or - (2 to 60).")],
    name: Annotated[str, typer.Argument(help="The name people read.")],
    parent: Annotated[str | None, typer.Option(help="The parent domain's slug.")] = None,
    db: DbOption = None,
) -> None:
    """Add a domain to the taxonomy."""
    with open_database(db) as database, database.scoped() as session:
        try:
            domain = tracks.add_domain(
                session=session, actor=None, slug=slug, name=name, parent=parent, now=utc_now()
            )
        except DomainError as error:
            raise fail(error) from None
    under = f" under {domain.parent}" if domain.parent else ""
    typer.echo(f"added domain {domain.slug} ({domain.name}){under}")


@qualifications_app.command("change")
def change_qualification(
    expert: Annotated[str, typer.Option(help="The expert's email.")],
    track: Annotated[str, typer.Option(help="The track's name.")],
    action: Annotated[Action, typer.Option(help="grant, suspend, reinstate or revoke.")],
    reason: Annotated[str, typer.Option(help="Why; kept in the qualification's history.")],
    domain: Annotated[
        str | None, typer.Option(help="A domain slug (default: whole track).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Grant, suspend, reinstate or revoke an expert's qualification, with a reason."""
    with open_database(db) as database, database.scoped() as session:
        try:
            expert_id = experts.get_expert_id_by_email(session=session, email=expert)
            change = qualifications.change_qualification(
                session=session,
                actor=None,
                expert_id=expert_id,
                track=track,
                domain=domain,
                action=action.value,
                reason=reason,
                now=utc_now(),
            )
        except DomainError as error:
            raise fail(error) from None
    held = change.qualification
    scope = f"{held.track}:{held.domain}" if held.domain else held.track
    typer.echo(f"{expert}: {scope} is {held.status}")
