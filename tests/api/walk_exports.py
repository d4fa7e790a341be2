"""Policy walk rows of exports: only the project's lead and admins queue, follow and download
them; anyone else is told the project or the export does not exist (or is forbidden)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from walk import Area, Route, WalkContext

from export_jobs_kit import judged_project, run_exports

EDITORS = {"admin", "lead"}

ROWS: dict[Route, tuple[set[str], Any]] = {
    ("POST", "/api/v1/projects/{project_id}/exports"): (set(EDITORS), {"format": "raw"}),
    ("GET", "/api/v1/projects/{project_id}/exports"): (set(EDITORS), None),
    ("GET", "/api/v1/projects/{project_id}/export"): (set(EDITORS), None),
    ("GET", "/api/v1/exports/{job_id}"): (set(EDITORS), None),
    ("GET", "/api/v1/exports/{job_id}/download"): (set(EDITORS), None),
    ("GET", "/api/v1/exports/{job_id}/card"): (set(EDITORS), None),
}


def prepare(ctx: WalkContext, route: Route) -> dict[str, Any]:
    """A judged project of the owning lead with one finished export."""
    lead = ctx.people["lead"]
    _, project_id = judged_project(ctx.client, ctx.factory, lead=lead)
    queued = ctx.client.post(
        f"/api/v1/projects/{project_id}/exports", json={"format": "raw"}, headers=lead.headers
    )
    assert queued.status_code == 202, queued.text
    directory = Path(tempfile.mkdtemp(prefix="walk-exports-"))
    assert [job.status for job in run_exports(ctx.app.state.database, directory)] == ["done"]
    return {"project_id": project_id, "job_id": queued.json()["id"]}


AREA = Area(rows=ROWS, prepare=prepare)
