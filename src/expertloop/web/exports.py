"""The project page's exports form: a lead queues a background export; the page lists the
project's jobs with a download link (the API's, which takes the browser session) once done,
and the jobs' table alone for the page's script to follow a running job."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from expertloop.core.errors import FieldError, Invalid, NotFound, invalid
from expertloop.services import export_jobs
from expertloop.services.exports import ExportRequest
from expertloop.web.deps import NowDep, PageLogin, ReadSessionDep, WriteSessionDep, check_csrf
from expertloop.web.errors import field_errors
from expertloop.web.pages import project_view
from expertloop.web.render import render

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]


@router.post("/projects/{project_id}/exports")
def queue_export(
    project_id: int,
    request: Request,
    session: WriteSessionDep,
    login: PageLogin,
    now: NowDep,
    format: FormText = "",
    file_format: FormText = "jsonl",
    accepted_only: FormText = "",
    min_confidence: FormText = "",
    license: FormText = "",
    csrf: FormText = "",
) -> Response:
    check_csrf(login, csrf)
    values = {
        "format": format,
        "file_format": file_format,
        "accepted_only": accepted_only,
        "min_confidence": min_confidence,
        "license": license,
    }
    try:
        export_jobs.request_export(
            session=session,
            actor=login.actor,
            project_id=project_id,
            request=ExportRequest.from_dict(_request_fields(values)),
            file_format=export_jobs.parse_file_format(file_format),
            now=now,
        )
    except Invalid as error:
        session.rollback()
        failed = {"errors": field_errors(error, _place), "values": values}
        return project_view(
            request, session, login, now, project_id, export_failed=failed, status_code=422
        )
    return RedirectResponse(f"/projects/{project_id}?exported=1#exports", 303)


@router.get("/projects/{project_id}/exports/jobs")
def export_jobs_fragment(
    project_id: int, request: Request, session: ReadSessionDep, login: PageLogin
) -> Response:
    """The project's jobs table (HTML), which the project page's script fetches while a job
    is queued or running.

    Raises:
        NotFound: ``project.not_found``, or ``export.not_found`` unless the login may edit
            the project.
    """
    panel = export_jobs.get_export_panel(session=session, actor=login.actor, project_id=project_id)
    if panel is None:
        raise NotFound("export.not_found", f"project {project_id} has no exports you may see")
    return render(request, "_export_jobs.html", jobs=panel.jobs, project_id=project_id)


def _request_fields(values: dict[str, str]) -> dict[str, Any]:
    filters: dict[str, Any] = {"accepted_only": bool(values["accepted_only"])}
    if values["min_confidence"].strip():
        try:
            filters["min_confidence"] = float(values["min_confidence"])
        except ValueError:
            problem = FieldError("filters.min_confidence", "must be a number from 0 to 1")
            raise invalid("export.invalid", [problem]) from None
    return {"format": values["format"], "filters": filters, "license": values["license"]}


def _place(problem: FieldError) -> tuple[str, str]:
    """Form fields are named as the request's fields without their ``filters.`` prefix."""
    return problem.field.removeprefix("filters."), problem.message
