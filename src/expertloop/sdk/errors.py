"""Errors the SDK raises: one class per HTTP status family, built from the API's error body.

Every error answer of ``/api/v1`` is ``{"code", "message"}``, plus ``errors: [{"row", "field",
"message"}]`` when input is invalid; :func:`error_from_response` turns it into an exception.
"""

from __future__ import annotations

from typing import Any

import httpx

from expertloop.api.schemas import ErrorDetail


class ExpertloopError(Exception):
    """An error answer of the API.

    Attributes:
        status: the HTTP status (422, 404, ...).
        code: the stable machine-readable code, e.g. ``lease.expired``.
        message: the human-readable message.
        errors: the row and field of each problem when input was invalid, else empty.
        created: for :meth:`Client.push_items` only: items stored by earlier batches.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        errors: list[ErrorDetail] | None = None,
        *,
        created: int | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.errors = list(errors or [])
        self.created = created


class Invalid(ExpertloopError):
    """422: the input was refused; ``errors`` names each row and field."""


class NotFound(ExpertloopError):
    """404: no such thing, or the caller may not see it."""


class Conflict(ExpertloopError):
    """409: the thing is not in a state that allows the call (``lease.expired``, ...)."""


class Forbidden(ExpertloopError):
    """403: signed in, but not allowed (``eligibility.not_qualified``, ...)."""


class Unauthenticated(ExpertloopError):
    """401: no token, or a token the server does not know."""


BY_STATUS: dict[int, type[ExpertloopError]] = {
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: Invalid,
}


def error_from_response(response: httpx.Response) -> ExpertloopError:
    """The exception for an error answer; a body that is not the API's JSON keeps its text."""
    cls = BY_STATUS.get(response.status_code, ExpertloopError)
    body = _json_or_none(response)
    if not isinstance(body, dict) or "code" not in body:
        text = response.text.strip()[:500] or response.reason_phrase
        return cls(response.status_code, f"http.{response.status_code}", text)
    errors = [ErrorDetail.model_validate(e) for e in body.get("errors") or []]
    return cls(response.status_code, str(body["code"]), str(body.get("message", "")), errors)


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def shifted(error: ExpertloopError, offset: int, created: int) -> ExpertloopError:
    """The error of a batch with its rows counted from the start of the whole push."""
    errors = [
        e.model_copy(update={"row": e.row + offset}) if e.row is not None else e
        for e in error.errors
    ]
    message = error.message
    if errors and errors[0].row is not None:
        message = f"row {errors[0].row}, {errors[0].field}: {errors[0].message}"
    if created:
        message += f" ({created} items of earlier batches were stored)"
    return type(error)(error.status, error.code, message, errors, created=created)
