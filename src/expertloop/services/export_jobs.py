"""Use cases of background exports on the lead's side: a project's lead (or an admin) queues
one, follows it, and downloads the file and its dataset card once a worker wrote it
(``services.export_worker``).

``request_export`` checks the request as ``open_export`` would (format against the project's
kind) before anything is queued; the ``dataset`` file format needs the ``datasets`` package.
A job's download is ``<directory>/<job id>/<project>-<format>.<ext>`` (a ``datasets``
directory zipped beside it), its card beside the download (``card_path``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from expertloop.core.errors import Conflict, FieldError, Forbidden, NotFound, invalid
from expertloop.core.exports.formats import formats_for_kind
from expertloop.core.lifecycles import ExportJobStatus
from expertloop.core.policies import Actor, ProjectPolicy, is_allowed
from expertloop.services.export_files import ExportFileFormat, jsonl_line, require_datasets
from expertloop.services.exports import ExportRequest, exportable
from expertloop.services.projects import get_project_or_raise, ref
from expertloop.store import Session, audit
from expertloop.store import export_jobs as store
from expertloop.store.export_tables import ExportJob

EXTENSIONS = {"jsonl": ".jsonl", "parquet": ".parquet", "dataset": ".zip"}
MEDIA_TYPES = {
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
    "dataset": "application/zip",
}


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
