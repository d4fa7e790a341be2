"""What every task kind provides: spec validation, item checks and judgment validation."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from expertloop.core.errors import FieldError, invalid

JSON = dict[str, Any]


class TaskKind(Protocol):
    """A kind of expert work. Implementations are stateless and pure."""

    name: str
    checks_value_against_item: bool
    """Whether ``check_value_against_item`` can find anything (so callers load the item)."""

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

    def check_value_against_item(
        self, spec: JSON, value: JSON, responses: list[JSON], data: JSON
    ) -> list[FieldError]:
        """Problems of a judgment value with the item it judges (empty when fine).

        ``validate_value`` knows only the spec; this check needs the item: every response
        ranked or scored, one label per step, outliers that are members, an edit that changes
        the answer. ``value`` is the normalised value ``validate_value`` returned; the fields
        named are those of the value (``value.steps``); the caller raises
        ``judgment.invalid_value`` with them.
        """
        ...

    def derive_value(self, spec: JSON, value: JSON, responses: list[JSON], data: JSON) -> JSON:
        """The value as stored: the checked value plus what follows from it and its item
        (a correction's original and diff, a step review's first wrong step, ...)."""
        ...


class BaseKind:
    """Defaults for a kind whose items and values need no check beyond their own shape."""

    checks_value_against_item = False

    def check_item(self, spec: JSON, responses: list[JSON], data: JSON) -> list[FieldError]:
        return []

    def check_value_against_item(
        self, spec: JSON, value: JSON, responses: list[JSON], data: JSON
    ) -> list[FieldError]:
        return []

    def derive_value(self, spec: JSON, value: JSON, responses: list[JSON], data: JSON) -> JSON:
        return value


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

    def flag(self, data: Mapping[str, Any], key: str, prefix: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"{prefix}.{key}", "must be true or false")
            return default
        return value

    def text(self, value: object, field: str, *, max_chars: int, min_chars: int = 0) -> str | None:
        """The string ``value`` if it has ``min_chars`` (stripped) to ``max_chars``, else None."""
        if not isinstance(value, str):
            self.fail(field, "must be a string")
            return None
        if len(value) > max_chars:
            self.fail(field, f"must be at most {max_chars} characters")
            return None
        if len(value.strip()) < min_chars:
            self.fail(
                field, f"must be at least {min_chars} characters (without spaces at the ends)"
            )
            return None
        return value

    def number(self, value: object, field: str, low: float, high: float) -> float | None:
        """A finite int or float from ``low`` to ``high``, else None."""
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not low <= value <= high
        ):
            self.fail(field, f"must be a number from {low:g} to {high:g}")
            return None
        return value

    def names(
        self,
        data: Mapping[str, Any],
        key: str,
        prefix: str,
        default: Sequence[str],
        *,
        sizes: tuple[int, int] = (1, 200),
        max_chars: int = 200,
    ) -> list[str]:
        """A list of distinct non-empty strings (a taxonomy, a label set) of ``sizes`` items."""
        names = data.get(key, list(default))
        low, high = sizes
        if not isinstance(names, list) or not low <= len(names) <= high:
            self.fail(f"{prefix}.{key}", f"must be a list of {low} to {high} names")
            return list(default)
        for index, name in enumerate(names):
            where = f"{prefix}.{key}[{index}]"
            if not isinstance(name, str) or not name.strip() or len(name) > max_chars:
                self.fail(where, f"must be a non-empty string of at most {max_chars} characters")
            elif names.index(name) != index:
                self.fail(where, f"repeats {name!r}")
        return list(names)


def require_mapping(value: object, code: str, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise invalid(code, [FieldError(field=field, message="must be an object")])
    return value
