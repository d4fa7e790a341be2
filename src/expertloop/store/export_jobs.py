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
