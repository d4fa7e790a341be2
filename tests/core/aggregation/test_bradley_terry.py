"""Bradley-Terry and the leaderboard on cases worked out by hand, and on synthetic strengths."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

from expertloop.core.aggregation import bradley_terry, leaderboard
from expertloop.core.aggregation.bradley_terry import BradleyTerry, Comparisons
from expertloop.core.aggregation.leaderboard import ELO_LIKE_SCALE, LeaderboardRow, elo_like


def _rows(left: str, right: str, winners: str) -> list[tuple[str, str, str]]:
    """``winners`` spells each comparison: L left wins, R right wins, T tie."""
    names = {"L": "left", "R": "right", "T": "tie"}
    return [(left, right, names[code]) for code in winners]


@pytest.mark.parametrize(
    ("winners", "log_odds"),
    [
        ("LLLR", math.log(3)),  # 3 wins vs 1: ln 3
        ("LR", 0.0),
        ("LLTR", math.log(2.5 / 1.5)),  # a tie is half a win each
        ("TT", 0.0),
        ("LLLLLLLLLR", math.log(9)),
    ],
)
def test_two_items_without_prior_give_the_log_odds_of_wins(winners: str, log_odds: float) -> None:
    result = BradleyTerry(prior=None).fit(Comparisons.from_rows(_rows("a", "b", winners)))
    assert result.converged
    assert result.scores[0] - result.scores[1] == pytest.approx(log_odds, abs=1e-9)
    assert result.scores.sum() == pytest.approx(0.0, abs=1e-12)


def test_two_items_standard_error_is_the_inverse_fisher_information() -> None:
    # 4 comparisons at p = 3/4: information of the difference 4 * 3/16 = 3/4, so its variance
    # is 4/3; each centred score is half the difference: variance 1/3.
    result = BradleyTerry(prior=None).fit(Comparisons.from_rows(_rows("a", "b", "LLLR")))
    assert result.standard_errors == pytest.approx([1 / math.sqrt(3)] * 2)
    z = 1.959963984540054
    assert result.low[0] == pytest.approx(result.scores[0] - z / math.sqrt(3))
    assert result.high[1] == pytest.approx(result.scores[1] + z / math.sqrt(3))
    difference = result.covariance[0, 0] + result.covariance[1, 1] - 2 * result.covariance[0, 1]
    assert difference == pytest.approx(4 / 3)
    assert result.win_probability(0, 1) == pytest.approx(0.75)


def test_three_items_in_a_cycle_are_equal() -> None:
    rows = _rows("a", "b", "LLR") + _rows("b", "c", "LLR") + _rows("c", "a", "LLR")
    result = BradleyTerry(prior=None).fit(Comparisons.from_rows(rows))
    assert result.scores == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)


def test_ranking_orders_a_chain_best_first() -> None:
    rows = _rows("b", "a", "LLLR") + _rows("c", "b", "LLLR") + _rows("a", "c", "R")
    result = BradleyTerry().fit(Comparisons.from_rows(rows))
    assert result.ranking() == ["c", "b", "a"]
    assert result.order().tolist() == [2, 0, 1]


def test_an_item_that_always_wins_stays_finite_with_a_prior() -> None:
    data = Comparisons.from_rows(_rows("a", "b", "LLLLL"))
    result = BradleyTerry(prior=2.0).fit(data)
    assert result.converged
    assert 0 < result.scores[0] < 10
    assert np.all(np.isfinite(result.standard_errors))
    # stationarity of the penalised likelihood: 5 (1 - p) = theta_a / tau^2 with d = 2 theta_a
    p = 1 / (1 + math.exp(-2 * result.scores[0]))
    assert 5 * (1 - p) == pytest.approx(result.scores[0] / 4.0)


@pytest.mark.parametrize(
    "rows",
    [
        _rows("a", "b", "LLL"),  # b never wins
        _rows("a", "b", "LR") + _rows("c", "d", "LR"),  # two separate groups
        _rows("a", "b", "LR") + _rows("b", "c", "LL"),  # c never wins
    ],
)
def test_without_prior_a_missing_maximum_raises(rows: list[tuple[str, str, str]]) -> None:
    with pytest.raises(ValueError, match="set a prior"):
        BradleyTerry(prior=None).fit(Comparisons.from_rows(rows))


def test_ties_connect_the_beats_graph() -> None:
    result = BradleyTerry(prior=None).fit(Comparisons.from_rows(_rows("a", "b", "T")))
    assert result.scores == pytest.approx([0.0, 0.0])


def test_weights_count_like_repeated_comparisons() -> None:
    weighted = Comparisons.from_rows(_rows("a", "b", "LR"), weights=[3.0, 1.0])
    repeated = Comparisons.from_rows(_rows("a", "b", "LLLR"))
    fits = [BradleyTerry(prior=1.5).fit(data) for data in (weighted, repeated)]
    assert fits[0].scores == pytest.approx(fits[1].scores)
    assert fits[0].standard_errors == pytest.approx(fits[1].standard_errors)


def test_fit_does_not_modify_its_input() -> None:
    data = Comparisons.from_rows(_rows("a", "b", "LLTR") + _rows("b", "c", "LR"))
    copies = [data.left.copy(), data.right.copy(), data.outcome.copy()]
    BradleyTerry().fit(data)
    for before, after in zip(copies, (data.left, data.right, data.outcome), strict=True):
        assert np.array_equal(before, after)
    assert data.item_names == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"left": [0], "right": [0], "outcome": [1.0]}, "itself"),
        ({"left": [0], "right": [2], "outcome": [1.0]}, "index"),
        ({"left": [0], "right": [1], "outcome": [1.5]}, r"\[0, 1\]"),
        ({"left": [0, 1], "right": [1], "outcome": [1.0]}, "same length"),
        ({"left": [0], "right": [1], "outcome": [1.0], "weight": [-1.0]}, "non-negative"),
    ],
)
def test_bad_comparisons_are_refused(kwargs: dict[str, list[float]], message: str) -> None:
    arrays = {
        key: np.asarray(value, dtype=np.float64 if key in ("outcome", "weight") else np.int64)
        for key, value in kwargs.items()
    }
    with pytest.raises(ValueError, match=message):
        Comparisons(**arrays, item_names=["a", "b"])  # type: ignore[arg-type]


def test_no_comparisons_give_an_error_and_an_empty_leaderboard() -> None:
    with pytest.raises(ValueError, match="no items"):
        BradleyTerry().fit(Comparisons.from_rows([]))
    assert leaderboard.leaderboard([]) == []


def test_an_item_never_compared_keeps_the_prior_mean() -> None:
    data = Comparisons(np.array([0]), np.array([1]), np.array([1.0]), ["a", "b", "never"])
    result = BradleyTerry(prior=1.0).fit(data)
    assert result.scores[2] == pytest.approx(0.0, abs=1e-12)
    assert result.standard_errors[2] > result.standard_errors[0]


def test_from_rows_names_the_bad_winner() -> None:
    with pytest.raises(ValueError, match="row 1: winner"):
        Comparisons.from_rows([("a", "b", "left"), ("a", "b", "A")])


def test_synthetic_strengths_are_recovered() -> None:
    rng = np.random.default_rng(20240601)
    truth = rng.normal(0.0, 1.0, 25)
    truth -= truth.mean()
    left = rng.integers(0, 25, 4000)
    right = (left + rng.integers(1, 25, 4000)) % 25
    wins = rng.random(4000) < 1 / (1 + np.exp(truth[right] - truth[left]))
    data = Comparisons(left, right, wins.astype(np.float64), list(range(25)))
    result = BradleyTerry(prior=None).fit(data)
    fitted_ranks = np.argsort(np.argsort(result.scores)).astype(np.float64)
    true_ranks = np.argsort(np.argsort(truth)).astype(np.float64)
    assert np.corrcoef(fitted_ranks, true_ranks)[0, 1] > 0.95  # Spearman's rho
    coverage = np.mean((result.low <= truth) & (truth <= result.high))
    assert coverage >= 0.85
    assert np.max(np.abs(result.scores - truth)) < 4 * np.max(result.standard_errors)


def test_interval_coverage_over_repeated_draws_is_near_nominal() -> None:
    rng = np.random.default_rng(7)
    truth = np.array([-1.0, -0.3, 0.2, 1.1])
    covered = []
    for _ in range(200):
        left = rng.integers(0, 4, 120)
        right = (left + rng.integers(1, 4, 120)) % 4
        wins = rng.random(120) < 1 / (1 + np.exp(truth[right] - truth[left]))
        data = Comparisons(left, right, wins.astype(np.float64), list("abcd"))
        result = BradleyTerry(prior=None).fit(data)
        covered.append((result.low <= truth) & (truth <= result.high))
    assert 0.90 <= np.mean(covered) <= 0.98


def test_leaderboard_counts_and_orders_models() -> None:
    records = [
        ("gpt", "llama", "A"),
        ("gpt", "llama", "model_a"),
        ("llama", "gpt", "tie"),
        ("llama", "mistral", "b"),
        ("mistral", "gpt", "B"),
        ("mistral", "llama", "TIE"),
    ]
    rows = leaderboard.leaderboard(records)
    assert [row.model for row in rows] == ["gpt", "mistral", "llama"]
    counts = {row.model: (row.wins, row.losses, row.ties, row.n) for row in rows}
    assert counts == {"gpt": (3, 0, 1, 4), "llama": (0, 3, 2, 5), "mistral": (1, 1, 1, 3)}
    assert all(row.low < row.score < row.high for row in rows)


def test_leaderboard_elo_like_scale_is_an_affine_map() -> None:
    records = [("x", "y", "A")] * 3 + [("x", "y", "B")]
    plain = leaderboard.leaderboard(records, prior=None)
    elo = leaderboard.leaderboard(records, prior=None, elo_like_scale=True)
    assert elo[0].score == pytest.approx(1000 + ELO_LIKE_SCALE * math.log(3) / 2)
    assert elo[0].score - elo[1].score == pytest.approx(400 * math.log10(3))
    assert elo[1].low == pytest.approx(elo_like(plain[1].low))
    assert isinstance(elo[0], LeaderboardRow)


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([("x", "y", "A"), ("x", "y", "C")], "record 1: winner"),
        ([("x", "x", "A")], "record 0: a model is compared with itself"),
    ],
)
def test_leaderboard_refuses_bad_records(records: list[tuple[str, str, str]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        leaderboard.leaderboard(records)


@pytest.mark.parametrize("module", [bradley_terry, leaderboard])
def test_docstring_examples_run(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]
