"""What every task kind provides: spec validation, item checks and judgment validation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from expertloop.core.errors import FieldError, invalid

JSON = dict[str, Any]


class TaskKind(Protocol):
    """A kind of expert work. Implementations are stateless and pure."""

    name: str

    def validate_spec(self, spec: Mapping[str, Any]) -> JSON:
        """Return the normalised spec (defaults filled in) or raise ``Invalid``."""
        ...

    def check_item(self, spec: JSON, responses: list[JSON], data: JSON) -> list[FieldError]:
        """Problems of one item under this spec (empty when fine).

        ``responses`` are the candidate responses; ``data`` is the item's kind-specific content
        (for example the steps of a solution, the members of a cluster, a model's prediction).
        Field names in the errors are relative to the item (``data.steps[3]``).
        """
        ...

    def validate_value(self, spec: JSON, value: Mapping[str, Any], rationale: str) -> JSON:
        """Return the normalised judgment value or raise ``Invalid`` naming the field."""
        ...


class Checker:
    """Collects field errors while a payload is read; raises them all at once."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field=field, message=message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise invalid(self.code, self.errors)

    def unknown_keys(self, data: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
        for key in sorted(set(data) - allowed):
            self.fail(f"{prefix}.{key}", "unknown field")

    def int_in(
        self, data: Mapping[str, Any], key: str, prefix: str, low: int, high: int, default: int
    ) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(f"{prefix}.{key}", f"must be an integer from {low} to {high}")
            return default
        return value

    def rationale(self, rationale: str, minimum: int) -> None:
        if len(rationale.strip()) < minimum:
            self.fail(
                "rationale", f"must be at least {minimum} characters (without spaces at the ends)"
            )


def require_mapping(value: object, code: str, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise invalid(code, [FieldError(field=field, message="must be an object")])
    return value
