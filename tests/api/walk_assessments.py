"""Policy walk rows of assessments, attempts, grading and grants of another attempt."""

from __future__ import annotations

from typing import Any

from walk import ALL, Area, Route, WalkContext

from assessment_kit import CHOICE, FREE, body, make_assessment

GRANT_BODY: dict[str, Any] = {"expert_id": 0, "reason": "the walk needs one"}
"""Its ``expert_id`` is set to the walk's owner by ``prepare`` (ids differ per run)."""
GRADERS = {"admin", "lead", "reviewer"}

ROWS: dict[Route, tuple[set[str], Any]] = {
    ("POST", "/api/v1/assessments"): ({"admin", "lead"}, body()),
    ("GET", "/api/v1/assessments"): (set(ALL), None),
    ("GET", "/api/v1/assessments/{assessment_id}"): (set(ALL), None),
    ("PATCH", "/api/v1/assessments/{assessment_id}"): ({"admin", "lead"}, {"status": "published"}),
    ("POST", "/api/v1/assessments/{assessment_id}/attempts"): ({"reviewer", "expert"}, None),
    ("POST", "/api/v1/assessments/{assessment_id}/grants"): ({"admin"}, GRANT_BODY),
    ("GET", "/api/v1/attempts"): (set(GRADERS), None),
    ("GET", "/api/v1/attempts/{attempt_id}"): (GRADERS | {"owner"}, None),
    ("POST", "/api/v1/attempts/{attempt_id}/submit"): ({"owner"}, {"answers": {"q1": "a"}}),
    ("POST", "/api/v1/attempts/{attempt_id}/grade"): (
        set(GRADERS),
        {"points": {"q4": 1}, "feedback": "Name the receptor."},
    ),
}


def prepare(ctx: WalkContext, route: Route) -> dict[str, Any]:
    """A published assessment (a choice and a free-text question) and the owner's attempt,
    submitted (pending review) when the route grades it."""
    database, clock = ctx.factory.database, ctx.factory.clock
    assessment_id = make_assessment(database, clock, questions=[CHOICE, FREE])
    GRANT_BODY["expert_id"] = ctx.owner.id
    started = ctx.client.post(
        f"/api/v1/assessments/{assessment_id}/attempts", headers=ctx.owner.headers
    )
    assert started.status_code == 201, started.text
    attempt_id = started.json()["id"]
    if route == ("POST", "/api/v1/attempts/{attempt_id}/grade"):
        submitted = ctx.client.post(
            f"/api/v1/attempts/{attempt_id}/submit",
            json={"answers": {"q1": "a", "q4": "Adrenaline acts on alpha-1 receptors."}},
            headers=ctx.owner.headers,
        )
        assert submitted.json()["status"] == "pending_review", submitted.text
    return {"assessment_id": assessment_id, "attempt_id": attempt_id}


AREA = Area(rows=ROWS, prepare=prepare, not_owner=(404, "attempt.not_found"))
