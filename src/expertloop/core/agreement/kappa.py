r"""Kappa coefficients: Cohen's (two raters, optionally weighted) and Fleiss' (many raters).

Cohen's kappa (Cohen 1960) compares two raters over the same items. With ``p_ij`` the share of
items the first rater put in category ``i`` and the second in ``j``, and disagreement weights
``w_ij`` (Cohen 1968),

.. math::

    \kappa_w = 1 - \frac{\sum_{ij} w_{ij}\, p_{ij}}{\sum_{ij} w_{ij}\, p_{i\cdot}\, p_{\cdot j}},

where ``w_ij = [i != j]`` gives the unweighted kappa :math:`(p_o - p_e) / (1 - p_e)`,
``w_ij = |i - j|`` the linear and ``w_ij = (i - j)^2`` the quadratic weighted kappa, ``i`` and
``j`` being positions in the ordered categories.

Fleiss' kappa (Fleiss 1971) takes ``N`` items each rated by the same number ``m`` of raters
(not necessarily the same raters). With ``n_ij`` raters putting item ``i`` in category ``j``:

.. math::

    P_i = \frac{\sum_j n_{ij}^2 - m}{m (m - 1)}, \quad
    p_j = \frac{\sum_i n_{ij}}{N m}, \quad
    \kappa = \frac{\bar P - \sum_j p_j^2}{1 - \sum_j p_j^2}.

Both are 1 for perfect agreement and about 0 at chance level; they are undefined (we return
NaN) when chance alone would give perfect agreement (everyone used one single category).

References:
    Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and
    Psychological Measurement, 20(1), 37-46.
    Cohen, J. (1968). Weighted kappa: Nominal scale agreement with provision for scaled
    disagreement or partial credit. Psychological Bulletin, 70(4), 213-220.
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
    Bulletin, 76(5), 378-382.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from expertloop.core.agreement.ratings import (
    FloatArray,
    IntArray,
    Ratings,
    Row,
    encode,
    ordered_values,
)

Weights = Literal["linear", "quadratic"] | None


@dataclass(frozen=True)
class PairKappa:
    """Cohen's kappa of two coders over the ``n`` units both rated."""

    coder_a: Hashable
    coder_b: Hashable
    kappa: float
    n: int


@dataclass(frozen=True)
class CountTable:
    """``counts[i, j]``: how many raters put unit ``units[i]`` in category ``labels[j]``."""

    units: list[Hashable]
    labels: list[Hashable]
    counts: IntArray


def cohen_kappa(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    *,
    labels: Sequence[Hashable] | None = None,
    weights: Weights = None,
) -> float:
    """Cohen's kappa of two raters; ``a[i]`` and ``b[i]`` are their ratings of item ``i``.

    Args:
        a: the first rater's categories.
        b: the second rater's categories, same items in the same order.
        labels: the categories in order (may include unused ones). Weighted kappa measures
            distance by position in this order; default: the categories sorted (numerically
            when all are numbers or numeric strings).
        weights: None (Cohen 1960), "linear" or "quadratic" (Cohen 1968).

    Returns:
        Kappa, at most 1; NaN when the expected disagreement is 0 (both used one category).

    Raises:
        ValueError: lengths differ, no items, a category missing from ``labels``, unknown
            weights.

    Example:
        >>> cohen_kappa(["y", "y", "n", "n"], ["y", "n", "n", "n"])
        0.5
        >>> round(cohen_kappa([1, 2, 3], [1, 3, 3], weights="linear"), 4)
        0.6667
    """
    if len(a) != len(b):
        raise ValueError(f"the raters rated different numbers of items: {len(a)} and {len(b)}")
    if len(a) == 0:
        raise ValueError("no items to compare")
    names, codes = encode([*a, *b])
    weight = _weight_matrix(_positions(names, labels, weights), weights)
    table = np.zeros((len(names), len(names)))
    np.add.at(table, (codes[: len(a)], codes[len(a) :]), 1.0)
    return float(_kappas(table[None], weight)[0])


