"""Use cases of background exports: a project's lead (or an admin) queues one, a worker writes
it, the lead downloads the file and its dataset card.

``request_export`` checks the request as ``open_export`` would (format against the project's
kind) before anything is queued. ``run_next_export`` claims the oldest queued job, streams its
rows (``services.exports.open_export``) into ``services.export_files.write_export`` under
``<directory>/<job id>/<project>-<format>.<ext>`` and records the outcome: ``done`` with the row
count and the download's path, or ``failed`` with the error's message; a ``datasets`` directory
is zipped into one download beside it. While it runs, ``JobProgress`` writes the items read
so far (``items_done`` of ``items_total``) every second at most. A job is never left
``running`` by an error; a worker killed mid-export leaves it ``running`` until
``requeue_stale`` (after the export timeout) queues it again, and a superseded worker's late
result (or progress) is then dropped.
"""

from __future__ import annotations

import math
import re
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from expertloop.core.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    NotFound,
    invalid,
)
from expertloop.core.exports.formats import formats_for_kind
from expertloop.core.lifecycles import EXPORT_JOB_TRANSITIONS, ExportJobStatus
from expertloop.core.policies import Actor, ProjectPolicy, is_allowed
from expertloop.services.export_fast import write_stream
from expertloop.services.export_files import ExportFileFormat, jsonl_line, require_datasets
from expertloop.services.exports import ExportRequest, exportable, open_export
from expertloop.services.projects import get_project_or_raise, ref
from expertloop.store import Session, audit
from expertloop.store import export_jobs as store
from expertloop.store.export_tables import ExportJob

SessionScope = Callable[..., AbstractContextManager[Session]]
"""``Database.scoped``: a session for a block (``write=False`` for a reading one)."""
EXTENSIONS = {"jsonl": ".jsonl", "parquet": ".parquet", "dataset": ".zip"}
MEDIA_TYPES = {
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
    "dataset": "application/zip",
}
UNEXPECTED = "the export stopped unexpectedly; the worker's log says why"
PROGRESS_SECONDS = 1.0
"""How often at most a worker writes a running job's items read so far."""


@dataclass(frozen=True)
class ExportFile:
    """A file of a finished export to hand out: where it is, its name, its media type."""

    path: Path
    filename: str
    media_type: str


def parse_file_format(value: str) -> ExportFileFormat:
    """``jsonl``, ``parquet`` or ``dataset``.

    Raises:
        Invalid: ``export.invalid`` naming ``file_format``.
    """
    try:
        return ExportFileFormat(value)
    except ValueError:
        names = ", ".join(f.value for f in ExportFileFormat)
        problem = FieldError("file_format", f"unknown file format {value!r}; use {names}")
        raise invalid("export.invalid", [problem]) from None


def request_export(
    *,
    session: Session,
    actor: Actor | None,
    project_id: int,
    request: ExportRequest,
    file_format: ExportFileFormat,
    now: datetime,
) -> ExportJob:
    """Queue an export of the project for a worker to write.

    Raises:
        NotFound: ``project.not_found``. Forbidden: unless the actor may edit the project.
        Invalid: ``export.invalid`` naming ``format`` when it does not serve the project's kind.
        Unavailable: ``export.needs_datasets`` for the ``dataset`` file format when the
            ``datasets`` package is not installed.
    """
    project, fmt = exportable(session=session, actor=actor, project_id=project_id, request=request)
    if file_format is ExportFileFormat.DATASET:
        require_datasets()
    values: dict[str, Any] = {
        "project_id": project.id,
        "requested_by": actor.id if actor else None,
        "format": fmt.name,
        "file_format": file_format.value,
        "request": request.to_dict() | {"format": fmt.name},
        "status": ExportJobStatus.QUEUED.value,
        "created_at": now,
    }
    job = store.add_job(session, values)
    audit.record(
        session,
        actor_id=values["requested_by"],
        action="export.request",
        entity="export_job",
        entity_id=job.id,
        now=now,
        detail={"project_id": project.id, "format": fmt.name, "file_format": file_format.value},
    )
    session.commit()
    return job


