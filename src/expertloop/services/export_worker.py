"""Use cases of background exports on the worker's side: ``run_next_export`` claims the oldest
queued job, streams its rows (``services.exports.open_export``, then
``services.export_fast.write_stream``) under ``<directory>/<job id>/<project>-<format>.<ext>``
and records the outcome: ``done`` with the row count and the download's path, or ``failed``
with the error's message; a ``datasets`` directory is zipped into one download beside it.
While it runs, ``JobProgress`` writes the items read so far (``items_done`` of
``items_total``) every second at most. A job is never left ``running`` by an error; a worker
killed mid-export leaves it ``running`` until ``requeue_stale`` (after the export timeout)
queues it again, and a superseded worker's late result (or progress) is then dropped.
"""

from __future__ import annotations

import math
import re
import time
import zipfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from expertloop.core.errors import DomainError, FieldError, invalid
from expertloop.core.lifecycles import EXPORT_JOB_TRANSITIONS, ExportJobStatus
from expertloop.services.export_fast import write_stream
from expertloop.services.export_files import ExportFileFormat
from expertloop.services.export_jobs import EXTENSIONS, parse_file_format
from expertloop.services.exports import ExportRequest, open_export
from expertloop.store import Session
from expertloop.store import export_jobs as store
from expertloop.store.export_tables import ExportJob

SessionScope = Callable[..., AbstractContextManager[Session]]
"""``Database.scoped``: a session for a block (``write=False`` for a reading one)."""
UNEXPECTED = "the export stopped unexpectedly; the worker's log says why"
PROGRESS_SECONDS = 1.0
"""How often at most a worker writes a running job's items read so far."""


def run_pending_exports(
    *,
    sessions: SessionScope,
    now: Callable[[], datetime],
    directory: Path,
    stale_seconds: int,
    processes: int = 1,
) -> list[ExportJob]:
    """Run queued exports one after another until none is left; the jobs finished."""
    finished = []
    while (
        job := run_next_export(
            sessions=sessions,
            now=now,
            directory=directory,
            stale_seconds=stale_seconds,
            processes=processes,
        )
    ) is not None:
        finished.append(job)
    return finished


def run_next_export(
    *,
    sessions: SessionScope,
    now: Callable[[], datetime],
    directory: Path,
    stale_seconds: int,
    processes: int = 1,
) -> ExportJob | None:
    """Claim the oldest queued export (first queuing again the ones running longer than
    ``stale_seconds``), write it under ``directory`` and record how it ended; None when
    nothing is queued. ``processes``: how many may write a large raw export together
    (``services.export_parts``). A domain error fails the job with its message; any other
    error fails it too and is raised; an interrupt queues it again."""
    job = _claim(sessions, now(), stale_seconds)
    if job is None:
        return None
    try:
        rows, path, items = _write_job(sessions, job, directory, processes)
    except DomainError as error:
        return _finish(sessions, job, now(), ExportJobStatus.FAILED, error=error.message)
    except Exception:
        _finish(sessions, job, now(), ExportJobStatus.FAILED, error=UNEXPECTED)
        raise
    except BaseException:
        _finish(sessions, job, now(), ExportJobStatus.QUEUED)
        raise
    done = {"rows": rows, "path": str(path), "items_done": items, "items_total": items}
    return _finish(sessions, job, now(), ExportJobStatus.DONE, **done)


def _claim(sessions: SessionScope, now: datetime, stale_seconds: int) -> ExportJob | None:
    with sessions() as session:
        store.requeue_stale(session, started_before=now - timedelta(seconds=stale_seconds))
        job = store.claim_next(session, now=now)
        session.commit()
        return job


def _write_job(
    sessions: SessionScope, job: ExportJob, directory: Path, processes: int
) -> tuple[int, Path, int]:
    """Stream the job's rows into its files; the row count, the download's path and the
    items in all."""
    request = ExportRequest.from_dict(job.request)
    file_format = parse_file_format(job.file_format)
    progress = JobProgress(sessions, job, every=PROGRESS_SECONDS)
    with sessions(write=False) as session:
        stream = open_export(
            session=session,
            actor=None,
            project_id=job.project_id,
            request=request,
            progress=progress,
        )
        progress.start(stream.items_total)
        folder = _job_folder(directory, job.id)
        stem = f"{_slug(stream.project_name)}-{stream.format.name}"
        dataset = file_format is ExportFileFormat.DATASET
        target = folder / (stem if dataset else f"{stem}{EXTENSIONS[file_format.value]}")
        written = write_stream(  # raw, pairwise preference and kto: the fast path
            session=session,
            stream=stream,
            path=target,
            file_format=file_format,
            progress=progress,
            processes=processes,
        )
    if dataset:
        return written.rows, _zip_directory(target), progress.total
    return written.rows, target, progress.total


class JobProgress:
    """Writes a running job's items read so far (``items_done``, ``items_total``) in a
    session of its own: at the start, then at most every ``every`` seconds (the export calls
    it after each chunk), so the API and the project page can show how far it is."""

    def __init__(
        self,
        sessions: SessionScope,
        job: ExportJob,
        *,
        every: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions, self.job_id, self.started_at = sessions, job.id, job.started_at
        self.every, self.clock = every, clock
        self.total, self.written = 0, -math.inf

    def start(self, total: int) -> None:
        """The export's items in all, written at once with none read."""
        self.total = total
        self._write(0)

    def __call__(self, done: int) -> None:
        if self.clock() - self.written >= self.every:
            self._write(done)

    def _write(self, done: int) -> None:
        if self.started_at is None:
            return
        with self.sessions() as session:
            store.record_progress(
                session,
                self.job_id,
                started_at=self.started_at,
                done=done,
                total=self.total,
            )
            session.commit()
        self.written = self.clock()


def _job_folder(directory: Path, job_id: int) -> Path:
    folder = directory.resolve() / str(job_id)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or str(error)
        problem = FieldError("path", f"cannot write {folder}: {reason}")
        raise invalid("export.cannot_write", [problem]) from None
    return folder


def _zip_directory(directory: Path) -> Path:
    """``<directory>.zip`` holding the directory's files under its name, written whole or
    not at all."""
    archive = directory.with_suffix(".zip")
    partial = directory.with_name(f".{archive.name}.partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as out:
            for file in sorted(p for p in directory.rglob("*") if p.is_file()):
                out.write(file, Path(directory.name) / file.relative_to(directory))
        partial.replace(archive)
    finally:
        partial.unlink(missing_ok=True)
    return archive


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "project"


def _finish(
    sessions: SessionScope,
    job: ExportJob,
    now: datetime,
    status: ExportJobStatus,
    **values: Any,
) -> ExportJob:
    """Record how the claimed job ended, unless it was queued again meanwhile (its worker
    taken for dead) and another claim owns it now: that result is dropped."""
    with sessions() as session:
        current = store.get_job(session, job.id, lock=True)
        if current is None or not _still_ours(current, job):
            session.rollback()
            return current or job
        assert status in EXPORT_JOB_TRANSITIONS[ExportJobStatus(current.status)]
        current.status = status.value
        if status is ExportJobStatus.QUEUED:
            current.started_at = None
        else:
            current.finished_at = now
        for key, value in values.items():
            setattr(current, key, value)
        session.commit()
        return current


def _still_ours(current: ExportJob, claimed: ExportJob) -> bool:
    return (
        current.status == ExportJobStatus.RUNNING.value and current.started_at == claimed.started_at
    )
