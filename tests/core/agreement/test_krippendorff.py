"""Krippendorff's alpha against the published worked example, hand cases and real data."""

from __future__ import annotations

import doctest
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from agreement_data import PAPER, N, read_rows

from expertloop.core.agreement import (
    Ratings,
    coincidence_matrix,
    fleiss_counts,
    fleiss_kappa,
    krippendorff_alpha,
)
from expertloop.core.agreement import krippendorff as krippendorff_module
from expertloop.core.agreement import ratings as ratings_module
from expertloop.core.agreement.krippendorff import Level

# The paper's published alphas (3 decimals).
PUBLISHED: list[tuple[Level, float]] = [
    ("nominal", 0.743),
    ("ordinal", 0.815),
    ("interval", 0.849),
    ("ratio", 0.797),
]
# Hand case: u1 coded 1 and 3; u2 coded 2 by three coders; u3 has one value (dropped).
# o13 = o31 = 1, o22 = 3 (6 ordered pairs x 1/2); n1 = 1, n2 = 3, n3 = 1, n = 5.
HAND = [
    ("u1", "a", 1),
    ("u1", "b", 3),
    ("u2", "a", 2),
    ("u2", "b", 2),
    ("u2", "c", 2),
    ("u3", "a", 5),
]
HAND_ALPHAS: list[tuple[Level, Any, float]] = [
    # 1 - 4 * 2 / (2 * (3 + 1 + 3))
    ("nominal", None, 3 / 7),
    # 1 - 4 * (2 * 4) / (2 * (3 * 1 + 1 * 4 + 3 * 1))
    ("interval", None, -0.6),
    # mid-ranks 0.5, 2.5, 4.5: the same distances as interval here
    ("ordinal", None, -0.6),
    # values nobody paired do not move the mid-ranks (the order must still list every value)
    ("ordinal", [0, 1, 2, 3, 4, 5, 6], -0.6),
    # order 1 < 3 < 2: mid-ranks 0.5 (1), 1.5 (3), 3.5 (2); 1 - 4 * 2 / (2 * (27 + 1 + 12))
    ("ordinal", [1, 3, 2, 5], 0.9),
    # deltas 1/4 (1-3), 1/9 (1-2), 1/25 (2-3): 1 - 4 * 0.5 / (2 * 211 / 300)
    ("ratio", None, float(1 - Fraction(600, 422))),
]


def rows_of(matrix: list[list[Any]]) -> list[tuple[Any, Any, Any]]:
    return [
        (f"unit{u}", f"coder{c}", value)
        for c, line in enumerate(matrix)
        for u, value in enumerate(line)
        if value is not None
    ]


@pytest.mark.parametrize(("level", "published"), PUBLISHED)
def test_alpha_matches_the_published_example(level: Level, published: float) -> None:
    assert round(krippendorff_alpha(Ratings.from_matrix(PAPER), level=level), 3) == published
    assert krippendorff_alpha(rows_of(PAPER), level=level) == pytest.approx(
        krippendorff_alpha(Ratings.from_matrix(np.array(PAPER, dtype=float)), level=level)
    )


def test_coincidence_matrix_matches_the_published_example() -> None:
    # The paper's matrix of values 1-5, in thirds.
    thirds = [
        [21, 4, 1, 1, 0],
        [4, 30, 4, 1, 0],
        [1, 4, 24, 1, 0],
        [1, 1, 1, 12, 0],
        [0, 0, 0, 0, 9],
    ]
    coincidences = coincidence_matrix(Ratings.from_matrix(PAPER))
    assert coincidences.values == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(coincidences.matrix * 3, thirds, atol=1e-12)
    assert coincidences.marginals.tolist() == pytest.approx([9, 13, 10, 5, 3])


@pytest.mark.parametrize(("level", "order", "expected"), HAND_ALPHAS)
def test_alpha_matches_hand_computation(level: Level, order: Any, expected: float) -> None:
    assert krippendorff_alpha(HAND, level=level, values_order=order) == pytest.approx(expected)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_is_one_under_perfect_agreement(level: Level) -> None:
    matrix: list[list[int | None]] = [[1, 2, 3, 4, N], [1, 2, 3, 4, 5], [N, 2, 3, N, 5]]
    assert krippendorff_alpha(Ratings.from_matrix(matrix), level=level) == 1.0


