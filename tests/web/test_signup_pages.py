"""The sign-up page behind an invitation link and the managers' invitations page."""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import select

from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services import invitations
from expertloop.store.tables import ExpertProfile, Invitation, User
from expertloop.web.deps import SESSION_COOKIE

DAY = 86_400
LINK = re.compile(r'id="invite-link" type="text" readonly value="([^"]+)"')


def make_invitation(
    factory: Any, inviter: Any, email: str = "grace@example.org", **extra: Any
) -> Any:
    with factory.database.scoped() as session:
        return invitations.create_invitation(
            session=session,
            actor=Actor(inviter.id, Role(inviter.role)),
            email=email,
            now=factory.clock(),
            days=7,
            **extra,
        )


def sign_up(client: Any, token: str, **changes: Any) -> Any:
    form = {
        "name": "Dr Grace Hopper",
        "password": "a long password",
        "password_again": "a long password",
        "domains": ["medicine", "law"],
        "languages": "en, fr",
        **changes,
    }
    return client.post(f"/signup/{token}", data=form, follow_redirects=False)


def test_signup_page_shows_the_email_role_and_domains(client, factory) -> None:
    created = make_invitation(factory, factory.user("lead"), role="reviewer")
    page = client.get(f"/signup/{created.token}")
    assert page.status_code == 200
    assert '<strong id="invited-email">grace@example.org</strong>' in page.text
    assert '<span class="badge" id="invited-role">reviewer</span>' in page.text
    for slug, name in (("medicine", "Medicine"), ("law", "Law")):
        assert f'<input type="checkbox" name="domains" value="{slug}"> {name}</label>' in page.text
    for field in ("name", "password", "password_again", "languages"):
        assert f'name="{field}"' in page.text
    assert "<kbd>Enter</kbd> sign up" in page.text
    assert "nav-invitations" not in page.text  # nobody is logged in


def test_signup_logs_the_new_expert_in_and_goes_home(client, factory, database, clock) -> None:
    created = make_invitation(factory, factory.user("lead"))
    response = sign_up(client, created.token)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 200
    assert "Dr Grace Hopper" in home.text and "Your work" in home.text
    with database.scoped(write=False) as session:
        user = session.scalars(select(User).where(User.email == "grace@example.org")).one()
        assert user.role == "expert"
        profile = session.get(ExpertProfile, user.id)
        assert profile is not None
        assert (profile.domains, profile.languages) == (["medicine", "law"], ["en", "fr"])
        stored = session.scalars(select(Invitation)).one()
        assert (stored.used_at, stored.user_id) == (clock(), user.id)
    again = client.get(f"/signup/{created.token}")
    assert again.status_code == 409
    assert "This invitation was already used" in again.text
    assert "Ask the project lead or administrator who invited you for a new invitation link" in (
        again.text
    )
    assert 'data-code="invitation.used"' in again.text


def test_signup_errors_keep_what_was_typed_except_the_passwords(client, factory, database) -> None:
    created = make_invitation(factory, factory.user("lead"))
    response = sign_up(
        client,
        created.token,
        name="Grace <b>Hopper</b>",
        password="a long password",
        password_again="another password",
        domains=["law", "astrology"],
        languages="en, Klingon",
    )
    assert response.status_code == 422
    text = response.text
    assert 'id="signup-errors"' in text and "except the passwords" in text
    assert (
        '<p class="field-error" id="password_again-error">Does not match the password</p>' in text
    )
    assert "&#39;astrology&#39; is not a known domain" in text
    assert f'value="{html.escape("Grace <b>Hopper</b>")}"' in text
    assert 'value="en, Klingon"' in text
    assert "Must be a language tag such as en, pt-BR or zh-Hant-TW" in text
    assert '<input type="checkbox" name="domains" value="law" checked> Law</label>' in text
    assert '<input type="checkbox" name="domains" value="medicine"> Medicine</label>' in text
    assert "a long password" not in text and "another password" not in text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    with database.scoped(write=False) as session:
        assert session.scalars(select(Invitation)).one().used_at is None
    assert sign_up(client, created.token).status_code == 303


