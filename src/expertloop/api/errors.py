"""The one table from domain errors to HTTP status, and the handlers that use it.

Every error body is ``{"code", "message"}``, plus ``errors: [{"row", "field", "message"}]`` for
validation problems.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from expertloop.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Unauthenticated,
    Unavailable,
)

STATUS: dict[type[DomainError], int] = {
    Invalid: 422,
    NotFound: 404,
    Unauthenticated: 401,
    Forbidden: 403,
    Conflict: 409,
    Unavailable: 503,
}

HTTP_CODES = {404: "route.not_found", 405: "route.method_not_allowed"}


def status_for(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    raise TypeError(f"no HTTP status for {type(error).__name__}")  # a bug, not a user error


def error_body(error: DomainError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.errors:
        body["errors"] = [e.as_dict() for e in error.errors]
    return body


UNION_TAGS = frozenset({"str", "int", "float", "bool", "list", "dict", "none"})


def _is_union_tag(part: Any) -> bool:
    """Pydantic names the union member in the location (``prompt.str``); people do not."""
    return isinstance(part, str) and (part in UNION_TAGS or "[" in part)


def _location(loc: tuple[Any, ...]) -> tuple[int | None, str]:
    parts = [p for p in loc if p != "body" and not _is_union_tag(p)]
    row = None
    if len(parts) >= 2 and parts[0] == "items" and isinstance(parts[1], int):
        row, parts = parts[1], parts[2:]
    field = ""
    for part in parts:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return row, field or "body"


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    return domain_response(error)


def domain_response(error: DomainError) -> JSONResponse:
    """The error's status and ``{"code", "message", "errors"?}`` body."""
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthenticated) else None
    return JSONResponse(error_body(error), status_code=status_for(error), headers=headers)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return validation_response(error.errors())


def validation_response(problems: Sequence[Mapping[str, Any]]) -> JSONResponse:
    """422 ``request.invalid`` naming the row and field of each problem pydantic found."""
    errors: list[dict[str, Any]] = []
    seen: set[tuple[int | None, str]] = set()
    for problem in problems:
        row, field = _location(tuple(problem.get("loc", ())))
        if (row, field) not in seen:
            seen.add((row, field))
            errors.append({"row": row, "field": field, "message": problem.get("msg", "is invalid")})
    first = errors[0] if errors else {"row": None, "field": "body", "message": "is invalid"}
    where = f"row {first['row']}, " if first["row"] is not None else ""
    body = {
        "code": "request.invalid",
        "message": f"{where}{first['field']}: {first['message']}",
        "errors": errors,
    }
    return JSONResponse(body, status_code=422)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code = HTTP_CODES.get(error.status_code, f"http.{error.status_code}")
    return JSONResponse(
        {"code": code, "message": str(error.detail)},
        status_code=error.status_code,
        headers=error.headers,
    )


def install_api_errors(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DomainError, _domain_error)
