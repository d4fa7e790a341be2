"""Policy walk rows of expert profiles, credentials, the roster, qualifications, tracks and
domains. Experts and reviewers asking for another expert's profile get 404 (accepted by the
walk as a refusal); ``test_experts_api.py`` checks the privacy both ways."""

from __future__ import annotations

from typing import Any

from walk import ALL, Area, Route, WalkContext

ROWS: dict[Route, tuple[set[str], Any]] = {
    ("GET", "/api/v1/me/profile"): ({"reviewer", "expert"}, None),
    ("PUT", "/api/v1/me/profile"): (
        {"reviewer", "expert"},
        {"domains": ["law"], "languages": ["en"], "attributes": {"region": "Andes"}},
    ),
    ("POST", "/api/v1/me/credentials"): (
        {"reviewer", "expert"},
        {"kind": "degree", "title": "LLM", "issuer": "Universidad de Chile", "year": 2015},
    ),
    ("DELETE", "/api/v1/me/credentials/{credential_id}"): ({"owner"}, None),
    ("GET", "/api/v1/experts"): ({"admin", "lead"}, None),
    ("GET", "/api/v1/experts/{expert_id}"): ({"admin", "lead"}, None),
    ("POST", "/api/v1/experts/{expert_id}/credentials/{credential_id}/verification"): (
        {"admin"},
        {"status": "verified", "note": "checked the register"},
    ),
    ("POST", "/api/v1/experts/{expert_id}/qualifications"): (
        {"admin"},
        {"track": "general", "action": "grant", "reason": "walk"},
    ),
    ("GET", "/api/v1/tracks"): (set(ALL), None),
    ("PATCH", "/api/v1/tracks/{track_name}"): ({"admin"}, {"hourly_rate": "21.50"}),
    ("GET", "/api/v1/domains"): (set(ALL), None),
    ("POST", "/api/v1/domains"): ({"admin"}, {"slug": "walk_domain", "name": "Walk"}),
}


def prepare(ctx: WalkContext, route: Route) -> dict[str, Any]:
    claim = {"kind": "licence", "title": "Bar of Chile"}
    response = ctx.client.post("/api/v1/me/credentials", json=claim, headers=ctx.owner.headers)
    assert response.status_code == 201, response.text
    return {
        "expert_id": ctx.owner.id,
        "credential_id": response.json()["id"],
        "track_name": "general",
    }


AREA = Area(rows=ROWS, prepare=prepare, not_owner=(404, "credential.not_found"))