def pairwise_cohen(
    data: Ratings | Iterable[Row],
    *,
    labels: Sequence[Hashable] | None = None,
    weights: Weights = None,
) -> list[PairKappa]:
    """Cohen's kappa of every pair of coders over the units both rated.

    Args:
        data: ``Ratings`` or ``(unit, coder, value)`` rows.
        labels: as in ``cohen_kappa``, shared by every pair.
        weights: as in ``cohen_kappa``.

    Returns:
        One ``PairKappa`` per pair of coders with at least one unit in common, ordered by the
        coders' first appearance; ``coder_a`` appears before ``coder_b``.

    Raises:
        ValueError: a value missing from ``labels``, unknown weights.

    Example:
        >>> rows = [("u1", "ann", "y"), ("u1", "bob", "y"), ("u2", "ann", "n"),
        ...         ("u2", "bob", "n"), ("u2", "cy", "n")]
        >>> [(p.coder_a, p.coder_b, p.kappa, p.n) for p in pairwise_cohen(rows)]
        [('ann', 'bob', 1.0, 2), ('ann', 'cy', nan, 1), ('bob', 'cy', nan, 1)]
    """
    ratings = Ratings.coerce(data)
    weight = _weight_matrix(_positions(ratings.value_names, labels, weights), weights)
    first, second = _same_unit_pairs(ratings.units)
    coder_a, coder_b = ratings.coders[first], ratings.coders[second]
    swap = coder_a > coder_b
    value_a = np.where(swap, ratings.values[second], ratings.values[first])
    value_b = np.where(swap, ratings.values[first], ratings.values[second])
    n_coders = len(ratings.coder_names)
    keys = np.minimum(coder_a, coder_b) * n_coders + np.maximum(coder_a, coder_b)
    pair_keys, pair_ids = np.unique(keys, return_inverse=True)
    k = len(ratings.value_names)
    tables = np.zeros((len(pair_keys), k, k))
    np.add.at(tables, (pair_ids, value_a, value_b), 1.0)
    kappas = _kappas(tables, weight)
    names = ratings.coder_names
    return [
        PairKappa(names[key // n_coders], names[key % n_coders], float(kappa), int(n))
        for key, kappa, n in zip(pair_keys.tolist(), kappas, tables.sum(axis=(1, 2)), strict=True)
    ]


def fleiss_kappa(counts: npt.ArrayLike) -> float:
    """Fleiss' kappa of an items x categories count matrix.

    Args:
        counts: ``counts[i][j]`` raters put item ``i`` in category ``j``; every item needs the
            same number (>= 2) of raters. ``fleiss_counts`` builds it from rows.

    Returns:
        Kappa, at most 1; NaN when every rating fell in one category.

    Raises:
        ValueError: not a non-empty 2-D matrix of non-negative integers, items with different
            numbers of raters, or fewer than 2 raters per item.

    Example:
        >>> round(fleiss_kappa([[3, 0], [0, 3], [2, 1]]), 4)
        0.55
    """
    table = np.asarray(counts, dtype=np.float64)
    if table.ndim != 2 or table.size == 0:
        raise ValueError(f"counts must be a non-empty items x categories matrix, got {table.shape}")
    if np.any(~np.isfinite(table)) or np.any(table < 0) or np.any(table != np.round(table)):
        raise ValueError("counts must be non-negative integers")
    raters = table.sum(axis=1)
    if np.any(raters != raters[0]):
        found = sorted({int(r) for r in raters})
        raise ValueError(f"every item needs the same number of raters; found {found[:10]}")
    m = float(raters[0])
    if m < 2:
        raise ValueError(f"every item needs at least 2 raters; found {int(m)}")
    per_item = ((table**2).sum(axis=1) - m) / (m * (m - 1.0))
    shares = table.sum(axis=0) / table.sum()
    chance = float(shares @ shares)
    if chance >= 1.0:
        return float("nan")
    return (float(per_item.mean()) - chance) / (1.0 - chance)


def fleiss_counts(
    data: Ratings | Iterable[Row], *, labels: Sequence[Hashable] | None = None
) -> CountTable:
    """The items x categories count matrix of ``(unit, coder, value)`` rows, for ``fleiss_kappa``.

    Args:
        data: ``Ratings`` or rows.
        labels: the categories (columns), may include unused ones; default: first-seen order.

    Returns:
        The units, the labels and the counts.

    Raises:
        ValueError: a value missing from ``labels``.

    Example:
        >>> table = fleiss_counts([("u1", "a", "x"), ("u1", "b", "y")], labels=["y", "x", "z"])
        >>> table.counts.tolist()
        [[1, 1, 0]]
    """
    ratings = Ratings.coerce(data)
    counts = ratings.counts()
    if labels is None:
        return CountTable(ratings.unit_names, ratings.value_names, counts)
    order = ordered_values(ratings.value_names, labels)
    column = {name: j for j, name in enumerate(order)}
    table = np.zeros((counts.shape[0], len(order)), dtype=np.int64)
    table[:, [column[name] for name in ratings.value_names]] = counts
    return CountTable(ratings.unit_names, order, table)


def _positions(
    names: list[Hashable], labels: Sequence[Hashable] | None, weights: Weights
) -> IntArray:
    """Each category code's position in the category order (only weights need an order)."""
    if labels is None and weights is None:
        return np.arange(len(names), dtype=np.int64)
    rank = {name: i for i, name in enumerate(ordered_values(names, labels))}
    return np.array([rank[name] for name in names], dtype=np.int64)


def _weight_matrix(positions: IntArray, weights: Weights) -> FloatArray:
    gaps = np.asarray(np.subtract.outer(positions, positions), dtype=np.float64)
    if weights is None:
        return np.asarray(gaps != 0, dtype=np.float64)
    if weights == "linear":
        return np.asarray(np.abs(gaps), dtype=np.float64)
    if weights == "quadratic":
        return np.asarray(gaps**2, dtype=np.float64)
    raise ValueError(f"unknown weights {weights!r}; expected None, 'linear' or 'quadratic'")


def _kappas(tables: FloatArray, weight: FloatArray) -> FloatArray:
    """Weighted kappa of each ``tables[p]`` (rater a's category x rater b's category)."""
    shares = tables / tables.sum(axis=(1, 2))[:, None, None]
    observed = np.einsum("pij,ij->p", shares, weight)
    expected = np.einsum("pi,pj,ij->p", shares.sum(axis=2), shares.sum(axis=1), weight)
    defined = expected > 0
    ratio = observed / np.where(defined, expected, 1.0)
    return np.asarray(np.where(defined, 1.0 - ratio, np.nan), dtype=np.float64)


def _same_unit_pairs(units: IntArray) -> tuple[IntArray, IntArray]:
    """Row indices ``(first[i], second[i])`` of every pair of rows about the same unit."""
    order = np.argsort(units, kind="stable")
    ordered = units[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, len(units)])
    firsts, seconds = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for size in np.unique(sizes[sizes >= 2]).tolist():
        members = order[starts[sizes == size][:, None] + np.arange(size)]
        i, j = np.triu_indices(size, k=1)
        firsts.append(members[:, i].ravel())
        seconds.append(members[:, j].ravel())
    return np.concatenate(firsts), np.concatenate(seconds)
