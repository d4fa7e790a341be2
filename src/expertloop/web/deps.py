"""Typed dependencies of the web pages: database sessions, the clock, the logged-in user.

Pages authenticate with the browser session cookie only (never a bearer token), so a form
post that changes state also carries the session's CSRF token.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from expertloop.core.errors import Forbidden, Unauthenticated
from expertloop.services.users import Authenticated, authenticate

SESSION_COOKIE = "expertloop_session"
"""The cookie the JSON API also reads (``api.deps.SESSION_COOKIE``; a test keeps them equal)."""


def _session(request: Request, write: bool) -> Iterator[Any]:
    with request.app.state.database.scoped(write=write) as session:
        yield session


def write_session(request: Request) -> Iterator[Any]:
    yield from _session(request, True)


def read_session(request: Request) -> Iterator[Any]:
    yield from _session(request, False)


def get_now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


# Typed as Any: the web layer hands sessions to services and never touches the store itself.
WriteSessionDep = Annotated[Any, Depends(write_session)]
ReadSessionDep = Annotated[Any, Depends(read_session)]
NowDep = Annotated[datetime, Depends(get_now)]


def find_login(request: Request, now: datetime) -> Authenticated | None:
    """The browser session behind the cookie, or None when there is none or it is not valid."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with request.app.state.database.scoped(write=False) as session:
        try:
            login = authenticate(session=session, token=token, now=now)
        except Unauthenticated:
            return None
    return login if login.kind == "session" else None


def page_login(request: Request, now: NowDep) -> Authenticated:
    """The logged-in user of a page; pages turn the error into a redirect to /login."""
    login = find_login(request, now)
    if login is None:
        raise Unauthenticated("auth.login_required", "log in to see this page")
    return login


def optional_login(request: Request, now: NowDep) -> Authenticated | None:
    return find_login(request, now)


PageLogin = Annotated[Authenticated, Depends(page_login)]
OptionalLogin = Annotated[Authenticated | None, Depends(optional_login)]


def check_csrf(login: Authenticated, submitted: str) -> None:
    """Refuse a form post whose CSRF field does not match the session's token."""
    if login.csrf is None or not secrets.compare_digest(submitted, login.csrf):
        raise Forbidden("auth.csrf", "the form is stale or forged; reload the page and retry")
