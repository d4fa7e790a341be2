"""API tokens are trusted for ``auth_cache_seconds`` after a look-up; sessions never are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from expertloop.store.tables import ApiToken


def revoke_all(database: Any, user_id: int) -> None:
    with database.scoped() as session:
        session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
        session.commit()


def test_revoked_token_is_refused_once_the_cache_time_passed(client, factory, database, clock):
    expert = factory.user("expert")
    assert client.get("/api/v1/me", headers=expert.headers).status_code == 200
    revoke_all(database, expert.id)
    ttl = client.app.state.settings.auth_cache_seconds
    assert ttl > 0
    assert client.get("/api/v1/me", headers=expert.headers).status_code == 200  # still trusted
    clock.advance(ttl)
    refused = client.get("/api/v1/me", headers=expert.headers)
    assert refused.status_code == 401
    assert refused.json()["code"] == "auth.invalid_token"


def test_browser_sessions_are_not_cached(client, factory):
    expert = factory.user("expert")
    login = client.post(
        "/login", data={"email": expert.email, "password": expert.password}, follow_redirects=False
    )
    assert login.status_code == 303
    assert client.get("/api/v1/me").status_code == 200  # the cookie rides along
    page = client.get("/")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    cookie = client.cookies["expertloop_session"]
    client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    client.cookies.clear()
    client.cookies.set("expertloop_session", cookie)
    replayed = client.get("/api/v1/me")
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "auth.invalid_token"
