"""Background export jobs: add, read, list, and the workers' claim of the next queued job.

A claim moves a job from ``queued`` to ``running`` and stamps ``started_at`` in the claiming
transaction: on PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets any number of workers claim at once,
each a different job; on SQLite the write transaction (``BEGIN IMMEDIATE``) makes the claim the
only writer. The export itself runs after that commit, so a worker that dies mid-export leaves
its job ``running``; ``requeue_stale`` queues such jobs again once their ``started_at`` is older
than the instance's export timeout.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from expertloop.core.lifecycles import ExportJobStatus
from expertloop.store.export_tables import ExportJob


def add_job(session: Session, values: dict[str, Any]) -> ExportJob:
    job = ExportJob(**values)
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int, *, lock: bool = False) -> ExportJob | None:
    query = select(ExportJob).where(ExportJob.id == job_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


def list_jobs(session: Session, project_id: int, *, limit: int = 50) -> list[ExportJob]:
    """The project's jobs, newest first."""
    query = (
        select(ExportJob)
        .where(ExportJob.project_id == project_id)
        .order_by(ExportJob.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def claim_next(session: Session, *, now: datetime) -> ExportJob | None:
    """The oldest queued job, moved to ``running`` (None when nothing is queued, or every
    queued job is being claimed by another worker)."""
    query = (
        select(ExportJob)
        .where(ExportJob.status == ExportJobStatus.QUEUED.value)
        .order_by(ExportJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    job = session.scalars(query).first()
    if job is None:
        return None
    job.status = ExportJobStatus.RUNNING.value
    job.started_at = now
    session.flush()
    return job


def requeue_stale(session: Session, *, started_before: datetime) -> int:
    """Queue again the running jobs started before ``started_before`` (their worker is taken
    to be gone); how many."""
    result = session.execute(
        update(ExportJob)
        .where(
            ExportJob.status == ExportJobStatus.RUNNING.value,
            ExportJob.started_at < started_before,
        )
        .values(status=ExportJobStatus.QUEUED.value, started_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def record_progress(
    session: Session, job_id: int, *, started_at: datetime, done: int, total: int
) -> bool:
    """Set a running job's items read so far and its items in all, unless it is no longer
    the claim that started at ``started_at`` (queued again, or finished); whether it was.
    Progress is not worth failing an export for: when the database refuses the write (locked
    past its busy timeout, the connection lost), the session is rolled back and False
    returned."""
    statement = (
        update(ExportJob)
        .where(
            ExportJob.id == job_id,
            ExportJob.status == ExportJobStatus.RUNNING.value,
            ExportJob.started_at == started_at,
        )
        .values(items_done=done, items_total=total)
        .execution_options(synchronize_session=False)
    )
    try:
        result = session.execute(statement)
    except OperationalError:
        session.rollback()
        return False
    return bool(getattr(result, "rowcount", 0))
