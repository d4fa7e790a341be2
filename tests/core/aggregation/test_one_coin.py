"""One-coin Dawid-Skene on small cases worked out by hand, and on crowd-kit's fixtures."""

from __future__ import annotations

import doctest
from collections.abc import Hashable

import numpy as np
import pytest
from crowd_data import Row, accuracy, load, rows_of, snapshot, unchanged

from expertloop.core.aggregation import one_coin
from expertloop.core.aggregation.answers import Answers
from expertloop.core.aggregation.one_coin import OneCoinDawidSkene

UNANIMOUS = rows_of("w1", "aba") + rows_of("w2", "aba") + rows_of("w3", "aba")
ONE_SLIP = rows_of("r1", "abab") + rows_of("r2", "abab") + rows_of("slip", "abaa")
# truth "aabbab": "fair" misses t5 (so majority vote does too), "contrarian" always errs
ADVERSARIAL = rows_of("good", "aabbab") + rows_of("fair", "aabbaa")
ADVERSARIAL += rows_of("contrarian", "bbaaba")

# id, rows, labels=, expected labels (as letters), expected skills (within 0.01)
CASES: list[tuple[str, list[Row], tuple[str, ...], str, list[float]]] = [
    # posteriors ~one-hot: p = (3 + s) / (3 + 2s) with s = 0.01
    ("unanimous", UNANIMOUS, (), "aba", [3.01 / 3.02] * 3),
    # slip is right on 3 of 4 tasks: p = 3.01 / 4.02 = 0.749
    ("one slip", ONE_SLIP, (), "abab", [4.01 / 4.02, 4.01 / 4.02, 3.01 / 4.02]),
    # binary one-coin reads an always-wrong worker inverted (p = 0), like Dawid-Skene
    ("reliable vs adversarial", ADVERSARIAL, (), "aabbab", [1, 5 / 6, 0]),
    # three labels: p = (3 + s) / (3 + 3s); c is never anyone's answer
    ("a label nobody chose", UNANIMOUS, ("a", "b", "c"), "aba", [3.01 / 3.03] * 3),
    ("single worker", rows_of("w1", "bab"), (), "bab", [1]),
]


@pytest.mark.parametrize(
    ("rows", "labels", "expected", "skills"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_fit_recovers_the_hand_worked_labels_and_accuracies(
    rows: list[Row], labels: tuple[Hashable, ...], expected: str, skills: list[float]
) -> None:
    answers = Answers.from_rows(rows, labels=labels)
    result = OneCoinDawidSkene().fit(answers)
    assert "".join(str(answers.label_names[code]) for code in result.labels) == expected
    np.testing.assert_allclose(result.skills, skills, atol=0.01)
    np.testing.assert_allclose(result.extra["accuracy"], result.skills)
    np.testing.assert_allclose(result.posteriors.sum(axis=1), 1.0)
    assert result.confidence.min() > 0.95
    assert result.converged
    assert result.method == "one_coin"


def test_fit_keeps_uniform_priors_unless_asked_to_learn_them() -> None:
    answers = Answers.from_rows(UNANIMOUS, labels=("a", "b", "c"))
    np.testing.assert_allclose(OneCoinDawidSkene().fit(answers).extra["priors"], 1 / 3)
    learned = OneCoinDawidSkene(learn_priors=True).fit(answers).extra["priors"]
    # (2 + s, 1 + s, s) / (3 + 3s): two tasks say a, one says b
    np.testing.assert_allclose(learned, [2.01 / 3.03, 1.01 / 3.03, 0.01 / 3.03], atol=1e-3)


def test_fit_gives_a_label_nobody_chose_a_tiny_probability() -> None:
    answers = Answers.from_rows(UNANIMOUS, labels=("a", "b", "c"))
    result = OneCoinDawidSkene().fit(answers)
    # each answer says c with probability (1 - p) / 2 = 0.0033 against p = 0.993 for a
    assert result.posteriors[:, 2].max() < 1e-6


def test_fit_keeps_a_perfect_disagreement_an_even_tie() -> None:
    # uniform start: p = (1 + s) / (2 + 2s) = 1/2 for both, so nothing moves
    answers = Answers.from_rows(rows_of("w1", "ab") + rows_of("w2", "ba"))
    result = OneCoinDawidSkene().fit(answers)
    np.testing.assert_allclose(result.posteriors, 0.5)
    np.testing.assert_allclose(result.skills, 0.5)


def test_fit_without_smoothing_stays_finite() -> None:
    answers = Answers.from_rows(UNANIMOUS, labels=("a", "b", "c"))
    result = OneCoinDawidSkene(smoothing=0.0).fit(answers)
    assert np.all(np.isfinite(result.posteriors))
    assert result.labels.tolist() == [0, 1, 0]


def test_fit_with_one_label_is_certain() -> None:
    result = OneCoinDawidSkene().fit(Answers.from_rows(rows_of("w1", "aa") + rows_of("w2", "a")))
    np.testing.assert_allclose(result.posteriors, [[1.0], [1.0]])


def test_fit_stops_at_max_iter_and_says_it_did_not_converge() -> None:
    result = OneCoinDawidSkene(max_iter=1).fit(Answers.from_rows(ADVERSARIAL))
    assert (result.iterations, result.converged) == (1, False)


def test_fit_leaves_the_answers_alone() -> None:
    answers = Answers.from_rows(ADVERSARIAL)
    before = snapshot(answers)
    OneCoinDawidSkene(learn_priors=True).fit(answers)
    assert unchanged(answers, before)


def test_fit_on_no_answers_returns_empty_results() -> None:
    result = OneCoinDawidSkene().fit(Answers.from_rows([], labels=("a", "b")))
    assert result.posteriors.shape == (0, 2)


@pytest.mark.parametrize("settings", [{"max_iter": 0}, {"tol": -1.0}, {"smoothing": -0.1}], ids=str)
def test_bad_settings_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        OneCoinDawidSkene(**settings)  # type: ignore[arg-type]


@pytest.mark.parametrize("dataset", ["crowdkit_toy", "crowdkit_simple"])
def test_fit_matches_every_task_of_crowdkits_fixtures(dataset: str) -> None:
    # 5/5 and 10/10 (majority vote: 4/5 and 9/10)
    answers, truth = load(dataset)
    assert accuracy(answers, OneCoinDawidSkene().fit(answers), truth) == 1.0


def test_the_docstring_example_runs() -> None:
    outcome = doctest.testmod(one_coin)
    assert outcome.attempted > 0
    assert outcome.failed == 0
