"""Shared assertions for the task-kind tests: what an ``Invalid`` names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from expertloop.core.errors import FieldError, Invalid
from expertloop.core.kinds import get_kind

SPEC_CODE = "project.invalid_spec"
VALUE_CODE = "judgment.invalid_value"


def invalid_fields(call: Callable[[], Any], code: str) -> list[str]:
    """The fields an ``Invalid`` with ``code`` names when ``call`` runs."""
    with pytest.raises(Invalid) as raised:
        call()
    assert raised.value.code == code
    return [error.field for error in raised.value.errors]


def fields(errors: list[FieldError]) -> list[str]:
    return [error.field for error in errors]


def check_spec(kind: str, spec: Any, field: str | None) -> dict[str, Any] | None:
    """Validate ``spec``: normalised when ``field`` is None, else an error naming ``field``."""
    if field is None:
        return get_kind(kind).validate_spec(spec)
    assert field in invalid_fields(lambda: get_kind(kind).validate_spec(spec), SPEC_CODE)
    return None


def check_value(
    kind: str, spec: dict[str, Any], value: Any, rationale: str, field: str | None
) -> dict[str, Any] | None:
    """Validate ``value`` under the raw ``spec`` (normalised first), like ``check_spec``."""
    normalised = get_kind(kind).validate_spec(spec)
    if field is None:
        return get_kind(kind).validate_value(normalised, value, rationale)
    call = lambda: get_kind(kind).validate_value(normalised, value, rationale)  # noqa: E731
    assert field in invalid_fields(call, VALUE_CODE)
    return None
