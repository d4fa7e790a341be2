"""``expertloop worker`` writes queued exports into $EXPERTLOOP_EXPORT_DIR after its refresh
(so the export carries the consensus that refresh computed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from export_jobs_kit import judged_project


def test_worker_writes_queued_exports_into_the_export_dir(
    cli: Any, client: Any, factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPERTLOOP_EXPORT_DIR", str(tmp_path / "exports"))
    lead, project_id = judged_project(client, factory)
    queued = client.post(
        f"/api/v1/projects/{project_id}/exports", json={"format": "raw"}, headers=lead.headers
    )
    job_id = queued.json()["id"]
    worker = cli("worker", "--once")
    assert worker.exit_code == 0, worker.output
    path = (tmp_path / "exports").resolve() / str(job_id) / "label-project-raw.jsonl"
    line = f"export {job_id} of project {project_id}: done: 6 rows in {path}"
    assert line in worker.output
    rows = [json.loads(row) for row in path.read_text().splitlines()]
    assert sorted({row["type"] for row in rows}) == ["consensus", "judgment"]  # refreshed first
    assert sorted({row["external_id"] for row in rows}) == ["q0", "q1", "q2"]
    again = cli("worker", "--once")
    assert f"export {job_id}" not in again.output
    job = client.get(f"/api/v1/exports/{job_id}", headers=lead.headers).json()
    assert (job["status"], job["rows"]) == ("done", 6)