def get_export_job(*, session: Session, actor: Actor | None, job_id: int) -> ExportJob:
    """A job the actor may see: they may edit its project.

    Raises:
        NotFound: ``export.not_found`` when absent or not the actor's to see.
    """
    job = store.get_job(session, job_id)
    if job is None:
        raise _not_found(job_id)
    try:
        get_project_or_raise(session=session, actor=actor, project_id=job.project_id, policy="edit")
    except (NotFound, Forbidden):
        raise _not_found(job_id) from None
    return job


def list_export_jobs(
    *, session: Session, actor: Actor | None, project_id: int, limit: int = 50
) -> list[ExportJob]:
    """The project's export jobs, newest first.

    Raises:
        NotFound: ``project.not_found``. Forbidden: unless the actor may edit the project.
    """
    get_project_or_raise(session=session, actor=actor, project_id=project_id, policy="edit")
    return store.list_jobs(session, project_id, limit=limit)


@dataclass(frozen=True)
class ExportPanel:
    """What a project page shows a lead about exports: the formats the project's kind
    exports as, the file formats, and its latest jobs (newest first)."""

    formats: list[str]
    file_formats: list[str]
    jobs: list[ExportJob]


def get_export_panel(
    *, session: Session, actor: Actor, project_id: int, limit: int = 20
) -> ExportPanel | None:
    """The project's export panel, None unless the actor may edit the project.

    Raises:
        NotFound: ``project.not_found``.
    """
    project = get_project_or_raise(session=session, actor=actor, project_id=project_id)
    if not is_allowed(actor, ProjectPolicy.edit(ref(project))):
        return None
    return ExportPanel(
        formats=formats_for_kind(project.kind),
        file_formats=[f.value for f in ExportFileFormat],
        jobs=store.list_jobs(session, project.id, limit=limit),
    )


def get_export_download(*, session: Session, actor: Actor | None, job_id: int) -> ExportFile:
    """The finished export's file (a ``.zip`` of the directory for the ``dataset`` format).

    Raises:
        NotFound: ``export.not_found``; ``export.file_missing`` when the file was removed.
        Conflict: ``export.not_ready`` (queued or running), ``export.failed``.
    """
    job = _finished(get_export_job(session=session, actor=actor, job_id=job_id))
    return _existing(Path(job.path), MEDIA_TYPES[job.file_format])


def get_export_card(*, session: Session, actor: Actor | None, job_id: int) -> ExportFile:
    """The finished export's dataset card (Markdown).

    Raises:
        NotFound: ``export.not_found``, ``export.file_missing``.
        Conflict: ``export.not_ready``, ``export.failed``.
    """
    job = _finished(get_export_job(session=session, actor=actor, job_id=job_id))
    card = card_path(Path(job.path), job.file_format)
    return _existing(card, "text/markdown", filename=f"{Path(job.path).stem}.README.md")


def card_path(download: Path, file_format: str) -> Path:
    """Where ``write_export`` put the card of the export downloaded as ``download``."""
    if file_format == ExportFileFormat.DATASET.value:
        return download.with_suffix("") / "README.md"
    return download.with_name(f"{download.stem}.README.md")


def _finished(job: ExportJob) -> ExportJob:
    if job.status == ExportJobStatus.FAILED.value:
        raise Conflict("export.failed", f"export {job.id} failed: {job.error}")
    if job.status != ExportJobStatus.DONE.value:
        raise Conflict("export.not_ready", f"export {job.id} is {job.status}; try again soon")
    return job


def _existing(path: Path, media_type: str, *, filename: str | None = None) -> ExportFile:
    if not path.is_file():
        raise NotFound("export.file_missing", f"the export's file {path.name} is gone")
    return ExportFile(path, filename or path.name, media_type)


def _not_found(job_id: int) -> NotFound:
    return NotFound("export.not_found", f"export {job_id} does not exist")


def jsonl_lines(rows: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    """Each row as one line of JSON (UTF-8, as ``write_export`` writes JSONL)."""
    for row in rows:
        yield jsonl_line(row)


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
