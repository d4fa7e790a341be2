"""Setting an instance up: ``db upgrade``, ``users create``, ``projects create``."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from expertloop.cli.common import (
    DbOption,
    fail,
    migrate_or_exit,
    open_database,
    resolve_db_url,
    utc_now,
)
from expertloop.cli.inputs import bad_input, parse_json_object, read_text
from expertloop.core.errors import DomainError
from expertloop.core.kinds import KINDS
from expertloop.services import projects, users
from expertloop.store.migrate import heads

db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Users and their API tokens.", no_args_is_help=True)
projects_app = typer.Typer(
    help="Projects: a task kind, its spec, overlap and lease time.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.add_typer(db_app, name="db")
    app.add_typer(users_app, name="users")
    app.add_typer(projects_app, name="projects")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Migrate the database to the newest schema and print its revision."""
    url = resolve_db_url(db)
    migrate_or_exit(url)
    typer.echo(f"database at revision {', '.join(heads(url))} (head)")


@users_app.command("create")
def create_user(
    email: Annotated[str, typer.Option(help="Login email, unique.")],
    role: Annotated[str, typer.Option(help="admin, lead, reviewer or expert.")],
    name: Annotated[str, typer.Option(help="Display name (default: the email).")] = "",
    password: Annotated[
        str | None,
        typer.Option(
            help="Password for the web login (8+ characters); "
            "without it the user has only the API token."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Create a user; the API token is printed alone on the last line (shown only this once)."""
    with open_database(db) as database, database.scoped() as session:
        try:
            created = users.create_user(
                session=session,
                actor=None,
                email=email,
                name=name,
                role=role,
                password=password,
                now=utc_now(),
            )
        except DomainError as error:
            raise fail(error) from None
        user = created.user
        typer.echo(f"created user {user.id}: {user.email} ({user.role}, {user.name})")
    typer.echo(created.token)


TrackOption = Annotated[
    list[str] | None,
    typer.Option("--track", help="A track experts must be qualified in (repeat for several)."),
]
DomainOption = Annotated[
    list[str] | None,
    typer.Option("--domain", help="A domain experts must be qualified in (repeat for several)."),
]
MinQualityOption = Annotated[
    float | None, typer.Option(help="Minimum measured quality (0 to 1), once measured.")
]
RateOption = Annotated[
    Decimal | None, typer.Option(help="The project's own rate, USD/hour (else its track's).")
]
MinutesOption = Annotated[
    int | None, typer.Option(help="Your estimate of minutes per item, shown to experts.")
]
QualityOption = Annotated[
    str | None,
    typer.Option(
        help='Quality policy as JSON, e.g. \'{"gold": {"rate": 0.1}, "overlap": {"k_min": 2, '
        '"k_max": 5, "target": 0.9}, "review": {"share": 0.1}, "method": "ds"}\'.'
    ),
]


def _requirements(
    tracks: list[str] | None, domains: list[str] | None, min_quality: float | None
) -> dict[str, Any]:
    return {"tracks": tracks or [], "domains": domains or [], "min_quality": min_quality}


@projects_app.command("create")
def create_project(
    name: Annotated[str, typer.Option(help="Project name.")],
    kind: Annotated[str, typer.Option(help=f"Task kind: {', '.join(sorted(KINDS))}.")],
    spec: Annotated[
        str | None, typer.Option(help='Spec as JSON, e.g. \'{"labels": ["yes", "no"]}\'.')
    ] = None,
    spec_file: Annotated[Path | None, typer.Option(help="Read the spec from a JSON file.")] = None,
    overlap: Annotated[int, typer.Option(help="Distinct experts who judge each item.")] = 1,
    lease_seconds: Annotated[
        int, typer.Option(help="How long a claimed item stays reserved without a heartbeat.")
    ] = 900,
    guidelines_file: Annotated[
        Path | None, typer.Option(help="Guidelines for experts (Markdown file).")
    ] = None,
    track: TrackOption = None,
    domain: DomainOption = None,
    min_quality: MinQualityOption = None,
    hourly_rate: RateOption = None,
    minutes_per_item: MinutesOption = None,
    quality: QualityOption = None,
    db: DbOption = None,
) -> None:
    """Create a project; prints a summary and then the project id alone on the last line."""
    draft = projects.ProjectDraft(
        name=name,
        kind=kind,
        spec=_read_spec(spec, spec_file),
        overlap=overlap,
        lease_seconds=lease_seconds,
        guidelines=read_text(guidelines_file, "guidelines-file") if guidelines_file else "",
        requirements=_requirements(track, domain, min_quality),
        hourly_rate=hourly_rate,
        minutes_per_item=minutes_per_item,
        quality=parse_json_object(quality, "quality") if quality is not None else None,
    )
    with open_database(db) as database, database.scoped() as session:
        try:
            project = projects.create_project(
                session=session, actor=None, draft=draft, now=utc_now()
            )
        except DomainError as error:
            raise fail(error) from None
        typer.echo(
            f"created project {project.name!r}: kind {project.kind}, overlap {project.overlap}, "
            f"lease {project.lease_seconds} s, spec {_compact(project.spec)}, "
            f"requirements {_compact(project.requirements)}, quality {_compact(project.quality)}"
        )
    typer.echo(project.id)


@projects_app.command("update")
def update_project(
    project: Annotated[int, typer.Argument(help="The project's id.")],
    track: TrackOption = None,
    domain: DomainOption = None,
    min_quality: MinQualityOption = None,
    no_requirements: Annotated[
        bool, typer.Option("--no-requirements", help="Let any expert claim.")
    ] = False,
    hourly_rate: RateOption = None,
    minutes_per_item: MinutesOption = None,
    quality: QualityOption = None,
    db: DbOption = None,
) -> None:
    """Change a project's requirements (given together they replace the old ones), its own
    rate, its time estimate or its quality policy; prints the project's terms."""
    changes: dict[str, Any] = {}
    if no_requirements or track or domain or min_quality is not None:
        changes["requirements"] = _requirements(track, domain, min_quality)
    if hourly_rate is not None:
        changes["hourly_rate"] = hourly_rate
    if minutes_per_item is not None:
        changes["minutes_per_item"] = minutes_per_item
    if quality is not None:
        changes["quality"] = parse_json_object(quality, "quality")
    with open_database(db) as database, database.scoped() as session:
        try:
            found = projects.update_terms(
                session=session, actor=None, project_id=project, changes=changes, now=utc_now()
            )
        except DomainError as error:
            raise fail(error) from None
        rate = "its track's" if found.hourly_rate is None else f"{found.hourly_rate:.2f}"
        typer.echo(
            f"project {found.id}: requirements {_compact(found.requirements)}, rate {rate}, "
            f"minutes per item {found.minutes_per_item or 'not estimated'}, "
            f"quality {_compact(found.quality)}"
        )


def _read_spec(spec: str | None, spec_file: Path | None) -> dict[str, Any]:
    if spec is not None and spec_file is not None:
        raise bad_input("spec", "give --spec or --spec-file, not both")
    if spec_file is not None:
        return parse_json_object(read_text(spec_file, "spec-file"), "spec-file")
    if spec is not None:
        return parse_json_object(spec, "spec")
    return {}


def _compact(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
