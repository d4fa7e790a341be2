"""The fast lane (``api.fast_lane``) answers claim and submit as the FastAPI routes do: the same
statuses, error bodies and headers, for bearer tokens and browser sessions; every other request
goes on to FastAPI."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from expertloop.api.fast_lane import QueueFastLane
from expertloop.app import create_app
from expertloop.config import Settings
from expertloop.web.deps import SESSION_COOKIE
from judging import claim


@pytest.fixture
def plain_client(database: Any, clock: Any) -> Iterator[TestClient]:
    """The same app without the fast lane: every call goes through FastAPI's routes."""
    app = create_app(
        Settings(database_url=database.url, migrate_on_start=False), database=database, clock=clock
    )
    app.user_middleware = [m for m in app.user_middleware if m.cls is not QueueFastLane]
    with TestClient(app) as test_client:
        yield test_client


def answer(response: Any) -> tuple[int, Any, str | None]:
    body = response.json() if response.content else None
    if isinstance(body, dict) and body.get("code") == "request.invalid":
        body = {"code": body["code"], "fields": [e["field"] for e in body["errors"]]}
    return response.status_code, body, response.headers.get("www-authenticate")


def test_errors_match_the_fastapi_routes(client: Any, plain_client: Any, factory: Any) -> None:
    expert, other = factory.user("expert"), factory.user("expert")
    project_id = factory.project(items=3)
    lease = claim(client, expert, project_id)
    judgment = f"/api/v1/assignments/{lease['assignment_id']}/judgment"
    good = {"value": {"labels": ["yes"]}, "rationale": ""}
    calls: list[tuple[str, dict[str, Any]]] = [
        (f"/api/v1/projects/{project_id}/claims", {}),
        (f"/api/v1/projects/{project_id}/claims", {"headers": {"Authorization": "Bearer nope"}}),
        ("/api/v1/projects/999999/claims", {"headers": expert.headers}),
        (judgment, {"json": good}),
        (judgment, {"json": good, "headers": other.headers}),
        (judgment, {"json": {"value": {"labels": ["maybe"]}}, "headers": expert.headers}),
        (judgment, {"json": {"value": "yes", "extra": 1}, "headers": expert.headers}),
        (judgment, {"content": b"{not json", "headers": expert.headers}),
        ("/api/v1/assignments/999999/judgment", {"json": good, "headers": expert.headers}),
    ]
    for path, options in calls:
        fast, plain = client.post(path, **options), plain_client.post(path, **options)
        assert answer(fast) == answer(plain), (path, options, fast.text, plain.text)
        assert fast.status_code >= 400


def test_a_browser_session_needs_its_csrf_header_on_the_lane(client: Any, factory: Any) -> None:
    expert = factory.user("expert")
    project_id = factory.project(items=2)
    logged_in = client.post(
        "/login",
        data={"email": expert.email, "password": expert.password, "next": "/"},
        follow_redirects=False,
    )
    assert logged_in.status_code == 303 and client.cookies.get(SESSION_COOKIE)
    refused = client.post(f"/api/v1/projects/{project_id}/claims")
    assert refused.status_code == 403 and refused.json()["code"] == "auth.csrf"


def test_successful_answers_have_the_routes_shape(
    client: Any, plain_client: Any, factory: Any
) -> None:
    project_id = factory.project(items=1, overlap=2)
    one, two = factory.user("expert"), factory.user("expert")
    answers = []
    for expert, caller in ((one, client), (two, plain_client)):
        lease = claim(caller, expert, project_id)
        path = f"/api/v1/assignments/{lease['assignment_id']}/judgment"
        body = {"value": {"labels": ["no"]}, "idempotency_key": "same key"}
        first = caller.post(path, json=body, headers=expert.headers)
        again = caller.post(path, json=body, headers=expert.headers)
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json() == first.json()
        answers.append((lease, first.json()))
        nothing = caller.post(f"/api/v1/projects/{project_id}/claims", headers=expert.headers)
        assert nothing.status_code == 204 and nothing.content == b""
    (fast_lease, fast_judgment), (plain_lease, plain_judgment) = answers
    assert fast_lease.keys() == plain_lease.keys()
    assert fast_lease["item"] == plain_lease["item"]
    assert fast_judgment.keys() == plain_judgment.keys()


def test_only_the_two_exact_paths_take_the_lane() -> None:
    passed: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        passed.append(f"{scope['method']} {scope['path']}")

    lane = QueueFastLane(app)
    for method, path in [
        ("GET", "/api/v1/projects/1/claims"),
        ("POST", "/api/v1/projects/1/claims/"),
        ("POST", "/api/v1/projects/x/claims"),
        ("POST", "/api/v1/assignments/1/heartbeat"),
        ("POST", "/api/v1/projects/1/items"),
    ]:
        scope = {"type": "http", "method": method, "path": path}
        asyncio.run(lane(scope, None, None))  # type: ignore[arg-type]
    assert len(passed) == 5


def test_the_routes_stay_documented(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/projects/{project_id}/claims"]
    assert "post" in paths["/api/v1/assignments/{assignment_id}/judgment"]
