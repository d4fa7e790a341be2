"""Assessments from the command line: ``assessments create``, ``list``, ``grant-attempt``.

The local operator is trusted (``actor=None``), as with ``users create``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from expertloop.cli.common import DbOption, fail, open_database, utc_now
from expertloop.cli.inputs import bad_input, parse_json_object, read_text
from expertloop.core.errors import DomainError
from expertloop.services import assessments

assessments_app = typer.Typer(
    help="Assessments: one-time qualification tests per track (optionally per domain).",
    no_args_is_help=True,
)
REQUIRED = ("track", "title", "questions", "pass_mark", "time_limit_seconds")
OPTIONAL = ("domain", "instructions")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.add_typer(assessments_app, name="assessments")


@assessments_app.command("create")
def create_assessment(
    file: Annotated[Path, typer.Argument(help="A JSON file: track, domain, title, ...")],
    publish: Annotated[bool, typer.Option(help="Publish it at once (default: a draft).")] = False,
    db: DbOption = None,
) -> None:
    """Create an assessment from a JSON file; prints a summary, then the id alone on the last
    line."""
    draft = _read_draft(file)
    with open_database(db) as database, database.scoped() as session:
        try:
            view = assessments.create_assessment(
                session=session, actor=None, draft=draft, now=utc_now(), publish=publish
            )
        except DomainError as error:
            raise fail(error) from None
    a = view.assessment
    where = f"{view.track} / {a.domain}" if a.domain else view.track
    typer.echo(
        f"created assessment {a.title!r} ({a.status}): track {where}, "
        f"{view.question_count} questions, pass mark {round(100 * a.pass_mark)}%, "
        f"time limit {a.time_limit_seconds} s"
    )
    typer.echo(a.id)


def _read_draft(file: Path) -> assessments.AssessmentDraft:
    values: dict[str, Any] = parse_json_object(read_text(file, "file"), "file")
    for name in values:
        if name not in REQUIRED + OPTIONAL:
            raise bad_input(name, f"is not a field of an assessment ({', '.join(REQUIRED)}, ...)")
    for name in REQUIRED:
        if name not in values:
            raise bad_input(name, "is required")
    if values.get("instructions") is None:
        values["instructions"] = ""
    for name in ("track", "title", "domain", "instructions"):
        if values.get(name) is not None and not isinstance(values[name], str):
            raise bad_input(name, "must be a text")
    return assessments.AssessmentDraft(**values)


@assessments_app.command("list")
def list_assessments(db: DbOption = None) -> None:
    """Print every assessment: id, status, track (/ domain), questions, pass mark, title."""
    with open_database(db) as database, database.scoped(write=False) as session:
        found = assessments.list_all(session=session)
    for view in found:
        a = view.assessment
        where = f"{view.track}/{a.domain}" if a.domain else view.track
        typer.echo(
            f"{a.id}\t{a.status}\t{where}\t{view.question_count} questions\t"
            f"pass {round(100 * a.pass_mark)}%\t{a.time_limit_seconds} s\t{a.title}"
        )
    typer.echo(f"{len(found)} assessments", err=True)


@assessments_app.command("grant-attempt")
def grant_attempt(
    assessment_id: Annotated[int, typer.Argument(help="The assessment's id.")],
    expert: Annotated[str, typer.Option(help="The expert's login email.")],
    reason: Annotated[str, typer.Option(help="Why another attempt is granted (kept).")],
    db: DbOption = None,
) -> None:
    """Let an expert take an assessment once more; the reason is kept in the audit log."""
    with open_database(db) as database, database.scoped() as session:
        try:
            view = assessments.grant_attempt(
                session=session,
                actor=None,
                assessment_id=assessment_id,
                expert_email=expert,
                reason=reason,
                now=utc_now(),
            )
        except DomainError as error:
            raise fail(error) from None
    typer.echo(
        f"granted another attempt at assessment {assessment_id} to {expert}: "
        f"{view.attempts_left} attempt(s) left"
    )
