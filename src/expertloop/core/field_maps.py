"""Field maps: which source column fills which item field (``import --map FIELD=SOURCE``).

A field map is a list of ``FIELD=SOURCE`` pairs. ``FIELD`` is one of ``external_id``,
``prompt``, ``context``, ``priority``, ``responses``, ``data``, ``metadata`` (the whole field),
``responses.<ID>`` (the text of response ``<ID>``; responses keep the order of the pairs),
``responses.<ID>.model`` (its model), ``metadata.<key>`` or ``data.<key>`` (dotted keys nest:
``data.prediction.label``). ``SOURCE`` names a column, or a dotted path into nested objects
(``data.question``, ``choices.0``); a column whose name has dots is found by its whole name first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from expertloop.core.errors import FieldError, invalid

ITEM_FIELDS = ("external_id", "prompt", "context", "priority", "responses", "data", "metadata")
NESTED = ("data", "metadata")
MISSING = object()


@dataclass(frozen=True)
class FieldMap:
    """Parsed ``FIELD=SOURCE`` pairs, in the order given."""

    pairs: tuple[tuple[str, str], ...] = ()

    def targets(self) -> set[str]:
        return {target for target, _ in self.pairs}

    def fills(self, field: str) -> bool:
        """Whether some pair fills ``field`` or a part of it (``data`` for ``data.x``)."""
        return any(t == field or t.startswith(f"{field}.") for t in self.targets())

    def uses(self, column: str) -> bool:
        """Whether some pair reads ``column`` or a path inside it."""
        return any(s == column or s.startswith(f"{column}.") for _, s in self.pairs)

    def plus(self, pairs: Iterable[tuple[str, str]]) -> FieldMap:
        return FieldMap((*self.pairs, *pairs))


def parse_field_map(specs: Sequence[str]) -> FieldMap:
    """Parse ``FIELD=SOURCE`` texts.

    Args:
        specs: the ``--map`` values, in order.

    Returns:
        The field map.

    Raises:
        Invalid: ``items.invalid`` on field ``map`` naming each bad pair: no ``=``, an empty
            side, an unknown field, a field given twice or inside another one, a model for a
            response with no text.
    """
    pairs: list[tuple[str, str]] = []
    errors: list[FieldError] = []
    for spec in specs:
        target, sep, source = (part.strip() for part in spec.partition("="))
        problem = _target_problem(target) if sep and source else "expected FIELD=SOURCE"
        if problem is None:
            problem = _clash(target, [t for t, _ in pairs])
        if problem is None:
            pairs.append((target, source))
        else:
            errors.append(FieldError("map", f"{spec!r}: {problem}"))
    texts = {t for t, _ in pairs}
    for target, _ in pairs:
        if _is_model(target) and target.removesuffix(".model") not in texts:
            errors.append(FieldError("map", f"{target!r} needs {target.removesuffix('.model')!r}"))
    if errors:
        raise invalid("items.invalid", errors)
    return FieldMap(tuple(pairs))


def _target_problem(target: str) -> str | None:
    root, _, rest = target.partition(".")
    expected = f"expected one of {', '.join(ITEM_FIELDS)}, responses.<ID>[.model], data.<key>"
    if root not in ITEM_FIELDS:
        return f"unknown field {root!r}; {expected} or metadata.<key>"
    parts = rest.split(".") if rest else []
    if any(not part for part in parts):
        return f"{target!r} has an empty key"
    if parts and root == "responses" and (len(parts) > 2 or parts[1:] not in ([], ["model"])):
        return "a response is responses.<ID> (its text) or responses.<ID>.model"
    if parts and root not in ("responses", *NESTED):
        return f"{root} has no parts"
    return None


def _clash(target: str, earlier: list[str]) -> str | None:
    for other in earlier:
        if other == target:
            return f"{target} is mapped twice"
        nested = target.startswith(f"{other}.") or other.startswith(f"{target}.")
        if nested and not (_is_model(other) or _is_model(target)):
            return f"{target} overlaps {other}"
    return None


def _is_model(target: str) -> bool:
    return target.startswith("responses.") and target.count(".") == 2


def lookup(row: object, path: str) -> Any:
    """The value at ``path`` in ``row`` (a whole key first, then a dotted path); ``MISSING``."""
    if isinstance(row, Mapping) and path in row:
        return row[path]
    value: Any = row
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value


def fill_item(
    field_map: FieldMap, row: Mapping[str, Any]
) -> tuple[dict[str, Any], list[FieldError]]:
    """The item fields ``field_map`` fills from ``row``, and a problem per missing source.

    A source whose value is null fills nothing (a null cell is an absent cell).
    """
    item: dict[str, Any] = {}
    responses: dict[str, dict[str, Any]] = {}
    errors: list[FieldError] = []
    for target, source in field_map.pairs:
        value = lookup(row, source)
        if value is MISSING:
            errors.append(FieldError(source, f"is missing (mapped to {target})"))
        elif value is not None:
            _place(item, responses, target, value)
    if responses:
        item["responses"] = list(responses.values())
    return item, errors


def _place(
    item: dict[str, Any], responses: dict[str, dict[str, Any]], target: str, value: Any
) -> None:
    root, _, rest = target.partition(".")
    if root == "responses" and rest:
        response_id, _, model = rest.partition(".")
        response = responses.setdefault(response_id, {"id": response_id})
        response["model" if model else "text"] = value
    elif rest:
        node = item.setdefault(root, {})
        *parents, last = rest.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    elif root == "priority" and isinstance(value, str):
        item[root] = int(value.strip()) if value.strip().lstrip("-").isdigit() else value
    else:
        item[root] = value


def map_row(field_map: FieldMap, row: Mapping[str, Any]) -> dict[str, Any]:
    """Map one row to an item row: the mapped fields, plus columns named like item fields.

    Args:
        field_map: the parsed ``--map`` pairs.
        row: one row of the file (a mapping of column to value).

    Returns:
        The item row; its contents are checked later by ``read_items``.

    Raises:
        Invalid: ``items.invalid`` naming each missing source and each column that is neither
            mapped nor an item field not already filled by the map.
    """
    item, errors = fill_item(field_map, row)
    for column, value in row.items():
        if field_map.uses(column):
            continue
        if column in ITEM_FIELDS and not field_map.fills(column):
            if value is not None:
                _place(item, {}, column, value)
            continue
        errors.append(FieldError(column, f"is not mapped; add --map FIELD={column}"))
    if errors:
        raise invalid("items.invalid", errors)
    return item
