"""The agreement report a lead sees: hand cases, the published example and real data."""

from __future__ import annotations

import doctest
import math
import statistics
from typing import Any

import pytest
from agreement_data import PAPER, read_rows

import expertloop.core.agreement as agreement_package
from expertloop.core.agreement import (
    Ratings,
    agreement_report,
    cohen_kappa,
    fleiss_counts,
    fleiss_kappa,
    krippendorff_alpha,
    pairwise_cohen,
)
from expertloop.core.agreement import report as report_module

# u1 yes/yes, u2 no/no, u3 yes/no: alpha = 1 - 5 * 2 / 18 = 4/9; Fleiss (2/3 - 1/2) / (1/2) = 1/3;
# Cohen p_o = 2/3, p_e = 4/9: 2/5.
TWO_CODERS = [
    ("u1", "ann", "y"),
    ("u1", "bob", "y"),
    ("u2", "ann", "n"),
    ("u2", "bob", "n"),
    ("u3", "ann", "y"),
    ("u3", "bob", "n"),
]


def test_report_of_two_coders_matches_hand_computation() -> None:
    report = agreement_report(TWO_CODERS)
    assert report == {
        "alpha": pytest.approx(4 / 9),
        "fleiss_kappa": pytest.approx(1 / 3),
        "mean_cohen_kappa": pytest.approx(2 / 5),
        "pairs": 1,
        "units": 3,
        "pairable_units": 3,
        "coders": 2,
    }


def test_report_leaves_fleiss_out_when_units_have_different_numbers_of_ratings() -> None:
    rows = [*TWO_CODERS, ("u3", "cy", "y"), ("u4", "cy", "n")]
    report = agreement_report(rows)
    assert report["fleiss_kappa"] is None
    assert report["alpha"] == pytest.approx(krippendorff_alpha(rows))
    assert (report["units"], report["pairable_units"], report["coders"]) == (4, 3, 3)
    # ann-bob 2/5; ann-cy and bob-cy share only u3, where ann agrees (one category: NaN, left
    # out) and bob disagrees (kappa 0 over a single unit: p_o = 0, p_e = 0).
    assert report["pairs"] == 3
    assert report["mean_cohen_kappa"] == pytest.approx((2 / 5 + 0.0) / 2)


@pytest.mark.parametrize(
    ("level", "alpha"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_report_of_the_published_example(level: Any, alpha: float) -> None:
    ratings = Ratings.from_matrix(PAPER)
    report = agreement_report(ratings, level=level)
    assert report["alpha"] is not None
    assert round(report["alpha"], 3) == alpha
    assert report["fleiss_kappa"] is None  # units have 1 to 4 values
    assert (report["units"], report["pairable_units"], report["coders"]) == (12, 11, 4)
    kappas = [pair.kappa for pair in pairwise_cohen(ratings)]
    assert report["pairs"] == 6
    assert report["mean_cohen_kappa"] == pytest.approx(statistics.fmean(kappas))


def test_report_on_real_data_with_equal_overlap() -> None:
    rows = read_rows("zheng_possent")
    report = agreement_report(rows)
    assert (report["units"], report["pairable_units"], report["coders"]) == (1000, 1000, 85)
    assert report["fleiss_kappa"] == pytest.approx(fleiss_kappa(fleiss_counts(rows).counts))
    assert report["alpha"] == pytest.approx(krippendorff_alpha(rows))
    defined = [p.kappa for p in pairwise_cohen(rows) if not math.isnan(p.kappa)]
    assert report["mean_cohen_kappa"] == pytest.approx(statistics.fmean(defined))
    assert report["fleiss_kappa"] is not None
    assert 0 < report["fleiss_kappa"] < 1


def test_report_of_nothing_is_empty() -> None:
    assert agreement_report([]) == {
        "alpha": None,
        "fleiss_kappa": None,
        "mean_cohen_kappa": None,
        "pairs": 0,
        "units": 0,
        "pairable_units": 0,
        "coders": 0,
    }


def test_report_uses_the_order_for_ordinal_alpha_and_weighted_cohen() -> None:
    rows = [("u1", "a", "low"), ("u1", "b", "mid"), ("u2", "a", "high"), ("u2", "b", "high")]
    rows += [("u3", "a", "low"), ("u3", "b", "low")]
    order = ["low", "mid", "high"]
    report = agreement_report(rows, level="ordinal", values_order=order, weights="linear")
    assert report["alpha"] == pytest.approx(
        krippendorff_alpha(rows, level="ordinal", values_order=order)
    )
    a = [value for _, coder, value in rows if coder == "a"]
    b = [value for _, coder, value in rows if coder == "b"]
    expected = cohen_kappa(a, b, labels=order, weights="linear")
    assert report["mean_cohen_kappa"] == pytest.approx(expected)
    with pytest.raises(ValueError, match="missing from the given order"):
        agreement_report(rows, level="ordinal", values_order=["low", "high"])


@pytest.mark.parametrize("module", [report_module, agreement_package])
def test_docstring_examples_run(module: Any) -> None:
    result = doctest.testmod(module)
    assert result.failed == 0
