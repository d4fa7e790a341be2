"""Sign-up by invitation through the JSON API: a lead invites an email address, the single-use
link signs one person up before it expires; managers list and revoke invitations."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from expertloop.core.errors import Conflict
from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor, InvitationPolicy
from expertloop.services import invitations
from expertloop.services.invitations import SignUp
from expertloop.store.tables import ApiToken, AuditEntry, ExpertProfile, Invitation, User

DAY = 86_400
SIGN_UP = {
    "name": "Dr Grace Hopper",
    "password": "a long password",
    "domains": ["medicine", "law"],
    "languages": ["en", "FR"],
}


def invite(client: Any, person: Any, email: str = "grace@example.org", **extra: Any) -> Any:
    body = {"email": email, **extra}
    return client.post("/api/v1/invitations", json=body, headers=person.headers)


def invited(client: Any, person: Any, email: str = "grace@example.org", **extra: Any) -> Any:
    response = invite(client, person, email, **extra)
    assert response.status_code == 201, response.text
    return response.json()


def accept(client: Any, token: str, **changes: Any) -> Any:
    return client.post(f"/api/v1/invitations/{token}/accept", json={**SIGN_UP, **changes})


def stored_invitations(database: Any) -> list[Invitation]:
    with database.scoped(write=False) as session:
        return list(session.scalars(select(Invitation).order_by(Invitation.id)))


def test_create_invitation_returns_the_link_once_and_stores_only_its_hash(
    client, factory, database, clock
) -> None:
    lead = factory.user("lead")
    response = invite(client, lead, " Grace@Example.org ", note="ICU pharmacist, referred by Ada")
    assert response.status_code == 201, response.text
    body = response.json()
    token = body.pop("token")
    expires = clock() + timedelta(days=7)
    assert body == {
        "id": body["id"],
        "email": "grace@example.org",
        "role": "expert",
        "note": "ICU pharmacist, referred by Ada",
        "created_at": clock().isoformat().replace("+00:00", "Z"),
        "expires_at": expires.isoformat().replace("+00:00", "Z"),
        "url": f"http://testserver/signup/{token}",
    }
    [stored] = stored_invitations(database)
    assert (stored.email, stored.role, stored.invited_by, stored.used_at) == (
        "grace@example.org",
        "expert",
        lead.id,
        None,
    )
    assert stored.expires_at == expires
    assert stored.token_hash != token and token not in stored.token_hash
    assert client.get(f"/api/v1/invitations/{token}").json() == {
        "email": "grace@example.org",
        "role": "expert",
        "expires_at": body["expires_at"],
    }


def test_accept_invitation_creates_the_user_and_uses_the_link(
    client, factory, database, clock
) -> None:
    lead = factory.user("lead")
    created = invited(client, lead, role="reviewer")
    clock.advance(3600)
    response = accept(client, created["token"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {
        "id": body["id"],
        "email": "grace@example.org",
        "name": "Dr Grace Hopper",
        "role": "reviewer",
        "token": body["token"],
    }
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json() == {k: body[k] for k in ("id", "email", "name", "role")}
    with database.scoped(write=False) as session:
        profile = session.get(ExpertProfile, body["id"])
        assert profile is not None
        assert (profile.domains, profile.languages) == (["medicine", "law"], ["en", "fr"])
        user = session.get(User, body["id"])
        assert user is not None and user.password_hash and "long" not in user.password_hash
        tokens = session.scalars(select(ApiToken.token_hash).where(ApiToken.user_id == user.id))
        assert body["token"] not in list(tokens)
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "invitation")
        ).all()
        assert actions == ["invitation.create", "invitation.accept"]
    [stored] = stored_invitations(database)
    assert (stored.used_at, stored.user_id) == (clock(), body["id"])
    again = accept(client, created["token"], name="Someone else")
    assert again.status_code == 409
    assert again.json() == {
        "code": "invitation.used",
        "message": "this invitation link was already used; "
        "ask the person who invited you for a new link",
    }
    opened = client.get(f"/api/v1/invitations/{created['token']}")
    assert (opened.status_code, opened.json()["code"]) == (409, "invitation.used")


def test_link_expires_after_the_invitation_days(client, factory, clock) -> None:
    token = invited(client, factory.user("lead"))["token"]
    clock.advance(7 * DAY - 1)
    assert client.get(f"/api/v1/invitations/{token}").status_code == 200
    clock.advance(1)
    expired = client.get(f"/api/v1/invitations/{token}")
    assert expired.status_code == 409
    assert expired.json() == {
        "code": "invitation.expired",
        "message": "this invitation link has expired; "
        "ask the person who invited you for a new link",
    }
    refused = accept(client, token)
    assert (refused.status_code, refused.json()["code"]) == (409, "invitation.expired")


def test_invitation_days_setting_sets_the_expiry(client, factory, app, clock) -> None:
    app.state.settings.invitation_days = 1
    body = invited(client, factory.user("admin"))
    expected = (clock() + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert body["expires_at"] == expected


def test_unknown_link_is_not_found(client) -> None:
    for response in (
        client.get("/api/v1/invitations/el_nope"),
        accept(client, "el_nope"),
    ):
        assert response.status_code == 404
        assert response.json() == {
            "code": "invitation.not_found",
            "message": "this invitation link is not valid; "
            "ask the person who invited you for a new link",
        }


def test_invite_again_expires_the_older_link(client, factory, database) -> None:
    lead, admin = factory.user("lead"), factory.user("admin")
    first = invited(client, lead)
    second = invited(client, admin)
    assert first["token"] != second["token"]
    old = client.get(f"/api/v1/invitations/{first['token']}")
    assert (old.status_code, old.json()["code"]) == (409, "invitation.expired")
    assert accept(client, first["token"]).status_code == 409
    listed = client.get("/api/v1/invitations", headers=lead.headers).json()
    assert [(i["id"], i["status"]) for i in listed["data"]] == [
        (second["id"], "pending"),
        (first["id"], "expired"),
    ]
    assert accept(client, second["token"]).status_code == 201
    with database.scoped(write=False) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 3


def test_invite_an_email_that_has_a_user_is_refused(client, factory) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    response = invite(client, lead, expert.email.upper())
    assert response.status_code == 422
    assert response.json() == {
        "code": "invitation.invalid",
        "message": "email: a user with this email exists",
        "errors": [{"row": None, "field": "email", "message": "a user with this email exists"}],
    }


def test_create_invitation_with_bad_fields_names_each(client, factory) -> None:
    admin = factory.user("admin")
    response = invite(client, admin, "not-an-email", note="x" * 2001)
    assert response.status_code == 422
    assert response.json()["code"] == "invitation.invalid"
    assert [(e["field"], e["message"]) for e in response.json()["errors"]] == [
        ("email", "is not an email address"),
        ("note", "must be at most 2000 characters"),
    ]
    role = invite(client, admin, role="boss")
    assert role.status_code == 422
    assert role.json()["code"] == "request.invalid"
    assert [e["field"] for e in role.json()["errors"]] == ["role"]


def test_lead_invites_experts_and_reviewers_only(client, factory) -> None:
    lead, admin = factory.user("lead"), factory.user("admin")
    for role in ("lead", "admin"):
        refused = invite(client, lead, f"{role}@example.org", role=role)
        assert refused.status_code == 403
        assert refused.json() == {
            "code": "auth.forbidden",
            "message": "a user with the role lead may not do this",
        }
        assert invite(client, admin, f"{role}@example.org", role=role).status_code == 201
    assert invite(client, lead, "rev@example.org", role="reviewer").status_code == 201
    for role in ("expert", "reviewer"):
        worker = factory.user(role)
        assert invite(client, worker, "x@example.org").status_code == 403
        assert client.get("/api/v1/invitations", headers=worker.headers).status_code == 403


def test_invited_lead_signs_up_without_a_profile(client, factory, database) -> None:
    token = invited(client, factory.user("admin"), role="lead")["token"]
    body = accept(client, token, domains=[], languages=[]).json()
    assert body["role"] == "lead"
    with database.scoped(write=False) as session:
        assert session.get(ExpertProfile, body["id"]) is None


def test_accept_with_bad_fields_names_each_and_keeps_the_link(client, factory, database) -> None:
    token = invited(client, factory.user("lead"))["token"]
    response = accept(
        client,
        token,
        name="  ",
        password="short",
        domains=["medicine", "astrology"],
        languages=["en", " "],
    )
    assert response.status_code == 422
    assert response.json() == {
        "code": "invitation.invalid",
        "message": "name: must be 1 to 200 characters (and 3 more)",
        "errors": [
            {"row": None, "field": "name", "message": "must be 1 to 200 characters"},
            {"row": None, "field": "password", "message": "must be at least 8 characters"},
            {
                "row": None,
                "field": "languages[1]",
                "message": "must be a language tag such as en, pt-BR or zh-Hant-TW",
            },
            {"row": None, "field": "domains[1]", "message": "'astrology' is not a known domain"},
        ],
    }
    [stored] = stored_invitations(database)
    assert stored.used_at is None
    missing = client.post(f"/api/v1/invitations/{token}/accept", json={"name": "Grace"})
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["password"]
    assert accept(client, token).status_code == 201


def test_accept_after_the_email_got_a_user_keeps_the_link_pending(
    client, factory, database
) -> None:
    admin = factory.user("admin")
    token = invited(client, admin)["token"]
    taken = client.post(
        "/api/v1/users",
        json={"email": "grace@example.org", "role": "expert"},
        headers=admin.headers,
    )
    assert taken.status_code == 201
    response = accept(client, token)
    assert response.status_code == 422
    assert response.json()["code"] == "user.email_taken"
    [stored] = stored_invitations(database)
    assert (stored.used_at, stored.user_id) == (None, None)


def test_list_invitations_shows_derived_status_and_inviter(client, factory, clock) -> None:
    lead, admin = factory.user("lead"), factory.user("admin")
    used = invited(client, lead, "used@example.org", note="oncology")
    joined = accept(client, used["token"]).json()
    pending = invited(client, admin, "pending@example.org", role="lead")
    response = client.get("/api/v1/invitations", headers=lead.headers)
    assert response.status_code == 200
    iso = clock().isoformat().replace("+00:00", "Z")
    expires = (clock() + timedelta(days=7)).isoformat().replace("+00:00", "Z")
    assert response.json() == {
        "count": 2,
        "data": [
            {
                "id": pending["id"],
                "email": "pending@example.org",
                "role": "lead",
                "note": "",
                "status": "pending",
                "invited_by": admin.id,
                "invited_by_email": admin.email,
                "user_id": None,
                "created_at": iso,
                "expires_at": expires,
                "used_at": None,
            },
            {
                "id": used["id"],
                "email": "used@example.org",
                "role": "expert",
                "note": "oncology",
                "status": "used",
                "invited_by": lead.id,
                "invited_by_email": lead.email,
                "user_id": joined["id"],
                "created_at": iso,
                "expires_at": expires,
                "used_at": iso,
            },
        ],
    }
    clock.advance(7 * DAY)
    later = client.get("/api/v1/invitations", headers=admin.headers).json()["data"]
    assert [i["status"] for i in later] == ["expired", "used"]


def test_revoke_invitation_by_the_inviter_or_an_admin(client, factory, clock) -> None:
    lead, other, admin = factory.user("lead"), factory.user("lead"), factory.user("admin")
    first = invited(client, lead, "a@example.org")
    second = invited(client, lead, "b@example.org")

    def revoke(invitation_id: int, person: Any) -> Any:
        return client.post(f"/api/v1/invitations/{invitation_id}/revoke", headers=person.headers)

    refused = revoke(first["id"], other)
    assert (refused.status_code, refused.json()["code"]) == (403, "auth.forbidden")
    clock.advance(60)
    response = revoke(first["id"], lead)
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["invited_by_email"]) == ("expired", lead.email)
    assert body["expires_at"] == clock().isoformat().replace("+00:00", "Z")
    assert revoke(first["id"], admin).json()["status"] == "expired"  # already expired: stays so
    gone = client.get(f"/api/v1/invitations/{first['token']}")
    assert (gone.status_code, gone.json()["code"]) == (409, "invitation.expired")

    assert accept(client, second["token"]).status_code == 201
    used = revoke(second["id"], admin)
    assert used.status_code == 409
    assert used.json() == {
        "code": "invitation.used",
        "message": "the invitation was already used to sign up",
    }
    missing = revoke(999_999, admin)
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "invitation.not_found",
        "message": "invitation 999999 does not exist",
    }


def race_for(database: Any, token: str, now: Any) -> list[str]:
    """Two threads sign up with one link at the same moment; what each got."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sign_up(name: str) -> None:
        with database.scoped() as session:
            barrier.wait(timeout=10)
            try:
                invitations.accept_invitation(
                    session=session,
                    token=token,
                    sign_up=SignUp(name=name, password="a long password"),
                    now=now,
                )
                outcomes.append("created")
            except Conflict as error:
                outcomes.append(error.code)

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in ("First", "Second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_concurrent_accepts_of_one_link_create_one_user(factory, database, clock) -> None:
    for round_ in range(4):
        email = f"race{round_}@example.org"
        with database.scoped() as session:
            token = invitations.create_invitation(
                session=session, actor=None, email=email, now=clock(), days=7
            ).token
        assert sorted(race_for(database, token, clock())) == ["created", "invitation.used"]
        with database.scoped(write=False) as session:
            users = session.scalars(select(User).where(User.email == email)).all()
            assert len(users) == 1
            stored = session.scalars(select(Invitation).where(Invitation.email == email)).one()
            assert stored.user_id == users[0].id and stored.used_at is not None


def test_invitation_policies_on_their_own() -> None:
    admin, lead, other = Actor(1, Role.ADMIN), Actor(2, Role.LEAD), Actor(3, Role.LEAD)
    reviewer, expert = Actor(4, Role.REVIEWER), Actor(5, Role.EXPERT)
    assert [InvitationPolicy.revoke(2)(a) for a in (admin, lead, other, reviewer, expert)] == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert InvitationPolicy.revoke(None)(admin) and not InvitationPolicy.revoke(None)(lead)
    assert [InvitationPolicy.list()(a) for a in (admin, lead, reviewer, expert)] == [
        True,
        True,
        False,
        False,
    ]
