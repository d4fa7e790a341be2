"""Every API route, called by every role and with no token: allowed roles get through,
others get 403 (or 404 where the thing is invisible to them), no token gets 401.

The rows live in one ``walk_<area>.py`` module per area of the API (see ``walk.py``)."""

from __future__ import annotations

from typing import Any

import pytest
import walk_adjudication
import walk_assessments
import walk_experts
import walk_exports
import walk_invitations
import walk_quality
import walk_queue
import walk_reviews
from walk import ROLES, Area, Route, WalkContext

AREAS: list[Area] = [
    walk_adjudication.AREA,
    walk_assessments.AREA,
    walk_experts.AREA,
    walk_exports.AREA,
    walk_invitations.AREA,
    walk_quality.AREA,
    walk_queue.AREA,
    walk_reviews.AREA,
]
TABLE: dict[Route, Area] = {route: area for area in AREAS for route in area.rows}


def api_routes(app: Any) -> set[Route]:
    """Every (method, path) the API serves, read from its OpenAPI document."""
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }


def test_table_covers_every_api_route(app: Any) -> None:
    assert sum(len(area.rows) for area in AREAS) == len(TABLE), "a route is in two areas"
    assert api_routes(app) == set(TABLE)


@pytest.fixture
def people(factory: Any) -> dict[str, Any]:
    found = {role: factory.user(role) for role in ROLES}
    found["lead"] = factory.user("lead")  # the lead who owns the projects; the first owns none
    return found


@pytest.mark.parametrize("route", sorted(TABLE))
def test_route_with_every_role(
    client: Any, factory: Any, app: Any, people: dict[str, Any], route: Route
) -> None:
    method, template = route
    area = TABLE[route]
    allowed, body = area.rows[route]
    ctx = WalkContext(client, factory, app, people, owner=factory.user("expert"))
    path = template.format(**area.prepare(ctx, route))
    if "public" in allowed:
        return  # no login needed: its area's own tests cover it

    anonymous = client.request(method, path, json=body)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "auth.missing_token"
    bad = client.request(method, path, json=body, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json()["code"] == "auth.invalid_token"

    for role, person in people.items():
        response = client.request(method, path, json=body, headers=person.headers)
        if role in allowed:
            assert response.status_code < 400 or response.status_code == 204, (role, response.text)
        elif "owner" in allowed:
            status, code = area.not_owner
            assert response.status_code == status, (role, response.text)
            assert response.json()["code"] == code
        else:
            assert response.status_code in (403, 404), (role, response.text)
            assert set(response.json()) == {"code", "message"}
    if "owner" in allowed:
        response = client.request(method, path, json=body, headers=ctx.owner.headers)
        assert response.status_code in (200, 201, 204), response.text


def test_lead_cannot_import_into_another_leads_project(client: Any, factory: Any) -> None:
    owner, other = factory.user("lead"), factory.user("lead")
    project_id = factory.project(lead=owner)
    response = client.post(
        f"/api/v1/projects/{project_id}/items",
        json={"items": [{"prompt": "Q"}]},
        headers=other.headers,
    )
    assert response.status_code == 403
    assert response.json() == {
        "code": "auth.forbidden",
        "message": "a user with the role lead may not do this",
    }