def test_alpha_on_crowdkit_toy_matches_hand_computation() -> None:
    # o(yes,no) = 4/3 + 6/4 + 6/4 + 0 + 4/4 = 16/3; n_yes = 13, n_no = 11, n = 24.
    expected = 1 - 23 * 2 * Fraction(16, 3) / (2 * 13 * 11)
    assert krippendorff_alpha(read_rows("crowdkit_toy")) == pytest.approx(float(expected))


def test_alpha_treats_numeric_strings_as_numbers() -> None:
    as_text = [(unit, coder, str(value)) for unit, coder, value in rows_of(PAPER)]
    for level, published in PUBLISHED:
        assert round(krippendorff_alpha(as_text, level=level), 3) == published
    tens = [("u1", "a", "2"), ("u1", "b", "9"), ("u2", "a", "10"), ("u2", "b", "10")]
    numbers = [(unit, coder, int(value)) for unit, coder, value in tens]
    assert krippendorff_alpha(tens, level="ordinal") == krippendorff_alpha(numbers, level="ordinal")


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [("u1", "a", 1), ("u2", "a", 2), ("u3", "b", 1)],
        [("u1", "a", 1), ("u1", "b", 1), ("u2", "a", 1), ("u2", "b", 1)],
    ],
    ids=["empty", "no_unit_has_two_values", "no_variation"],
)
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_is_nan_without_variation(rows: list[Any], level: Level) -> None:
    assert math.isnan(krippendorff_alpha(rows, level=level))


def test_units_with_one_value_and_missing_values_do_not_count() -> None:
    without_unit_12 = [line[:11] for line in PAPER]
    with_nan = [[math.nan if value is None else value for value in line] for line in PAPER]
    for level, _ in PUBLISHED:
        base = krippendorff_alpha(Ratings.from_matrix(PAPER), level=level)
        assert krippendorff_alpha(Ratings.from_matrix(without_unit_12), level=level) == base
        assert krippendorff_alpha(Ratings.from_matrix(with_nan), level=level) == base
        assert krippendorff_alpha([*rows_of(PAPER), ("u99", "x", N)], level=level) == base


def test_repeated_rating_keeps_the_last() -> None:
    rows = [("u1", "a", 1), ("u1", "b", 2), ("u1", "a", 2), ("u2", "a", 1), ("u2", "b", 1)]
    assert krippendorff_alpha(rows) == 1.0


def test_alpha_does_not_mutate_inputs() -> None:
    matrix = np.array(PAPER, dtype=float)
    before = matrix.copy()
    rows = rows_of(PAPER)
    rows_before = list(rows)
    krippendorff_alpha(Ratings.from_matrix(matrix), level="ordinal")
    krippendorff_alpha(rows, level="interval")
    np.testing.assert_array_equal(matrix, before)
    assert rows == rows_before


@pytest.mark.parametrize(
    ("rows", "kwargs", "message"),
    [
        (HAND, {"level": "cardinal"}, "unknown level"),
        ([("u1", "a", "x"), ("u1", "b", "y")], {"level": "interval"}, "not a number"),
        ([("u1", "a", -1), ("u1", "b", 2)], {"level": "ratio"}, ">= 0"),
        (HAND, {"level": "ordinal", "values_order": [1, 2]}, "missing from the given order"),
        ([("u1", "a", "x"), ("u1", "b", 2)], {"level": "ordinal"}, "mixed types"),
    ],
)
def test_alpha_rejects_bad_input(rows: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        krippendorff_alpha(rows, **kwargs)


def test_from_matrix_rejects_ragged_rows() -> None:
    with pytest.raises(ValueError, match="different lengths"):
        Ratings.from_matrix([[1, 2], [1]])


def test_alpha_of_real_data_equals_the_fleiss_identity() -> None:
    # With m ratings per unit, nominal alpha = 1 - (n - 1) / n * (1 - Fleiss' kappa).
    rows = read_rows("zheng_possent")
    n = len(rows)
    kappa = fleiss_kappa(fleiss_counts(rows).counts)
    assert krippendorff_alpha(rows) == pytest.approx(1 - (n - 1) / n * (1 - kappa), abs=1e-12)


@pytest.mark.parametrize("module", [krippendorff_module, ratings_module])
def test_docstring_examples_run(module: Any) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
