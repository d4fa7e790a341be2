"""Users: created by an admin, token shown once and stored hashed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from expertloop.store.tables import ApiToken, User


def test_admin_creates_user_and_token_works(client: Any, factory: Any, database: Any) -> None:
    admin = factory.user("admin")
    response = client.post(
        "/api/v1/users",
        json={
            "email": "Ada@Example.org",
            "name": "Ada",
            "role": "expert",
            "password": "long enough",
        },
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "email", "name", "role", "token"}
    assert body["email"] == "ada@example.org" and body["role"] == "expert"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json() == {
        "id": body["id"],
        "email": "ada@example.org",
        "name": "Ada",
        "role": "expert",
    }
    with database.scoped() as session:
        user = session.scalars(select(User).where(User.id == body["id"])).one()
        assert user.password_hash and "long enough" not in user.password_hash
        hashes = session.scalars(
            select(ApiToken.token_hash).where(ApiToken.user_id == user.id)
        ).all()
        assert hashes and body["token"] not in hashes


def test_create_user_errors(client: Any, factory: Any) -> None:
    admin = factory.user("admin")
    taken = client.post(
        "/api/v1/users", json={"email": admin.email, "role": "lead"}, headers=admin.headers
    )
    assert taken.status_code == 422 and taken.json()["code"] == "user.email_taken"
    short = client.post(
        "/api/v1/users",
        json={"email": "x@y.org", "role": "lead", "password": "1"},
        headers=admin.headers,
    )
    assert short.json()["errors"][0]["field"] == "password"
    role = client.post(
        "/api/v1/users", json={"email": "x@y.org", "role": "boss"}, headers=admin.headers
    )
    assert role.status_code == 422 and role.json()["errors"][0]["field"] == "role"
