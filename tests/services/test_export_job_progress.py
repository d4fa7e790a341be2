"""A running export job's progress: the worker writes the items read so far while it runs
(on the fast path and the general one), at most every so often, never over a newer claim of
the same job, and all of them once it is done."""

from __future__ import annotations

import functools
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services import export_jobs, export_worker
from expertloop.services.export_files import ExportFileFormat
from expertloop.services.exports import ExportRequest
from expertloop.store import Database
from expertloop.store import export_jobs as store
from expertloop.store import exports as export_store
from export_jobs_kit import judged_pairwise_project, judged_project, run_exports, split_export

Seen = tuple[str, int, int | None]


def _queue(database: Database, clock: Any, lead: Any, project_id: int, request: dict) -> int:
    with database.scoped() as session:
        job = export_jobs.request_export(
            session=session,
            actor=Actor(lead.id, Role(lead.role)),
            project_id=project_id,
            request=ExportRequest.from_dict(request),
            file_format=ExportFileFormat.JSONL,
            now=clock(),
        )
        return job.id


def _state(database: Database, job_id: int) -> Seen:
    with database.scoped(write=False) as session:
        job = store.get_job(session, job_id)
        assert job is not None
        return job.status, job.items_done, job.items_total


def _watch(monkeypatch: pytest.MonkeyPatch, database: Database, job_id: int) -> list[Seen]:
    """What another reader of the database sees after each progress the worker writes."""
    seen: list[Seen] = []
    write = store.record_progress

    def watched(session: Any, *args: Any, **kwargs: Any) -> bool:
        written = write(session, *args, **kwargs)
        session.commit()
        seen.append(_state(database, job_id))
        return written

    monkeypatch.setattr(store, "record_progress", watched)
    monkeypatch.setattr(export_worker, "PROGRESS_SECONDS", 0.0)
    return seen


@pytest.mark.parametrize("path", ["fast", "general"])
def test_a_running_job_shows_the_items_read_so_far_then_all_of_them(
    path: str,
    client: Any,
    factory: Any,
    database: Database,
    clock: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if path == "fast":  # a label project's raw export: three items in chunks of two
        lead, project_id = judged_project(client, factory)
        request: dict[str, Any] = {"format": "raw"}
        split_export(monkeypatch, "chunks", 3)
    else:  # per_judgment preference takes the general path: four items in chunks of two
        project_id = judged_pairwise_project(client, factory, database, clock)
        lead = factory.user("admin")
        request = {"format": "preference", "options": {"per_judgment": True}}
        chunks = functools.partial(export_store.iter_chunks, chunk=2)
        monkeypatch.setattr(export_store, "iter_chunks", chunks)
    job_id = _queue(database, clock, lead, project_id, request)
    assert _state(database, job_id) == ("queued", 0, None)
    seen = _watch(monkeypatch, database, job_id)

    [done] = run_exports(database, tmp_path)
    items = 3 if path == "fast" else 4
    assert seen == [("running", 0, items), ("running", 2, items), ("running", items, items)]
    assert (done.status, done.items_done, done.items_total) == ("done", items, items)
    assert done.rows > 0
    assert _state(database, job_id) == ("done", items, items)


def test_progress_is_written_at_most_every_so_often(
    client: Any, factory: Any, database: Database, clock: Any
) -> None:
    lead, project_id = judged_project(client, factory)
    job_id = _queue(database, clock, lead, project_id, {"format": "raw"})
    with database.scoped() as session:
        job = store.claim_next(session, now=clock())
        session.commit()
    assert job is not None
    now = [100.0]
    progress = export_worker.JobProgress(database.scoped, job, every=1.0, clock=lambda: now[0])
    progress.start(3)
    assert _state(database, job_id) == ("running", 0, 3)
    now[0] = 100.6
    progress(1)  # too soon after the start
    assert _state(database, job_id) == ("running", 0, 3)
    now[0] = 101.0
    progress(2)
    assert _state(database, job_id) == ("running", 2, 3)
    now[0] = 101.5
    progress(3)
    assert _state(database, job_id) == ("running", 2, 3)


def test_a_superseded_worker_never_writes_over_the_new_claim(
    client: Any, factory: Any, database: Database, clock: Any
) -> None:
    lead, project_id = judged_project(client, factory)
    job_id = _queue(database, clock, lead, project_id, {"format": "raw"})
    with database.scoped() as session:  # a worker claims it and is then taken for dead
        old = store.claim_next(session, now=clock() - timedelta(hours=2))
        session.commit()
    with database.scoped() as session:
        assert store.requeue_stale(session, started_before=clock() - timedelta(hours=1)) == 1
        new = store.claim_next(session, now=clock())
        session.commit()
    assert old is not None and new is not None and new.id == old.id == job_id
    export_worker.JobProgress(database.scoped, new, every=0.0).start(3)
    late = export_worker.JobProgress(database.scoped, old, every=0.0)
    late.start(99)
    late(50)
    assert _state(database, job_id) == ("running", 0, 3)
    with database.scoped() as session:
        assert not store.record_progress(
            session, job_id, started_at=old.started_at, done=1, total=3
        )
        assert store.record_progress(session, job_id, started_at=new.started_at, done=1, total=3)
        session.commit()
    assert _state(database, job_id) == ("running", 1, 3)


def test_a_refused_progress_write_does_not_fail_the_export(
    client: Any,
    factory: Any,
    database: Database,
    clock: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lead, project_id = judged_project(client, factory)
    job_id = _queue(database, clock, lead, project_id, {"format": "raw"})
    execute, refused = Session.execute, []

    def locked(self: Session, statement: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(statement, "is_update", False) and "items_done" in str(statement):
            refused.append(statement)
            raise OperationalError("UPDATE export_jobs", {}, Exception("database is locked"))
        return execute(self, statement, *args, **kwargs)

    monkeypatch.setattr(Session, "execute", locked)
    [done] = run_exports(database, tmp_path)
    assert refused  # every progress write was refused (the start's at least)
    assert (done.id, done.status, done.rows) == (job_id, "done", 3)
    assert _state(database, job_id) == ("done", 3, 3)
