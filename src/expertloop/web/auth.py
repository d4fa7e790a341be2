"""Logging in and out of the web pages with an email and a password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from expertloop.config import Environment
from expertloop.core.errors import Unauthenticated
from expertloop.services import users
from expertloop.web.deps import (
    SESSION_COOKIE,
    NowDep,
    OptionalLogin,
    PageLogin,
    WriteSessionDep,
    check_csrf,
)
from expertloop.web.errors import safe_next
from expertloop.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/login")
def login_form(request: Request, login: OptionalLogin, next: str = "/") -> Response:
    if login is not None:
        return RedirectResponse(safe_next(next), 303)
    return render(request, "login.html", next=safe_next(next), email="", error=None)


@router.post("/login")
def log_in(
    request: Request,
    session: WriteSessionDep,
    now: NowDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    settings = request.app.state.settings
    try:
        opened = users.log_in(
            session=session, email=email, password=password, now=now, days=settings.session_days
        )
    except Unauthenticated as error:
        return render(
            request,
            "login.html",
            status_code=401,
            next=safe_next(next),
            email=email,
            error=error.message,
        )
    return logged_in_redirect(request, opened, safe_next(next))


def logged_in_redirect(request: Request, opened: users.BrowserSession, target: str) -> Response:
    """Go to ``target`` with the browser session's cookie set (after a login or a sign-up)."""
    response = RedirectResponse(target, 303)
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        expires=opened.expires_at,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.environment is Environment.PRODUCTION,
    )
    return response


@router.post("/logout")
def log_out(
    request: Request,
    session: WriteSessionDep,
    login: PageLogin,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(login, csrf)
    users.log_out(session=session, token=request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