def test_signup_with_an_expired_or_unknown_link_says_what_to_do(client, factory, clock) -> None:
    created = make_invitation(factory, factory.user("lead"))
    clock.advance(7 * DAY)
    for response in (client.get(f"/signup/{created.token}"), sign_up(client, created.token)):
        assert response.status_code == 409
        assert "This invitation has expired" in response.text
        assert 'href="/login"' in response.text
    unknown = client.get("/signup/el_nope")
    assert unknown.status_code == 404
    assert "This invitation link is not valid" in unknown.text


def test_invitations_page_creates_a_link_shown_once(client, factory, pages, database) -> None:
    lead = factory.user("lead")
    csrf = pages.log_in(lead)
    home = client.get("/")
    assert '<a href="/invitations" id="nav-invitations">Invitations</a>' in home.text
    page = client.get("/invitations")
    assert page.status_code == 200
    roles = re.findall(r'<option value="(\w+)"', page.text)
    assert roles == ["expert", "reviewer"]  # a lead invites experts and reviewers
    assert "No invitations yet." in page.text
    response = client.post(
        "/invitations",
        data={"email": "Grace@Example.org", "role": "reviewer", "note": "ICU", "csrf": csrf},
    )
    assert response.status_code == 200, response.text
    found = LINK.search(response.text)
    assert found, response.text
    link = found.group(1)
    assert link.startswith("http://testserver/signup/el_")
    assert "it is shown only this once" in response.text
    assert 'data-status="pending"' in response.text
    later = client.get("/invitations")
    assert link not in later.text and "grace@example.org" in later.text
    token = link.rsplit("/", 1)[1]
    with database.scoped(write=False) as session:
        assert (
            invitations.get_open_invitation(session=session, token=token, now=factory.clock()).role
            == "reviewer"
        )


def test_invitations_page_errors_keep_what_was_typed(client, factory, pages) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    csrf = pages.log_in(lead)
    response = client.post(
        "/invitations",
        data={"email": expert.email, "role": "reviewer", "note": "keep me", "csrf": csrf},
    )
    assert response.status_code == 422
    assert "Email: a user with this email exists" in response.text
    assert f'value="{expert.email}"' in response.text
    assert '<option value="reviewer" selected>' in response.text
    assert ">keep me</textarea>" in response.text
    forged = client.post("/invitations", data={"email": "x@example.org", "csrf": "forged"})
    assert forged.status_code == 403


def test_revoke_from_the_invitations_page(client, factory, pages) -> None:
    lead, other = factory.user("lead"), factory.user("lead")
    mine = make_invitation(factory, lead, "a@example.org")
    theirs = make_invitation(factory, other, "b@example.org")
    csrf = pages.log_in(lead)
    page = client.get("/invitations").text
    assert f'action="/invitations/{mine.invitation.id}/revoke"' in page
    assert f'action="/invitations/{theirs.invitation.id}/revoke"' not in page
    response = client.post(
        f"/invitations/{mine.invitation.id}/revoke", data={"csrf": csrf}, follow_redirects=False
    )
    assert (response.status_code, response.headers["location"]) == (303, "/invitations")
    after = client.get("/invitations").text
    assert f'data-invitation="{mine.invitation.id}" data-status="expired"' in after
    refused = client.post(f"/invitations/{theirs.invitation.id}/revoke", data={"csrf": csrf})
    assert refused.status_code == 403
    assert client.get(f"/signup/{mine.token}").status_code == 409


def test_experts_cannot_open_the_invitations_page(client, factory, pages) -> None:
    pages.log_in(factory.user("expert"))
    response = client.get("/invitations")
    assert response.status_code == 403
    assert "nav-invitations" not in client.get("/").text
    client.cookies.clear()
    assert client.get("/invitations", follow_redirects=False).status_code == 303
