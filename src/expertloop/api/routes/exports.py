"""Exports: queue a background export, follow it, download its file and dataset card; and a
direct JSONL stream for small exports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import FileResponse, StreamingResponse

from expertloop.api.deps import CurrentActor, NowDep, ReadSessionDep, SessionDep, database_of
from expertloop.api.schemas.exports import ExportCreate, ExportJobPublic, ExportJobsPublic
from expertloop.core.policies import Actor
from expertloop.services import export_jobs
from expertloop.services.exports import ExportRequest, ExportStream, open_export
from expertloop.store import Database, Session

router = APIRouter(tags=["exports"])
CHUNK_BYTES = 64 * 1024
JSONL = "application/x-ndjson"


def _public(request: Request, job: Any) -> ExportJobPublic:
    return ExportJobPublic.of(
        job,
        download_url=str(request.url_for("download_export", job_id=job.id)),
        card_url=str(request.url_for("get_export_card", job_id=job.id)),
    )


@router.post(
    "/projects/{project_id}/exports",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ExportJobPublic,
)
def create_export(
    project_id: int,
    body: ExportCreate,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    now: NowDep,
) -> ExportJobPublic:
    """Queue an export for a background worker (the project's lead or an admin)."""
    job = export_jobs.request_export(
        session=session,
        actor=actor,
        project_id=project_id,
        request=ExportRequest.from_dict(body.model_dump(exclude_none=True)),
        file_format=export_jobs.parse_file_format(body.file_format),
        now=now,
    )
    return _public(request, job)


@router.get("/projects/{project_id}/exports", response_model=ExportJobsPublic)
def list_exports(
    project_id: int,
    request: Request,
    session: ReadSessionDep,
    actor: CurrentActor,
    limit: int = Query(default=50, ge=1, le=1000),
) -> ExportJobsPublic:
    """The project's export jobs, newest first."""
    jobs = export_jobs.list_export_jobs(
        session=session, actor=actor, project_id=project_id, limit=limit
    )
    data = [_public(request, job) for job in jobs]
    return ExportJobsPublic(data=data, count=len(data))


@router.get("/exports/{job_id}", response_model=ExportJobPublic)
def get_export(
    job_id: int, request: Request, session: ReadSessionDep, actor: CurrentActor
) -> ExportJobPublic:
    job = export_jobs.get_export_job(session=session, actor=actor, job_id=job_id)
    return _public(request, job)


@router.get(
    "/exports/{job_id}/download",
    response_class=FileResponse,
    responses={200: {"description": "The export's file (JSONL, Parquet, or a zipped dataset)"}},
)
def download_export(job_id: int, session: ReadSessionDep, actor: CurrentActor) -> FileResponse:
    """The finished export's file; 409 ``export.not_ready`` until then."""
    found = export_jobs.get_export_download(session=session, actor=actor, job_id=job_id)
    return FileResponse(found.path, media_type=found.media_type, filename=found.filename)


@router.get(
    "/exports/{job_id}/card",
    response_class=FileResponse,
    responses={200: {"content": {"text/markdown": {}}, "description": "The dataset card"}},
)
def get_export_card(job_id: int, session: ReadSessionDep, actor: CurrentActor) -> FileResponse:
    found = export_jobs.get_export_card(session=session, actor=actor, job_id=job_id)
    return FileResponse(
        found.path,
        media_type="text/markdown; charset=utf-8",
        filename=found.filename,
        content_disposition_type="inline",
    )


@router.get(
    "/projects/{project_id}/export",
    response_class=StreamingResponse,
    responses={200: {"content": {JSONL: {}}, "description": "One JSON row per line"}},
)
def stream_export(
    project_id: int,
    request: Request,
    actor: CurrentActor,
    format: Annotated[str, Query(description="An export format, e.g. sft or raw")] = "raw",
    accepted_only: bool = False,
    min_confidence: Annotated[float | None, Query(ge=0, le=1)] = None,
) -> StreamingResponse:
    """Stream a small export as JSONL now (larger ones: queue a job)."""
    filters = {"accepted_only": accepted_only, "min_confidence": min_confidence}
    wanted = ExportRequest.from_dict({"format": format, "filters": filters})
    lines, name = _open_lines(database_of(request), actor, project_id, wanted)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return StreamingResponse(lines, media_type=JSONL, headers=headers)


def _open_lines(
    database: Database, actor: Actor, project_id: int, wanted: ExportRequest
) -> tuple[Iterator[bytes], str]:
    """The export's JSONL in chunks and a file name; the session the rows are read through
    stays open until the last chunk is sent (or the stream is dropped)."""
    session = database.session(write=False)
    try:
        stream = open_export(session=session, actor=actor, project_id=project_id, request=wanted)
    except BaseException:
        session.close()
        raise
    return _chunks(session, stream), f"project-{project_id}-{stream.format.name}.jsonl"


def _chunks(session: Session, stream: ExportStream) -> Iterator[bytes]:
    try:
        buffer: list[bytes] = []
        size = 0
        for line in export_jobs.jsonl_lines(stream.rows):
            buffer.append(line)
            size += len(line)
            if size >= CHUNK_BYTES:
                yield b"".join(buffer)
                buffer, size = [], 0
        yield b"".join(buffer)
    finally:
        session.close()
