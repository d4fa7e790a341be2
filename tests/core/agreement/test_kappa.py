"""Cohen's and Fleiss' kappa against hand computations, a published example and real data."""

from __future__ import annotations

import doctest
import itertools
import math
from collections import defaultdict
from typing import Any

import numpy as np
import pytest
from agreement_data import read_rows

from expertloop.core.agreement import (
    Ratings,
    cohen_kappa,
    fleiss_counts,
    fleiss_kappa,
    pairwise_cohen,
)
from expertloop.core.agreement import kappa as kappa_module
from expertloop.core.agreement.kappa import Weights

# The 10 subjects x 5 categories, 14 raters per subject worked example of Wikipedia's
# "Fleiss' kappa" article: P-bar = 0.378, P-bar_e = 0.213, kappa = 0.210.
FLEISS_EXAMPLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]
# 2x2 table: yes/yes 20, yes/no 5, no/yes 10, no/no 15 (50 items).
# p_o = 35/50 = 0.7; p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = 0.2 / 0.5 = 0.4.
TWO_BY_TWO = (
    [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
)
# 3 ordered categories: a has each category twice, b's marginals are 1/6, 3/6, 2/6.
# Disagreements (1,2), (2,3), (3,2), all one step apart.
ORDERED_A = [1, 1, 2, 2, 3, 3]
ORDERED_B = [1, 2, 2, 3, 3, 2]
WEIGHTED: list[tuple[Weights, Any, float]] = [
    # p_o = 1/2, p_e = 1/3
    (None, None, 0.25),
    # observed 1/2, expected (1/3)(7/6 + 3/6 + 5/6) = 5/6
    ("linear", None, 0.4),
    # observed 1/2, expected (1/3)(11/6 + 3/6 + 7/6) = 7/6
    ("quadratic", None, 4 / 7),
    # an unused category at the end changes neither
    ("linear", [1, 2, 3, 4], 0.4),
    (None, [4, 3, 2, 1], 0.25),
    # order 1 < 3 < 2: disagreements (1,2) two steps, (2,3) and (3,2) one step;
    # observed 4/6, expected (1/3)((0 + 2*3 + 1*2)/6 + (2 + 0 + 1*2)/6 + (1 + 3 + 0)/6) = 8/9
    ("linear", [1, 3, 2], 0.25),
]


def test_fleiss_matches_the_published_example() -> None:
    assert round(fleiss_kappa(FLEISS_EXAMPLE), 3) == 0.210
    assert fleiss_kappa(np.array(FLEISS_EXAMPLE)) == pytest.approx(0.20993, abs=5e-6)


def test_fleiss_from_rows_matches_the_count_table() -> None:
    rows = []
    for item, line in enumerate(FLEISS_EXAMPLE):
        raters = itertools.count()
        for category, count in enumerate(line):
            rows += [(f"s{item}", f"r{next(raters)}", f"c{category}") for _ in range(count)]
    table = fleiss_counts(rows, labels=[f"c{j}" for j in range(6)])
    assert table.units == [f"s{i}" for i in range(10)]
    assert table.labels == [f"c{j}" for j in range(6)]
    assert table.counts[:, :5].tolist() == FLEISS_EXAMPLE
    assert table.counts[:, 5].tolist() == [0] * 10
    assert fleiss_kappa(table.counts) == fleiss_kappa(FLEISS_EXAMPLE)
    assert fleiss_kappa(fleiss_counts(rows).counts) == pytest.approx(fleiss_kappa(FLEISS_EXAMPLE))


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # P_i = 1, 1, 1/3; p = (5/9, 4/9); (7/9 - 41/81) / (40/81) = 22/40
        ([[3, 0], [0, 3], [2, 1]], 0.55),
        ([[2, 0, 0], [0, 2, 0], [0, 0, 2]], 1.0),
        # P-bar = 0, p = (1/2, 1/2): (0 - 1/2) / (1/2)
        ([[1, 1], [1, 1]], -1.0),
    ],
)
def test_fleiss_matches_hand_computation(counts: list[list[int]], expected: float) -> None:
    assert fleiss_kappa(counts) == pytest.approx(expected)


