"""Reliability data shared by the agreement coefficients.

In Krippendorff's words a *unit* is what is judged (an item, or an item x rubric criterion), a
*coder* is who judges (an expert) and a *value* is the answer given. ``Ratings`` holds one row per
(unit, coder, value) as integer codes in numpy arrays, with the names those codes stand for.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Row = tuple[Hashable, Hashable, Hashable]


def is_missing(value: object) -> bool:
    """True for ``None`` and float NaN, the two spellings of "no value" we accept."""
    return value is None or (isinstance(value, float | np.floating) and bool(np.isnan(value)))


def to_number(value: object) -> float:
    """``value`` as a float (numbers, and strings such as CSV cells); ValueError otherwise."""
    if isinstance(value, int | float | str | np.number):
        try:
            return float(value)
        except ValueError:
            pass
    raise ValueError(f"value {value!r} is not a number")


def ordered_values(names: Sequence[Hashable], order: Sequence[Hashable] | None) -> list[Hashable]:
    """The values in their order: ``order`` if given (it must list every one of ``names`` and may
    list values nobody used), else ``names`` sorted numerically when all are numbers (or numeric
    strings), else sorted as they are.

    Raises:
        ValueError: ``order`` misses a value, or the values cannot be compared.
    """
    if order is not None:
        listed = list(dict.fromkeys(order))
        known = set(listed)
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ValueError(f"values missing from the given order: {unknown[:5]!r}")
        return listed
    try:
        numbers = [to_number(name) for name in names]
    except ValueError:
        try:
            return sorted(names, key=_as_is)
        except TypeError as error:
            raise ValueError("values of mixed types cannot be ordered; give the order") from error
    return [names[i] for i in np.argsort(numbers, kind="stable")]


def _as_is(value: Hashable) -> Any:
    return value


def encode(values: Iterable[Hashable], seed: Iterable[Hashable] = ()) -> tuple[list[Any], IntArray]:
    """Names (``seed`` first, then first-seen order) and each value's code."""
    index: dict[Hashable, int] = {name: i for i, name in enumerate(seed)}
    codes = np.fromiter((index.setdefault(value, len(index)) for value in values), dtype=np.int64)
    return list(index), codes


@dataclass(frozen=True)
class Ratings:
    """Reliability data as codes: row ``r`` says coder ``coders[r]`` gave unit ``units[r]`` the
    value ``values[r]``; ``*_names[code]`` is what a code stands for.

    A coder rates a unit at most once (``from_rows`` keeps the last of repeated ratings).
    """

    units: IntArray
    coders: IntArray
    values: IntArray
    unit_names: list[Hashable]
    coder_names: list[Hashable]
    value_names: list[Hashable]

    @classmethod
    def from_rows(cls, rows: Iterable[Row]) -> Ratings:
        """Build from ``(unit, coder, value)`` rows; rows whose value is None or NaN are skipped.

        Example:
            >>> ratings = Ratings.from_rows([("u1", "ann", "yes"), ("u1", "bob", None)])
            >>> ratings.unit_names, ratings.coder_names, ratings.value_names
            (['u1'], ['ann'], ['yes'])
        """
        return cls._build(rows)

    @classmethod
    def from_matrix(cls, matrix: Sequence[Sequence[Any]] | npt.NDArray[Any]) -> Ratings:
        """Build from a coders x units matrix (Krippendorff's canonical form); None and NaN
        mark a missing value. Coder and unit names are the row and column positions.

        Raises:
            ValueError: the rows have different lengths.

        Example:
            >>> ratings = Ratings.from_matrix([[1, 2, None], [1, 3, 3]])
            >>> ratings.counts().tolist()
            [[2, 0, 0], [0, 1, 1], [0, 0, 1]]
        """
        grid = matrix.tolist() if isinstance(matrix, np.ndarray) else [list(r) for r in matrix]
        widths = {len(line) for line in grid}
        if len(widths) > 1:
            raise ValueError(f"matrix rows have different lengths: {sorted(widths)}")
        n_units = widths.pop() if widths else 0
        rows = (
            (unit, coder, line[unit]) for unit in range(n_units) for coder, line in enumerate(grid)
        )
        return cls._build(rows, unit_seed=range(n_units), coder_seed=range(len(grid)))

    @classmethod
    def _build(
        cls, rows: Iterable[Row], unit_seed: Iterable[int] = (), coder_seed: Iterable[int] = ()
    ) -> Ratings:
        latest: dict[tuple[Hashable, Hashable], Hashable] = {}
        for unit, coder, value in rows:
            if not is_missing(value):
                latest[(unit, coder)] = value
        unit_names, units = encode((unit for unit, _ in latest), unit_seed)
        coder_names, coders = encode((coder for _, coder in latest), coder_seed)
        value_names, values = encode(latest.values())
        return cls(units, coders, values, unit_names, coder_names, value_names)

    @classmethod
    def coerce(cls, data: Ratings | Iterable[Row]) -> Ratings:
        """``data`` itself if it is ``Ratings``, else ``Ratings.from_rows(data)``."""
        return data if isinstance(data, Ratings) else cls.from_rows(data)

    def counts(self) -> IntArray:
        """``counts[u, v]``: how many coders gave unit ``u`` the value ``v`` (units x values)."""
        table = np.zeros((len(self.unit_names), len(self.value_names)), dtype=np.int64)
        np.add.at(table, (self.units, self.values), 1)
        return table
