"""The export routes: queue a job (202), follow it, download its file and card once a worker
wrote them (409 before), and stream a small export as JSONL straight away."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from export_jobs_kit import judged_project, run_exports


def _queue(client: Any, lead: Any, project_id: int, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/projects/{project_id}/exports", json=body, headers=lead.headers)


def test_create_export_is_queued_then_downloaded_once_a_worker_wrote_it(
    client: Any, factory: Any, database: Any, tmp_path: Path
) -> None:
    lead, project_id = judged_project(client, factory)
    body = {
        "format": "raw",
        "file_format": "parquet",
        "license": "cc-by-4.0",
        "filters": {"guideline_versions": [1]},
    }
    queued = _queue(client, lead, project_id, body)
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert {k: job[k] for k in ("project_id", "format", "file_format", "status", "rows")} == {
        "project_id": project_id,
        "format": "raw",
        "file_format": "parquet",
        "status": "queued",
        "rows": 0,
    }
    assert job["download_url"] is None and job["card_url"] is None
    assert (job["items_done"], job["items_total"]) == (0, None)  # no worker has started it
    assert job["request"]["filters"]["guideline_versions"] == [1]
    early = client.get(f"/api/v1/exports/{job['id']}/download", headers=lead.headers)
    assert (early.status_code, early.json()["code"]) == (409, "export.not_ready")

    run_exports(database, tmp_path)
    done = client.get(f"/api/v1/exports/{job['id']}", headers=lead.headers).json()
    assert (done["status"], done["rows"], done["error"]) == ("done", 3, "")
    assert (done["items_done"], done["items_total"]) == (3, 3)
    assert done["download_url"].endswith(f"/api/v1/exports/{job['id']}/download")
    download = client.get(done["download_url"], headers=lead.headers)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/vnd.apache.parquet"
    assert 'filename="label-project-raw.parquet"' in download.headers["content-disposition"]
    (tmp_path / "got.parquet").write_bytes(download.content)
    assert pq.read_table(tmp_path / "got.parquet").num_rows == 3
    card = client.get(done["card_url"], headers=lead.headers)
    assert card.status_code == 200 and card.headers["content-type"].startswith("text/markdown")
    assert "cc-by-4.0" in card.text
    listed = client.get(f"/api/v1/projects/{project_id}/exports", headers=lead.headers).json()
    assert listed["count"] == 1 and listed["data"][0] == done


def test_create_export_names_the_bad_field_and_queues_nothing(client: Any, factory: Any) -> None:
    lead, project_id = judged_project(client, factory)
    for body, field in (
        ({"format": "preference"}, "format"),
        ({"format": "nope"}, "format"),
        ({"format": "raw", "filters": {"colour": "red"}}, "filters.colour"),
        ({"format": "raw", "file_format": "csv"}, "file_format"),
    ):
        response = _queue(client, lead, project_id, body)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == field, response.json()
    listed = client.get(f"/api/v1/projects/{project_id}/exports", headers=lead.headers).json()
    assert listed == {"data": [], "count": 0}


def test_a_dataset_export_without_the_datasets_package_is_refused_before_it_is_queued(
    client: Any, factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead, project_id = judged_project(client, factory)
    monkeypatch.setitem(sys.modules, "datasets", None)  # import datasets -> ImportError
    response = _queue(client, lead, project_id, {"format": "raw", "file_format": "dataset"})
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "export.needs_datasets"
    assert "pip install 'expertloop[datasets]'" in response.json()["message"]
    listed = client.get(f"/api/v1/projects/{project_id}/exports", headers=lead.headers).json()
    assert listed == {"data": [], "count": 0}
    monkeypatch.delitem(sys.modules, "datasets")
    queued = _queue(client, lead, project_id, {"format": "raw", "file_format": "dataset"})
    assert queued.status_code == 202, queued.text


def test_a_failed_export_says_why_and_other_leads_see_no_export(
    client: Any, factory: Any, database: Any, tmp_path: Path
) -> None:
    lead, project_id = judged_project(client, factory)
    job_id = _queue(client, lead, project_id, {"format": "raw"}).json()["id"]
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    run_exports(database, blocked)
    found = client.get(f"/api/v1/exports/{job_id}", headers=lead.headers).json()
    assert found["status"] == "failed" and "cannot write" in found["error"]
    failed = client.get(f"/api/v1/exports/{job_id}/download", headers=lead.headers)
    assert (failed.status_code, failed.json()["code"]) == (409, "export.failed")
    other = factory.user("lead")
    hidden = client.get(f"/api/v1/exports/{job_id}", headers=other.headers)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "export.not_found")


def test_stream_export_sends_jsonl_filtered_as_asked(client: Any, factory: Any) -> None:
    lead, project_id = judged_project(client, factory)
    path = f"/api/v1/projects/{project_id}/export"
    response = client.get(path, params={"format": "raw"}, headers=lead.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert f'filename="project-{project_id}-raw.jsonl"' in response.headers["content-disposition"]
    rows = [json.loads(line) for line in response.text.splitlines()]
    assert [(r["type"], r["external_id"]) for r in rows] == [
        ("judgment", "q0"),
        ("judgment", "q1"),
        ("judgment", "q2"),
    ]
    kept = client.get(path, params={"format": "raw", "accepted_only": "true"}, headers=lead.headers)
    assert kept.status_code == 200 and kept.text == ""  # nothing accepted before consensus
    wrong = client.get(path, params={"format": "kto"}, headers=lead.headers)
    assert (wrong.status_code, wrong.json()["errors"][0]["field"]) == (422, "format")