def test_fleiss_is_nan_when_everyone_used_one_category() -> None:
    assert math.isnan(fleiss_kappa([[3, 0], [3, 0]]))


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ([[3, 0], [1, 1]], "same number of raters; found \\[2, 3\\]"),
        ([[1, 0], [0, 1]], "at least 2 raters"),
        ([[2, -1], [1, 0]], "non-negative integers"),
        ([[1.5, 0.5], [1, 1]], "non-negative integers"),
        ([[math.nan, 2], [1, 1]], "non-negative integers"),
        ([1, 2, 3], "items x categories"),
        (np.zeros((0, 3)), "items x categories"),
    ],
)
def test_fleiss_rejects_bad_counts(counts: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fleiss_kappa(counts)


def test_cohen_matches_the_two_by_two_hand_computation() -> None:
    a, b = zip(*TWO_BY_TWO, strict=True)
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(b, a) == pytest.approx(0.4)


@pytest.mark.parametrize(("weights", "labels", "expected"), WEIGHTED)
def test_weighted_cohen_matches_hand_computation(
    weights: Weights, labels: Any, expected: float
) -> None:
    assert cohen_kappa(ORDERED_A, ORDERED_B, labels=labels, weights=weights) == pytest.approx(
        expected
    )


def test_cohen_orders_numeric_strings_numerically() -> None:
    a, b = ["1", "2", "10", "10"], ["2", "2", "10", "1"]
    numbers = cohen_kappa([1, 2, 10, 10], [2, 2, 10, 1], weights="linear")
    assert cohen_kappa(a, b, weights="linear") == pytest.approx(numbers)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_is_one_under_perfect_agreement(weights: Weights) -> None:
    assert cohen_kappa([1, 2, 3, 1], [1, 2, 3, 1], weights=weights) == 1.0


def test_cohen_is_zero_at_chance_level() -> None:
    assert cohen_kappa(["x", "x", "y", "y"], ["x", "y", "x", "y"]) == 0.0
    rng = np.random.default_rng(7)
    a, b = rng.integers(0, 3, 20_000).tolist(), rng.integers(0, 3, 20_000).tolist()
    assert abs(cohen_kappa(a, b)) < 0.02
    assert abs(cohen_kappa(a, b, weights="quadratic")) < 0.02


def test_cohen_is_nan_when_both_used_one_category() -> None:
    assert math.isnan(cohen_kappa(["x", "x"], ["x", "x"]))


@pytest.mark.parametrize(
    ("a", "b", "kwargs", "message"),
    [
        ([1, 2], [1], {}, "different numbers of items"),
        ([], [], {}, "no items"),
        ([1, 2], [1, 3], {"labels": [1, 2]}, "missing from the given order"),
        ([1, 2], [1, 2], {"weights": "cubic"}, "unknown weights"),
        (["x", 2], ["x", 2], {"weights": "linear"}, "mixed types"),
    ],
)
def test_cohen_rejects_bad_input(a: Any, b: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cohen_kappa(a, b, **kwargs)


def test_pairwise_cohen_pairs_coders_over_units_both_rated() -> None:
    rows = [(f"i{i}", "ann", a) for i, (a, _) in enumerate(TWO_BY_TWO)]
    rows += [(f"i{i}", "bob", b) for i, (_, b) in enumerate(TWO_BY_TWO)]
    rows += [("i0", "cy", "yes"), ("i1", "cy", "no"), ("other", "dee", "no")]
    pairs = pairwise_cohen(rows)
    assert [(p.coder_a, p.coder_b, p.n) for p in pairs] == [
        ("ann", "bob", 50),
        ("ann", "cy", 2),
        ("bob", "cy", 2),
    ]
    assert pairs[0].kappa == pytest.approx(0.4)
    assert pairs[1].kappa == cohen_kappa(["yes", "yes"], ["yes", "no"])
    assert pairwise_cohen([]) == []


def reference_pairwise(rows: list[tuple[str, str, str]], weights: Weights) -> dict[Any, Any]:
    """Per pair of coders, ``cohen_kappa`` over their common units, by plain loops."""
    by_coder: dict[str, dict[str, str]] = defaultdict(dict)
    for unit, coder, value in rows:
        by_coder[coder][unit] = value
    labels = sorted({value for _, _, value in rows}, key=float)
    found = {}
    for first, second in itertools.combinations(by_coder, 2):
        common = [u for u in by_coder[first] if u in by_coder[second]]
        if common:
            a = [by_coder[first][u] for u in common]
            b = [by_coder[second][u] for u in common]
            found[(first, second)] = (cohen_kappa(a, b, labels=labels, weights=weights), len(a))
    return found


@pytest.mark.parametrize("weights", [None, "quadratic"])
def test_pairwise_cohen_matches_pair_by_pair_on_real_data(weights: Weights) -> None:
    rows = read_rows("zheng_product")
    expected = reference_pairwise(rows, weights)
    pairs = pairwise_cohen(rows, weights=weights)
    assert len(pairs) == len(expected) == 790
    for pair in pairs:
        kappa, n = expected[(pair.coder_a, pair.coder_b)]
        assert pair.n == n
        assert pair.kappa == pytest.approx(kappa, nan_ok=True)


def test_pairwise_cohen_does_not_mutate_ratings() -> None:
    ratings = Ratings.from_rows([("u1", "a", 1), ("u1", "b", 2), ("u2", "a", 2), ("u2", "b", 2)])
    before = (ratings.units.copy(), ratings.coders.copy(), ratings.values.copy())
    pairwise_cohen(ratings, weights="linear")
    for array, copy in zip((ratings.units, ratings.coders, ratings.values), before, strict=True):
        np.testing.assert_array_equal(array, copy)


def test_docstring_examples_run() -> None:
    result = doctest.testmod(kappa_module)
    assert result.attempted > 0
    assert result.failed == 0
