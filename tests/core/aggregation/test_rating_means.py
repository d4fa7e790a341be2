"""Bias-corrected, reliability-weighted rating means on small known cases and synthetic raters."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from expertloop.core.aggregation import rating_means
from expertloop.core.aggregation.rating_means import RatingMeans, Ratings

Row = tuple[str, str, float]


@pytest.mark.parametrize(
    ("rows", "bias_prior", "means", "biases"),
    [
        # everyone agrees: nothing to correct
        ([("u", "a", 2), ("v", "a", 2), ("u", "b", 5), ("v", "b", 5)], 2.0, [2, 5], [0, 0]),
        # v is one point above u everywhere: biases +-0.5 without shrinkage ...
        (
            [("u", "a", 3), ("v", "a", 4), ("u", "b", 4), ("v", "b", 5)],
            0.0,
            [3.5, 4.5],
            [-0.5, 0.5],
        ),
        # ... and 2 * 0.5 / (2 + 2) with k = 2 pseudo-ratings of zero bias
        (
            [("u", "a", 3), ("v", "a", 4), ("u", "b", 4), ("v", "b", 5)],
            2.0,
            [3.5, 4.5],
            [-0.25, 0.25],
        ),
        # one worker, one rating: the mean is the rating
        ([("u", "a", 4)], 2.0, [4], [0]),
    ],
)
def test_small_cases_give_the_worked_out_means_and_biases(
    rows: list[Row], bias_prior: float, means: list[float], biases: list[float]
) -> None:
    result = RatingMeans(bias_prior=bias_prior).fit(Ratings.from_rows(rows))
    assert result.converged
    assert result.means == pytest.approx(means, abs=1e-6)
    assert result.biases == pytest.approx(biases, abs=1e-6)
    assert result.biases.sum() == pytest.approx(0.0, abs=1e-9)


def test_standard_errors_and_intervals_follow_the_precisions() -> None:
    rows = [("u", "a", 3), ("v", "a", 4), ("u", "b", 4), ("v", "b", 5), ("u", "c", 1)]
    result = RatingMeans().fit(Ratings.from_rows(rows))
    precision = 1 / result.variances
    assert result.standard_errors[0] == pytest.approx(1 / np.sqrt(precision.sum()))
    assert result.standard_errors[2] == pytest.approx(np.sqrt(result.variances[0]))
    assert result.high - result.means == pytest.approx(1.959963984540054 * result.standard_errors)
    assert result.counts.tolist() == [2, 2, 1]


def test_one_rating_does_not_give_a_zero_variance() -> None:
    rows = [("u", "a", 3), ("v", "a", 4), ("u", "b", 2), ("v", "b", 4), ("once", "b", 3)]
    result = RatingMeans().fit(Ratings.from_rows(rows))
    assert result.variances.min() > 0.05
    assert np.all(np.isfinite(result.reliabilities))


def _panel(
    rng: np.random.Generator, truth: np.ndarray, raters: dict[str, tuple[float, float, float]]
) -> list[Row]:
    """Each rater (bias, noise sd, share of items rated) scores a random share of the items."""
    rows: list[Row] = []
    for name, (bias, noise, share) in raters.items():
        for item in np.flatnonzero(rng.random(len(truth)) < share):
            rows.append((name, f"i{item}", float(truth[item] + bias + rng.normal(0, noise))))
    return rows


def test_a_worker_scoring_one_point_high_gets_bias_one_and_means_are_corrected() -> None:
    rng = np.random.default_rng(11)
    truth = rng.uniform(1, 5, 80)
    raters = {f"fair{k}": (0.0, 0.3, 0.6) for k in range(5)}
    raters["generous"] = (1.0, 0.3, 0.5)
    rows = _panel(rng, truth, raters)
    result = RatingMeans().fit(Ratings.from_rows(rows))
    biases = dict(zip(result.worker_names, result.biases, strict=True))
    others = np.mean([biases[f"fair{k}"] for k in range(5)])
    assert biases["generous"] - others == pytest.approx(1.0, abs=0.1)
    codes = [int(str(name)[1:]) for name in result.item_names]
    corrected = result.means - truth[codes]
    generous_items = sorted({item for worker, item, _ in rows if worker == "generous"})
    rated = np.array([name in generous_items for name in result.item_names])
    raw = np.array([np.mean([s for _, i, s in rows if i == name]) for name in result.item_names])
    raw_gap = np.mean((raw - truth[codes])[rated]) - np.mean((raw - truth[codes])[~rated])
    assert raw_gap > 0.15  # plain means favour the items the generous worker rated
    assert abs(np.mean(corrected[rated]) - np.mean(corrected[~rated])) < 0.05
    assert np.std(corrected) < 0.2


def test_a_noisy_worker_gets_less_weight_than_a_precise_one() -> None:
    rng = np.random.default_rng(5)
    truth = rng.uniform(1, 5, 60)
    raters = {"precise": (0.0, 0.2, 1.0), "fair": (0.0, 0.4, 1.0), "noisy": (0.0, 1.5, 1.0)}
    rows = _panel(rng, truth, raters)
    result = RatingMeans().fit(Ratings.from_rows(rows))
    reliability = dict(zip(result.worker_names, result.reliabilities, strict=True))
    # 0.2 vs 0.4 is hard to tell apart from 60 items beside a noisy third; 1.5 is not
    assert reliability["noisy"] < 0.1
    assert min(reliability["precise"], reliability["fair"]) > 0.5
    assert max(reliability.values()) == 1.0
    codes = [int(str(name)[1:]) for name in result.item_names]
    plain = np.array([np.mean([s for _, i, s in rows if i == name]) for name in result.item_names])
    centred = truth[codes] - truth[codes].mean()
    weighted_error = np.sqrt(np.mean((result.means - result.means.mean() - centred) ** 2))
    plain_error = np.sqrt(np.mean((plain - plain.mean() - centred) ** 2))
    assert weighted_error < 0.7 * plain_error


def test_items_can_be_response_and_criterion_pairs() -> None:
    rows = [
        ("u", ("r1", "accuracy"), 4),
        ("u", ("r1", "style"), 2),
        ("v", ("r1", "accuracy"), 4),
        ("v", ("r1", "style"), 2),
    ]
    result = RatingMeans().fit(Ratings.from_rows(rows))
    assert dict(zip(result.item_names, result.means.round(6), strict=True)) == {
        ("r1", "accuracy"): 4.0,
        ("r1", "style"): 2.0,
    }


def test_repeated_ratings_keep_the_last_and_inputs_are_not_modified() -> None:
    ratings = Ratings.from_rows([("u", "a", 1), ("u", "a", 3), ("v", "a", 3)])
    assert ratings.scores.tolist() == [3.0, 3.0]
    copies = [ratings.workers.copy(), ratings.items.copy(), ratings.scores.copy()]
    RatingMeans().fit(ratings)
    for before, after in zip(copies, (ratings.workers, ratings.items, ratings.scores), strict=True):
        assert np.array_equal(before, after)


@pytest.mark.parametrize(
    ("workers", "items", "scores", "message"),
    [
        ([0], [0, 0], [1.0], "same length"),
        ([1], [0], [1.0], "index"),
        ([0], [0], [float("nan")], "finite"),
    ],
)
def test_bad_ratings_are_refused(
    workers: list[int], items: list[int], scores: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Ratings(np.array(workers), np.array(items), np.array(scores), ["u"], ["a"])


def test_no_ratings_and_bad_parameters_are_refused() -> None:
    empty = Ratings.from_rows([])
    with pytest.raises(ValueError, match="no ratings"):
        RatingMeans().fit(empty)
    with pytest.raises(ValueError, match="level"):
        RatingMeans(level=1.0)
    with pytest.raises(ValueError, match="variance_prior"):
        RatingMeans(variance_prior=0.0)


def test_docstring_examples_run() -> None:
    assert doctest.testmod(rating_means).failed == 0
