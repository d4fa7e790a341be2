"""Policy walk rows of gold items and project quality: the project's editors manage gold;
managers and reviewers read quality and ask for a refresh."""

from __future__ import annotations

from typing import Any

from walk import Area, Route, WalkContext

EDITORS = {"admin", "lead"}
WATCHERS = {"admin", "lead", "reviewer"}

ROWS: dict[Route, tuple[set[str], Any]] = {
    ("PUT", "/api/v1/projects/{project_id}/gold"): (
        set(EDITORS),
        {"items": [{"external_id": "q0", "answer": {"labels": ["yes"]}}]},
    ),
    ("GET", "/api/v1/projects/{project_id}/gold"): (set(EDITORS), None),
    ("DELETE", "/api/v1/projects/{project_id}/gold/{item_id}"): (set(EDITORS), None),
    ("GET", "/api/v1/projects/{project_id}/quality"): (set(WATCHERS), None),
    ("POST", "/api/v1/projects/{project_id}/quality/refresh"): (set(WATCHERS), None),
    ("GET", "/api/v1/projects/{project_id}/consensus"): (set(WATCHERS), None),
    ("GET", "/api/v1/experts/{expert_id}/quality"): ({"admin", "lead", "owner"}, None),
}


def prepare(ctx: WalkContext, route: Route) -> dict[str, Any]:
    """A project with gold answers on its first item."""
    lead = ctx.people["lead"]
    project_id = ctx.factory.project(lead=lead, items=2, quality={"gold": {"rate": 0.1}})
    marked = ctx.client.put(
        f"/api/v1/projects/{project_id}/gold",
        json={"items": [{"external_id": "q0", "answer": {"labels": ["yes"]}}]},
        headers=lead.headers,
    )
    assert marked.status_code == 200, marked.text
    listed = ctx.client.get(f"/api/v1/projects/{project_id}/gold", headers=lead.headers)
    item_id = listed.json()["data"][0]["item_id"]
    return {"project_id": project_id, "item_id": item_id, "expert_id": ctx.owner.id}


AREA = Area(rows=ROWS, prepare=prepare, not_owner=(403, "auth.forbidden"))
"""``owner``: the expert whose quality it is; other experts and reviewers get 403."""
