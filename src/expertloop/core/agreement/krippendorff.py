r"""Krippendorff's alpha: chance-corrected agreement for any number of coders, missing values
and four levels of measurement.

Model (Krippendorff 2004, ch. 11; Krippendorff 2011). Let ``n_uc`` be the number of coders who
gave unit ``u`` the value ``c`` and ``m_u = sum_c n_uc``. Units with ``m_u < 2`` cannot be paired
and are dropped. Each remaining unit adds its ordered pairs of values, each weighted
``1 / (m_u - 1)``, to the coincidence matrix

.. math::

    o_{ck} = \sum_u \frac{n_{uc} (n_{uk} - [c = k])}{m_u - 1}, \qquad
    n_c = \sum_k o_{ck}, \qquad n = \sum_c n_c,

and

.. math::

    \alpha = 1 - \frac{D_o}{D_e}
           = 1 - (n - 1) \frac{\sum_{c,k} o_{ck}\, \delta^2_{ck}}
                              {\sum_{c,k} n_c n_k\, \delta^2_{ck}}

with the difference function of the level of measurement:

- nominal: :math:`\delta^2_{ck} = [c \ne k]`;
- ordinal: :math:`\delta^2_{ck} = (\sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2` over the value order,
  i.e. the squared distance between the mid-ranks ``cumsum(n)_g - n_g / 2`` of ``c`` and ``k``;
- interval: :math:`\delta^2_{ck} = (c - k)^2`;
- ratio: :math:`\delta^2_{ck} = ((c - k) / (c + k))^2` (values must be >= 0).

``alpha = 1`` is perfect agreement, ``0`` agreement at chance level, below 0 systematic
disagreement. When nothing varies (``D_e = 0``: fewer than two pairable values, or every pairable
value the same) alpha is undefined and we return NaN.

References:
    Krippendorff, K. (2004). *Content Analysis: An Introduction to Its Methodology* (2nd ed.),
    ch. 11. Sage.
    Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
    Communication, University of Pennsylvania.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from expertloop.core.agreement.ratings import (
    FloatArray,
    IntArray,
    Ratings,
    Row,
    ordered_values,
    to_number,
)

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")


@dataclass(frozen=True)
class Coincidences:
    """The coincidence matrix ``matrix[c, k]`` over ``values`` (codes order of the ratings)."""

    values: list[Hashable]
    matrix: FloatArray

    @property
    def marginals(self) -> FloatArray:
        """``n_c``: the number of pairable values equal to ``c``."""
        return np.asarray(self.matrix.sum(axis=1), dtype=np.float64)


def coincidence_matrix(data: Ratings | Iterable[Row]) -> Coincidences:
    """Krippendorff's coincidence matrix of reliability data (units with < 2 values dropped).

    Args:
        data: ``Ratings`` or ``(unit, coder, value)`` rows.

    Returns:
        The values (first-seen order) and the symmetric matrix ``o[c, k]``; it sums to the
        number of pairable values ``n``.

    Example:
        >>> c = coincidence_matrix([("u1", "a", "x"), ("u1", "b", "y"), ("u2", "a", "x")])
        >>> c.values, c.matrix.tolist()
        (['x', 'y'], [[0.0, 1.0], [1.0, 0.0]])
    """
    ratings = Ratings.coerce(data)
    return Coincidences(ratings.value_names, _coincidences(ratings.counts()))


def _coincidences(counts: IntArray) -> FloatArray:
    sizes = counts.sum(axis=1)
    pairable = counts[sizes >= 2].astype(np.float64)
    weighted = pairable / (sizes[sizes >= 2] - 1.0)[:, None]
    return np.asarray(weighted.T @ pairable - np.diag(weighted.sum(axis=0)), dtype=np.float64)


def krippendorff_alpha(
    data: Ratings | Iterable[Row],
    *,
    level: Level = "nominal",
    values_order: Sequence[Hashable] | None = None,
) -> float:
    """Krippendorff's alpha of reliability data at a level of measurement.

    Args:
        data: ``Ratings`` (see ``Ratings.from_matrix`` for a coders x units matrix) or
            ``(unit, coder, value)`` rows; a None or NaN value is missing.
        level: "nominal", "ordinal", "interval" or "ratio".
        values_order: for "ordinal", the values from lowest to highest (may include values
            nobody used); default: sorted, numerically when all values are numbers or numeric
            strings. Ignored at other levels.

    Returns:
        Alpha, at most 1; NaN when there is no variation to measure (expected disagreement 0).

    Raises:
        ValueError: unknown level; interval/ratio values that are not numbers; negative ratio
            values; an ordinal value missing from ``values_order``.

    Example:
        >>> rows = [("u1", "a", 1), ("u1", "b", 1), ("u2", "a", 2), ("u2", "b", 3)]
        >>> round(krippendorff_alpha(rows, level="nominal"), 4)
        0.4
        >>> round(krippendorff_alpha(rows, level="interval"), 4)
        0.7273
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {LEVELS}")
    ratings = Ratings.coerce(data)
    coincidences = _coincidences(ratings.counts())
    marginals = coincidences.sum(axis=1)
    delta = _differences(level, ratings.value_names, marginals, values_order)
    n = float(marginals.sum())
    expected = float(marginals @ delta @ marginals)
    if n < 2 or expected <= 0:
        return float("nan")
    return 1.0 - (n - 1.0) * float((coincidences * delta).sum()) / expected


def _differences(
    level: Level,
    names: list[Hashable],
    marginals: FloatArray,
    values_order: Sequence[Hashable] | None,
) -> FloatArray:
    """The squared difference ``delta[c, k]`` between value codes ``c`` and ``k``."""
    if level == "nominal":
        return 1.0 - np.eye(len(names))
    if level == "ordinal":
        order = ordered_values(names, values_order)
        rank = {name: i for i, name in enumerate(order)}
        positions = np.array([rank[name] for name in names], dtype=np.int64)
        ranked = np.zeros(len(order))
        ranked[positions] = marginals
        midranks = (np.cumsum(ranked) - ranked / 2.0)[positions]
        return np.asarray(np.subtract.outer(midranks, midranks) ** 2, dtype=np.float64)
    numbers = np.array([to_number(name) for name in names], dtype=np.float64)
    gaps = np.subtract.outer(numbers, numbers)
    if level == "interval":
        return np.asarray(gaps**2, dtype=np.float64)
    if np.any(numbers < 0):
        raise ValueError("ratio values must be >= 0")
    sums = np.add.outer(numbers, numbers)
    safe = np.where(sums > 0, sums, 1.0)
    return np.asarray((gaps / safe) ** 2, dtype=np.float64)
