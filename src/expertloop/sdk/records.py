"""Rows to push: a list of dicts, or anything with ``to_dict("records")`` (a pandas DataFrame),
made plain JSON without importing pandas or NumPy."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Records(Protocol):
    """A table that gives its rows as dicts, as ``pandas.DataFrame.to_dict("records")`` does."""

    def to_dict(self, orient: str) -> Any: ...


MISSING_TYPES = frozenset({"NAType", "NaTType"})

Rows = Iterable[Mapping[str, Any]] | Records


def plain_rows(rows: Rows) -> list[dict[str, Any]]:
    """The rows as plain dicts, copied; a DataFrame's empty cells (NaN, None) are left out.

    NumPy scalars (``numpy.int64``, ``numpy.float64``, ``numpy.bool_``) become Python ones, so
    the JSON encoder takes them.

    >>> class Frame:
    ...     def to_dict(self, orient):
    ...         return [{"prompt": "p", "context": float("nan"), "priority": 2}]
    >>> plain_rows(Frame())
    [{'prompt': 'p', 'priority': 2}]
    >>> plain_rows([{"prompt": "p", "context": None}])  # a list is sent as it is
    [{'prompt': 'p', 'context': None}]
    """
    if isinstance(rows, Records):
        table = True
        source: Iterable[Mapping[str, Any]] = rows.to_dict("records")
    else:
        table, source = False, rows
    return [
        {str(k): plain(v) for k, v in row.items() if not (table and is_empty(v))} for row in source
    ]


def plain(value: Any) -> Any:
    """A JSON-ready copy of one cell: NumPy values become Python ones, decimals and dates text."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return str(value)  # money travels as a string, never through a float
    if hasattr(value, "tolist"):  # numpy scalar or array, without importing NumPy
        return plain(value.tolist())
    if hasattr(value, "isoformat"):  # datetime, date, pandas.Timestamp
        return value.isoformat()
    return value


def is_empty(value: Any) -> bool:
    """A missing DataFrame cell: None, NaN, ``pandas.NA`` or ``pandas.NaT``."""
    if value is None or type(value).__name__ in MISSING_TYPES:
        return True
    return isinstance(value, float) and math.isnan(value)


def batches(
    rows: Sequence[dict[str, Any]], size: int
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """``(offset, batch)`` pairs of at most ``size`` rows, in order."""
    if size < 1:
        raise ValueError("batch_size must be at least 1")
    for start in range(0, len(rows), size):
        yield start, list(rows[start : start + size])
