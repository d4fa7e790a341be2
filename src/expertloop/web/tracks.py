"""The ``/tracks`` page: tracks with their hourly rates and the domain taxonomy, for everyone
signed in; admins edit a rate or description in place and add domains."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from expertloop.core.errors import Invalid
from expertloop.core.policies import TrackPolicy, is_allowed
from expertloop.services import tracks
from expertloop.web.deps import NowDep, PageLogin, ReadSessionDep, WriteSessionDep, check_csrf
from expertloop.web.errors import field_errors
from expertloop.web.render import render

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]
NO_FAILURE: dict[str, Any] = {"form": "", "errors": {}, "values": {}}


def tracks_page(
    request: Request,
    session: Any,
    login: Any,
    *,
    failed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "tracks.html",
        status_code=status_code,
        login=login,
        tracks=tracks.list_tracks(session=session),
        domains=tracks.list_domains(session=session),
        can_edit=is_allowed(login.actor, TrackPolicy.edit()),
        can_add_domain=is_allowed(login.actor, TrackPolicy.add_domain()),
        failed=failed or NO_FAILURE,
        saved=request.query_params.get("saved"),
    )


@router.get("/tracks")
def tracks_list(request: Request, session: ReadSessionDep, login: PageLogin) -> Response:
    return tracks_page(request, session, login)


@router.post("/tracks/{track_name}")
def edit_track(
    track_name: str,
    request: Request,
    session: WriteSessionDep,
    login: PageLogin,
    now: NowDep,
    hourly_rate: FormText = "",
    description: FormText = "",
    csrf: FormText = "",
) -> Response:
    check_csrf(login, csrf)
    try:
        tracks.update_track(
            session=session,
            actor=login.actor,
            name=track_name,
            hourly_rate=hourly_rate,
            description=description,
            now=now,
        )
    except Invalid as error:
        session.rollback()
        values = {"hourly_rate": hourly_rate, "description": description}
        failed = {"form": f"track-{track_name}", "errors": field_errors(error), "values": values}
        return tracks_page(request, session, login, failed=failed, status_code=422)
    return RedirectResponse(f"/tracks?saved={track_name}#track-{track_name}", 303)


@router.post("/domains")
def add_domain(
    request: Request,
    session: WriteSessionDep,
    login: PageLogin,
    now: NowDep,
    slug: FormText = "",
    name: FormText = "",
    parent: FormText = "",
    csrf: FormText = "",
) -> Response:
    check_csrf(login, csrf)
    try:
        tracks.add_domain(
            session=session, actor=login.actor, slug=slug, name=name, parent=parent, now=now
        )
    except Invalid as error:
        session.rollback()
        values = {"slug": slug, "name": name, "parent": parent}
        failed = {"form": "domain", "errors": field_errors(error), "values": values}
        return tracks_page(request, session, login, failed=failed, status_code=422)
    return RedirectResponse(f"/tracks?saved={slug}#domains", 303)
