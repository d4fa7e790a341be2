"""Background exports through the services on a real database: queued by the project's lead,
written by a worker's pass, failed with the writer's message, queued again when their worker
died, and shown only to the project's lead and admins."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from expertloop.core.errors import Conflict, Invalid, NotFound
from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services.export_files import ExportFileFormat
from expertloop.services.export_jobs import (
    get_export_card,
    get_export_download,
    get_export_job,
    list_export_jobs,
    request_export,
)
from expertloop.services.export_worker import run_next_export
from expertloop.services.exports import ExportRequest
from expertloop.store import Database
from expertloop.store import export_jobs as store
from expertloop.store.tables import AuditEntry
from export_jobs_kit import judged_project, run_exports


def _actor(person: Any) -> Actor:
    return Actor(person.id, Role(person.role))


def _queue(
    database: Database,
    clock: Any,
    person: Any,
    project_id: int,
    request: dict[str, Any],
    file_format: str = "jsonl",
) -> Any:
    with database.scoped() as session:
        return request_export(
            session=session,
            actor=_actor(person),
            project_id=project_id,
            request=ExportRequest.from_dict(request),
            file_format=ExportFileFormat(file_format),
            now=clock(),
        )


def _job(database: Database, person: Any, job_id: int) -> Any:
    with database.scoped(write=False) as session:
        return get_export_job(session=session, actor=_actor(person), job_id=job_id)


def test_request_export_queues_then_a_worker_writes_the_file_and_card(
    client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    lead, project_id = judged_project(client, factory)
    job = _queue(database, clock, lead, project_id, {"format": "raw", "license": "cc-by-4.0"})
    assert (job.status, job.format, job.file_format, job.rows) == ("queued", "raw", "jsonl", 0)
    assert job.request["license"] == "cc-by-4.0" and job.started_at is None

    [done] = run_exports(database, tmp_path)
    assert (done.id, done.status, done.error) == (job.id, "done", "")
    path = Path(done.path)
    assert path == tmp_path.resolve() / str(job.id) / "label-project-raw.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert done.rows == len(lines) == 3  # one judgment row per item (no consensus yet)
    assert done.started_at is not None and done.finished_at is not None
    with database.scoped(write=False) as session:
        card = get_export_card(session=session, actor=_actor(lead), job_id=job.id)
        download = get_export_download(session=session, actor=_actor(lead), job_id=job.id)
        audited = session.scalars(select(AuditEntry).where(AuditEntry.entity == "export_job"))
        assert [(a.action, a.entity_id) for a in audited] == [("export.request", job.id)]
    assert "cc-by-4.0" in card.path.read_text()
    assert (download.filename, download.media_type) == (path.name, "application/x-ndjson")
    assert run_exports(database, tmp_path) == []


def test_request_export_refuses_a_format_of_another_kind_and_queues_nothing(
    client: Any, factory: Any, database: Database, clock: Any
) -> None:
    lead, project_id = judged_project(client, factory)
    with pytest.raises(Invalid) as raised:
        _queue(database, clock, lead, project_id, {"format": "preference"})
    assert raised.value.code == "export.invalid"
    assert raised.value.errors[0].field == "format"
    assert "label project exports as raw" in raised.value.message
    with database.scoped(write=False) as session:
        assert list_export_jobs(session=session, actor=None, project_id=project_id) == []


def test_export_jobs_are_hidden_from_other_leads_and_listed_newest_first(
    client: Any, factory: Any, database: Database, clock: Any
) -> None:
    lead, project_id = judged_project(client, factory)
    other, admin = factory.user("lead"), factory.user("admin")
    first = _queue(database, clock, lead, project_id, {"format": "raw"})
    second = _queue(database, clock, admin, project_id, {"format": "raw"}, "parquet")
    with database.scoped(write=False) as session:
        listed = list_export_jobs(session=session, actor=_actor(lead), project_id=project_id)
    assert [j.id for j in listed] == [second.id, first.id]
    assert _job(database, admin, first.id).id == first.id
    with pytest.raises(NotFound) as raised:
        _job(database, other, first.id)
    assert raised.value.code == "export.not_found"
    with pytest.raises(NotFound):
        _job(database, lead, second.id + 100)


def test_download_waits_for_the_job_and_a_writer_error_fails_it(
    client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    lead, project_id = judged_project(client, factory)
    job = _queue(database, clock, lead, project_id, {"format": "raw"})
    with database.scoped(write=False) as session, pytest.raises(Conflict) as raised:
        get_export_download(session=session, actor=_actor(lead), job_id=job.id)
    assert raised.value.code == "export.not_ready"
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the export directory should be")

    [failed] = run_exports(database, blocked)
    assert failed.status == "failed" and failed.path == ""
    assert failed.error.startswith("path: cannot write")
    with database.scoped(write=False) as session, pytest.raises(Conflict) as raised:
        get_export_download(session=session, actor=_actor(lead), job_id=job.id)
    assert raised.value.code == "export.failed" and "cannot write" in raised.value.message


def test_dataset_exports_are_zipped_with_their_card(
    client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    lead, project_id = judged_project(client, factory)
    job = _queue(database, clock, lead, project_id, {"format": "raw"}, "dataset")
    [done] = run_exports(database, tmp_path)
    assert done.status == "done", done.error
    archive = Path(done.path)
    assert archive.name == "label-project-raw.zip"
    with zipfile.ZipFile(archive) as opened:
        names = set(opened.namelist())
    assert "label-project-raw/README.md" in names
    assert "label-project-raw/dataset_info.json" in names
    with database.scoped(write=False) as session:
        card = get_export_card(session=session, actor=_actor(lead), job_id=job.id)
    assert card.path == archive.with_suffix("") / "README.md"
    assert card.filename == "label-project-raw.README.md"


def test_a_job_whose_worker_died_is_queued_again_after_the_timeout(
    client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    lead, project_id = judged_project(client, factory)
    job = _queue(database, clock, lead, project_id, {"format": "raw"})
    with database.scoped() as session:  # a worker claims it, then dies
        dead = store.claim_next(session, now=clock() - timedelta(hours=2))
        session.commit()
    assert dead is not None and dead.id == job.id
    assert (
        run_next_export(sessions=database.scoped, now=clock, directory=tmp_path, stale_seconds=7200)
        is None
    )  # not stale yet
    done = run_next_export(
        sessions=database.scoped, now=clock, directory=tmp_path, stale_seconds=3600
    )
    assert done is not None and (done.id, done.status, done.rows) == (job.id, "done", 3)
    assert done.started_at == clock()
