"""The exports panel of a project's page: a lead queues an export through the form, a worker
writes it, the page lists it with a download link; bad input is named on the form."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from expertloop.store import export_jobs as store
from export_jobs_kit import judged_project, run_exports


def test_a_lead_queues_an_export_and_downloads_it_once_written(
    client: Any, factory: Any, database: Any, pages: Any, tmp_path: Path
) -> None:
    lead, project_id = judged_project(client, factory)
    csrf = pages.log_in(lead)
    page = pages.get(f"/projects/{project_id}").text
    assert 'id="exports"' in page and "No exports yet." in page
    assert re.findall(r'<option value="(\w+)"', page.split('id="export-format"')[1])[:1] == ["raw"]
    assert '<option value="preference"' not in page  # not a label project's format

    form = {"csrf": csrf, "format": "raw", "file_format": "jsonl", "license": "cc0-1.0"}
    queued = client.post(f"/projects/{project_id}/exports", data=form, follow_redirects=False)
    assert queued.status_code == 303
    assert queued.headers["location"] == f"/projects/{project_id}?exported=1#exports"
    page = pages.get(f"/projects/{project_id}?exported=1").text
    assert 'id="export-queued"' in page and ">queued</span>" in page
    assert "export-download" not in page
    live = f'data-live="/projects/{project_id}/exports/jobs"'
    assert live in page and "exports.js" in page  # the page's script follows the job

    [job] = run_exports(database, tmp_path)
    page = pages.get(f"/projects/{project_id}").text
    assert ">done</span>" in page and f'href="/api/v1/exports/{job.id}/download"' in page
    assert "data-live" not in page  # nothing left to follow
    download = pages.get(f"/api/v1/exports/{job.id}/download")  # the browser session's cookie
    assert download.status_code == 200
    assert [json.loads(line)["external_id"] for line in download.text.splitlines()] == [
        "q0",
        "q1",
        "q2",
    ]
    assert "cc0-1.0" in pages.get(f"/api/v1/exports/{job.id}/card").text


def test_the_export_form_names_a_bad_field_and_queues_nothing(
    client: Any, factory: Any, pages: Any
) -> None:
    lead, project_id = judged_project(client, factory)
    csrf = pages.log_in(lead)
    form = {"csrf": csrf, "format": "raw", "file_format": "jsonl", "min_confidence": "2"}
    refused = client.post(f"/projects/{project_id}/exports", data=form)
    assert refused.status_code == 422
    assert 'id="export-errors"' in refused.text and "Min confidence" in refused.text
    assert 'value="2"' in refused.text  # what was typed stays in the form
    form["min_confidence"] = "high"
    refused = client.post(f"/projects/{project_id}/exports", data=form)
    assert refused.status_code == 422 and "must be a number" in refused.text
    assert "No exports yet." in refused.text
    without_csrf = client.post(f"/projects/{project_id}/exports", data={"format": "raw"})
    assert without_csrf.status_code == 403


def test_people_who_cannot_edit_the_project_see_no_exports_panel(
    client: Any, factory: Any, pages: Any
) -> None:
    _, project_id = judged_project(client, factory)
    reviewer = factory.user("reviewer")
    csrf = pages.log_in(reviewer)
    page = pages.get(f"/projects/{project_id}")
    assert page.status_code == 200 and 'id="exports"' not in page.text
    form = {"csrf": csrf, "format": "raw", "file_format": "jsonl"}
    refused = client.post(f"/projects/{project_id}/exports", data=form)
    assert refused.status_code in (403, 404)


def test_the_jobs_table_alone_shows_a_running_job_s_items_read_so_far(
    client: Any, factory: Any, database: Any, pages: Any, clock: Any
) -> None:
    lead, project_id = judged_project(client, factory)
    csrf = pages.log_in(lead)
    form = {"csrf": csrf, "format": "raw", "file_format": "jsonl"}
    assert client.post(f"/projects/{project_id}/exports", data=form).status_code == 200
    with database.scoped() as session:  # a worker has read 2,000 of 4,500 items
        job = store.claim_next(session, now=clock())
        assert job is not None and job.started_at is not None
        store.record_progress(session, job.id, started_at=job.started_at, done=2000, total=4500)
        session.commit()

    table = pages.get(f"/projects/{project_id}/exports/jobs")
    assert table.status_code == 200
    assert table.text.lstrip().startswith("<div") and "<html" not in table.text
    assert f'data-live="/projects/{project_id}/exports/jobs"' in table.text
    assert ">running</span>" in table.text
    assert '<progress class="export-progress" value="2000" max="4500"' in table.text
    assert "2,000 of 4,500 items" in table.text


def test_only_the_project_s_editors_get_its_jobs_table(
    client: Any, factory: Any, pages: Any
) -> None:
    _, project_id = judged_project(client, factory)
    pages.log_in(factory.user("reviewer"))
    assert pages.get(f"/projects/{project_id}/exports/jobs").status_code == 404
    assert pages.get("/projects/999999/exports/jobs").status_code == 404
