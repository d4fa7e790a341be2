"""Policy walk rows of review: the reviewers' queue, a verdict on a judgment, an expert's own
reviews. Reviewers, leads and admins may review; the same verdict sent again is a replay, so
each of them gets through on the one judgment ``prepare`` makes (the owner's, picked by a
review share of 1)."""

from __future__ import annotations

from typing import Any

from walk import Area, Route, WalkContext

REVIEWERS = {"admin", "lead", "reviewer"}

ROWS: dict[Route, tuple[set[str], Any]] = {
    ("GET", "/api/v1/reviews"): (set(REVIEWERS), None),
    ("POST", "/api/v1/judgments/{judgment_id}/review"): (
        set(REVIEWERS),
        {"verdict": "reject", "feedback": "Cite the trial.", "clarity": 3},
    ),
    ("GET", "/api/v1/me/reviews"): ({"reviewer", "expert"}, None),
}


def prepare(ctx: WalkContext, route: Route) -> dict[str, Any]:
    """A project that reviews every judgment, and the owner's judgment there."""
    lead = ctx.people["lead"]
    project_id = ctx.factory.project(lead=lead, items=2, quality={"review": {"share": 1.0}})
    claim = ctx.client.post(f"/api/v1/projects/{project_id}/claims", headers=ctx.owner.headers)
    assert claim.status_code == 200, claim.text
    submit = ctx.client.post(
        f"/api/v1/assignments/{claim.json()['assignment_id']}/judgment",
        json={"value": {"labels": ["yes"]}, "rationale": "walk"},
        headers=ctx.owner.headers,
    )
    assert submit.status_code == 201, submit.text
    return {"project_id": project_id, "judgment_id": submit.json()["id"]}


AREA = Area(rows=ROWS, prepare=prepare, not_owner=(403, "review.own_judgment"))
