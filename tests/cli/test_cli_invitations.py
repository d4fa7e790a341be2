"""`expertloop invitations create` and `invitations list` on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from expertloop.services import invitations
from expertloop.services.invitations import SignUp
from expertloop.store import Database
from expertloop.store.tables import Invitation


def stored(database: Database) -> list[Invitation]:
    with database.scoped(write=False) as session:
        return list(session.scalars(select(Invitation).order_by(Invitation.id)))


def test_create_prints_the_link_alone_on_the_last_line(
    cli: Any, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPERTLOOP_PUBLIC_URL", "https://loop.example.org/")
    before = datetime.now(UTC)
    result = cli(
        "invitations", "create", "Grace@Example.org", "--role", "reviewer", "--note", "ICU"
    )
    assert result.exit_code == 0, result.output
    summary, link = result.stdout.splitlines()
    [invitation] = stored(database)
    assert summary.startswith(
        f"invited grace@example.org as reviewer (invitation {invitation.id}), link valid until "
    )
    prefix = "https://loop.example.org/signup/"
    assert link.startswith(prefix)
    token = link.removeprefix(prefix)
    assert (invitation.role, invitation.note, invitation.invited_by) == ("reviewer", "ICU", None)
    expires = before + timedelta(days=7)
    assert expires <= invitation.expires_at <= expires + timedelta(minutes=1)
    with database.scoped() as session:
        opened = invitations.get_open_invitation(session=session, token=token, now=before)
        assert opened.id == invitation.id


def test_create_uses_the_invitation_days_setting(
    cli: Any, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPERTLOOP_INVITATION_DAYS", "2")
    before = datetime.now(UTC)
    assert cli("invitations", "create", "a@example.org").exit_code == 0
    [invitation] = stored(database)
    assert invitation.role == "expert"
    expires = before + timedelta(days=2)
    assert expires <= invitation.expires_at <= expires + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("EXPERTLOOP_PUBLIC_URL", "loop.example.org"), ("EXPERTLOOP_INVITATION_DAYS", "91")],
)
def test_create_with_a_bad_setting_exits_1_naming_it(
    cli: Any, database: Database, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = cli("invitations", "create", "a@example.org")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error [cli.invalid_input]: {variable}: ")
    assert stored(database) == []


def test_create_with_bad_fields_exits_1_naming_each(cli: Any, database: Database) -> None:
    result = cli("invitations", "create", "nobody", "--role", "boss")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "error [invitation.invalid]: email: is not an email address (and 1 more)"
    assert lines[1] == "  role: must be one of admin, lead, reviewer, expert"
    assert stored(database) == []


def test_create_for_an_existing_user_exits_1(cli: Any, factory: Any) -> None:
    expert = factory.user("expert")
    result = cli("invitations", "create", expert.email)
    assert result.exit_code == 1
    assert result.stderr == "error [invitation.invalid]: email: a user with this email exists\n"


def test_list_shows_each_invitation_and_its_status(cli: Any, database: Database) -> None:
    assert cli("invitations", "list").stdout == (
        "no invitations yet: expertloop invitations create EMAIL\n"
    )
    used_link = cli("invitations", "create", "used@example.org").stdout.splitlines()[-1]
    cli("invitations", "create", "old@example.org")
    cli("invitations", "create", "old@example.org")
    with database.scoped() as session:
        accepted = invitations.accept_invitation(
            session=session,
            token=used_link.rsplit("/", 1)[1],
            sign_up=SignUp(name="Used", password="a long password"),
            now=datetime.now(UTC),
        )
    result = cli("invitations", "list")
    assert result.exit_code == 0, result.output
    header, *lines = result.stdout.splitlines()
    assert header == "id\tstatus\trole\temail\tinvited by\texpires"
    rows = [line.split("\t")[:5] for line in lines]
    ids = [i.id for i in stored(database)]
    assert rows == [
        [str(ids[2]), "pending", "expert", "old@example.org", "(command line)"],
        [str(ids[1]), "expired", "expert", "old@example.org", "(command line)"],
        [
            str(ids[0]),
            f"used -> user {accepted.user.id}",
            "expert",
            "used@example.org",
            "(command line)",
        ],
    ]
