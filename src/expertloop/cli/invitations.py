"""Invitations from the command line: ``invitations create`` prints a sign-up link to pass on
(no email is sent), ``invitations list`` shows every invitation and its status."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from expertloop.cli.common import DbOption, fail, open_database, utc_now
from expertloop.cli.inputs import bad_input
from expertloop.config import Settings
from expertloop.core.errors import DomainError
from expertloop.services import invitations

invitations_app = typer.Typer(
    help="Sign-up invitations: single-use links that expire.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.add_typer(invitations_app, name="invitations")


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problem = error.errors()[0]
        field = "EXPERTLOOP_" + str(problem["loc"][0]).upper() if problem["loc"] else "settings"
        raise bad_input(field, problem["msg"]) from None


@invitations_app.command("create")
def create_invitation(
    email: Annotated[str, typer.Argument(help="The email address the person will log in with.")],
    role: Annotated[str, typer.Option(help="expert, reviewer, lead or admin.")] = "expert",
    note: Annotated[str, typer.Option(help="Why this person is invited (managers see it).")] = "",
    db: DbOption = None,
) -> None:
    """Invite EMAIL; prints the invitation, then the sign-up link alone on the last line.

    The link is built from $EXPERTLOOP_PUBLIC_URL, works once and expires after
    $EXPERTLOOP_INVITATION_DAYS days. No email is sent: pass the link on yourself.
    """
    settings = _settings()
    with open_database(db) as database, database.scoped() as session:
        try:
            created = invitations.create_invitation(
                session=session,
                actor=None,
                email=email,
                role=role,
                note=note,
                now=utc_now(),
                days=settings.invitation_days,
            )
        except DomainError as error:
            raise fail(error) from None
        invitation = created.invitation
        typer.echo(
            f"invited {invitation.email} as {invitation.role} (invitation {invitation.id}), "
            f"link valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC"
        )
    typer.echo(invitations.signup_url(settings.public_url, created.token))


@invitations_app.command("list")
def list_invitations(db: DbOption = None) -> None:
    """Every invitation, newest first: id, status, role, email, who invited, expiry."""
    with open_database(db) as database, database.scoped(write=False) as session:
        rows = invitations.list_invitations(session=session, actor=None, now=utc_now())
    if not rows:
        typer.echo("no invitations yet: expertloop invitations create EMAIL")
        return
    typer.echo("id\tstatus\trole\temail\tinvited by\texpires")
    for row in rows:
        invitation = row.invitation
        joined = f" -> user {invitation.user_id}" if invitation.user_id else ""
        typer.echo(
            f"{invitation.id}\t{row.status.value}{joined}\t{invitation.role}\t{invitation.email}"
            f"\t{row.invited_by_email or '(command line)'}"
            f"\t{invitation.expires_at:%Y-%m-%d %H:%M} UTC"
        )
