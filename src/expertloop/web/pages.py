"""The pages: an expert's or a lead's home, the workbench, a project's overview."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from expertloop.core.lifecycles import Role
from expertloop.services import dashboard, export_jobs, home, quality
from expertloop.services.users import Authenticated
from expertloop.web.deps import NowDep, PageLogin, ReadSessionDep, WriteSessionDep
from expertloop.web.render import render

router = APIRouter(include_in_schema=False)
FINISHED_KINDS = (
    "label",
    "pairwise",
    "ranking",
    "rubric",
    "verify",
    "cluster_review",
    "step_review",
    "correction",
    "demonstration",
    "red_team",
)
WORKBENCHES = {kind: f"work_{kind}.html" for kind in FINISHED_KINDS}
KINDS_WITH_PAGES = frozenset(WORKBENCHES)


@router.get("/")
def home_page(request: Request, session: ReadSessionDep, login: PageLogin, now: NowDep) -> Response:
    if login.actor.role in (Role.EXPERT, Role.REVIEWER):
        board = dashboard.get_dashboard(session=session, actor=login.actor, now=now)
        mine = quality.get_expert_quality(
            session=session, actor=login.actor, expert_id=login.actor.id
        )
        return render(request, "dashboard.html", login=login, board=board, my_quality=mine)
    cards = home.list_home(session=session, actor=login.actor, now=now)
    return render(request, "home.html", login=login, cards=cards)


@router.get("/projects/{project_id}/work")
def work_page(
    project_id: int, request: Request, session: WriteSessionDep, login: PageLogin, now: NowDep
) -> Response:
    bench = home.open_workbench(
        session=session, actor=login.actor, project_id=project_id, now=now, kinds=KINDS_WITH_PAGES
    )
    if bench.claim is None:
        return render(request, "done.html", login=login, project=bench.project)
    settings = request.app.state.settings
    return render(
        request,
        WORKBENCHES[bench.project.kind],
        login=login,
        project=bench.project,
        assignment=bench.claim.assignment,
        item=bench.claim.item,
        heartbeat_seconds=settings.heartbeat_seconds,
    )


@router.get("/projects/{project_id}")
def project_page(
    project_id: int, request: Request, session: ReadSessionDep, login: PageLogin, now: NowDep
) -> Response:
    return project_view(request, session, login, now, project_id)


def project_view(
    request: Request,
    session: Any,
    login: Authenticated,
    now: datetime,
    project_id: int,
    *,
    export_failed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """The project's overview page (with the exports panel for its lead and admins)."""
    overview = home.get_overview(session=session, actor=login.actor, project_id=project_id, now=now)
    panel = export_jobs.get_export_panel(session=session, actor=login.actor, project_id=project_id)
    return render(
        request,
        "project.html",
        status_code=status_code,
        login=login,
        overview=overview,
        exports=panel,
        export_failed=export_failed or {"errors": {}, "values": {}},
    )
