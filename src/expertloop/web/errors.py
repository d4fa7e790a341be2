"""Errors on web pages: the same domain errors as the API, rendered as HTML pages.

The status comes from the one table in ``api.errors`` (the app passes it in); a missing or
expired login on a page becomes a redirect to the login form instead of a 401 page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from expertloop.core.errors import FieldError, Invalid
from expertloop.web.deps import SESSION_COOKIE
from expertloop.web.render import render

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    409: "Conflict",
    422: "Not valid",
}

MESSAGES = {"route.not_found": "There is no page at this address."}
INDEX = re.compile(r"\[\d+\]$")


def by_list_field(problem: FieldError) -> tuple[str, str]:
    """``domains[1]`` and ``domains[3]`` both go to the form field ``domains``."""
    return INDEX.sub("", problem.field), problem.message


def field_errors(
    error: Invalid, place: Callable[[FieldError], tuple[str, str]] = by_list_field
) -> dict[str, str]:
    """The messages of an ``Invalid`` per form field (``place`` says which field and what to
    say), joined when several land on one field."""
    found: dict[str, list[str]] = {}
    for problem in error.errors:
        field, message = place(problem)
        found.setdefault(field, []).append(message)
    return {name: "; ".join(messages) for name, messages in found.items()}


def safe_next(target: str | None) -> str:
    """A local path to go back to after logging in; anything else becomes ``/``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = RedirectResponse(f"/login?next={quote(safe_next(target), safe='/')}", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def error_page(request: Request, *, status: int, code: str, message: str) -> Response:
    """The page for an error with this HTTP status and stable code."""
    if status == 401:
        return login_redirect(request)
    title = TITLES.get(status, "Something went wrong")
    message = MESSAGES.get(code, message)
    return render(
        request,
        "error.html",
        status_code=status,
        title=title,
        code=code,
        message=message,
        status=status,
    )
