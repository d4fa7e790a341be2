"""Domain errors with stable codes.

Raised below the API; ``api.errors`` maps each class to one HTTP status and the web layer
renders the same errors as pages. The ``code`` strings are part of the external contract.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one field; ``row`` is the index in a batch, or None."""

    field: str
    message: str
    row: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "message": self.message}


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    def __init__(self, code: str, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.errors: list[FieldError] = list(errors or [])


class NotFound(DomainError):
    """The thing asked for does not exist (or the actor may not know it exists)."""


class Unauthenticated(DomainError):
    """No valid credentials came with the request."""


class Forbidden(DomainError):
    """The actor is known but a policy refuses the action."""


class Conflict(DomainError):
    """The request contradicts the current state (expired lease, someone else's lease...)."""


class Unavailable(DomainError):
    """Something the platform depends on (the database) cannot be reached."""


class Invalid(DomainError):
    """The input breaks a rule; ``errors`` names each row and field."""


def invalid(code: str, errors: list[FieldError]) -> Invalid:
    """Build an ``Invalid`` whose message summarises the first field error."""
    first = errors[0]
    where = f"row {first.row}, " if first.row is not None else ""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return Invalid(code, f"{where}{first.field}: {first.message}{more}", errors)
