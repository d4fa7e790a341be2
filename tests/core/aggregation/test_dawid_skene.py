"""Dawid-Skene on small cases worked out by hand, and on crowd-kit's fixtures."""

from __future__ import annotations

import doctest
from collections.abc import Hashable

import numpy as np
import pytest
from crowd_data import Row, accuracy, load, rows_of, snapshot, unchanged

from expertloop.core.aggregation import dawid_skene
from expertloop.core.aggregation.answers import Answers
from expertloop.core.aggregation.dawid_skene import DawidSkene

UNANIMOUS = rows_of("w1", "aba") + rows_of("w2", "aba") + rows_of("w3", "aba")
# truth "aabbab": "fair" misses t5 (so majority vote does too), "contrarian" always errs
RELIABLE_VS_ADVERSARIAL = rows_of("good", "aabbab") + rows_of("fair", "aabbaa")
RELIABLE_VS_ADVERSARIAL += rows_of("contrarian", "bbaaba")

# id, rows, labels=, expected labels (as letters), expected skills (within 0.01)
CASES: list[tuple[str, list[Row], tuple[str, ...], str, list[float]]] = [
    # posteriors ~one-hot, rho = (2.01, 1.01) / 3.02, pi[a, a] = 2.01 / 2.02, pi[b, b] = 1.01 / 1.02
    # (smoothing 0.01): skill = 0.993
    ("unanimous", UNANIMOUS, (), "aba", [0.993] * 3),
    # contrarian: pi = [[0, 1], [1, 0]] (skill 0); fair: pi[a, a] = 1, pi[b, b] = 2/3, and
    # rho = (1/2, 1/2), so skill = (1 + 2/3) / 2 = 0.83; t5 is won by good + inverted contrarian
    ("reliable vs adversarial", RELIABLE_VS_ADVERSARIAL, (), "aabbab", [1, 0.83, 0]),
    # the unused label c only gets smoothing: rho_c = 0.01 / 3.03, pi[c, c] = 1/3, and
    # pi[a, a] = 2.01 / 2.03, pi[b, b] = 1.01 / 1.03: skill = 0.985
    ("a label nobody chose", UNANIMOUS, ("a", "b", "c"), "aba", [0.985] * 3),
    # one answer per task is weaker evidence: posteriors settle near 0.99, and so does the skill
    ("single worker", rows_of("w1", "bab"), (), "bab", [0.99]),
]


@pytest.mark.parametrize(
    ("rows", "labels", "expected", "skills"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_fit_recovers_the_hand_worked_labels_and_skills(
    rows: list[Row], labels: tuple[Hashable, ...], expected: str, skills: list[float]
) -> None:
    answers = Answers.from_rows(rows, labels=labels)
    result = DawidSkene().fit(answers)
    assert "".join(str(answers.label_names[code]) for code in result.labels) == expected
    np.testing.assert_allclose(result.skills, skills, atol=0.01)
    np.testing.assert_allclose(result.posteriors.sum(axis=1), 1.0)
    assert result.confidence.min() > 0.95
    assert result.converged
    assert result.method == "dawid_skene"


def test_fit_inverts_an_adversarial_worker_through_the_confusion_matrix() -> None:
    result = DawidSkene().fit(Answers.from_rows(RELIABLE_VS_ADVERSARIAL))
    contrarian = result.extra["confusion"][2]
    np.testing.assert_allclose(contrarian, [[0, 1], [1, 0]], atol=0.01)
    np.testing.assert_allclose(result.extra["priors"], [0.5, 0.5], atol=0.01)


def test_fit_keeps_a_perfect_disagreement_an_even_tie() -> None:
    # two workers who disagree on every task carry no information: every posterior is 1/2
    answers = Answers.from_rows(rows_of("w1", "ab") + rows_of("w2", "ba"))
    result = DawidSkene().fit(answers)
    np.testing.assert_allclose(result.posteriors, 0.5)
    assert result.labels.tolist() == [0, 0]


def test_fit_gives_a_label_nobody_chose_a_tiny_probability() -> None:
    answers = Answers.from_rows(UNANIMOUS, labels=("a", "b", "c"))
    result = DawidSkene().fit(answers)
    assert result.posteriors[:, 2].max() < 1e-3
    # 0.01 / 3.03 = 0.0033 from the smoothing, plus the little mass the E-step gives c
    assert 0.0033 < result.extra["priors"][2] < 0.004
    assert result.extra["confusion"].shape == (3, 3, 3)


def test_fit_without_smoothing_stays_finite_with_an_unused_label() -> None:
    answers = Answers.from_rows(UNANIMOUS, labels=("a", "b", "c"))
    result = DawidSkene(smoothing=0.0).fit(answers)
    assert np.all(np.isfinite(result.posteriors))
    assert result.posteriors[:, 2].max() < 1e-300  # log(0) is floored, not -inf


def test_fit_reports_consistent_extras() -> None:
    answers, _ = load("crowdkit_simple")
    result = DawidSkene().fit(answers)
    confusion, priors = result.extra["confusion"], result.extra["priors"]
    assert confusion.shape == (answers.n_workers, answers.n_labels, answers.n_labels)
    np.testing.assert_allclose(confusion.sum(axis=2), 1.0)
    np.testing.assert_allclose(priors.sum(), 1.0)
    expected = [sum(priors[k] * confusion[w, k, k] for k in range(3)) for w in range(6)]
    np.testing.assert_allclose(result.skills, expected)
    assert np.all((result.skills >= 0) & (result.skills <= 1))


def test_fit_stops_at_max_iter_and_says_it_did_not_converge() -> None:
    answers = Answers.from_rows(RELIABLE_VS_ADVERSARIAL)
    result = DawidSkene(max_iter=1).fit(answers)
    assert (result.iterations, result.converged) == (1, False)
    full = DawidSkene().fit(answers)
    assert 1 < full.iterations < 100


def test_fit_leaves_the_answers_alone() -> None:
    answers = Answers.from_rows(RELIABLE_VS_ADVERSARIAL)
    before = snapshot(answers)
    DawidSkene().fit(answers)
    assert unchanged(answers, before)


def test_fit_on_no_answers_returns_empty_results() -> None:
    result = DawidSkene().fit(Answers.from_rows([], labels=("a", "b")))
    assert result.posteriors.shape == (0, 2)
    assert result.skills.shape == (0,)


@pytest.mark.parametrize("settings", [{"max_iter": 0}, {"tol": -1.0}, {"smoothing": -0.1}], ids=str)
def test_bad_settings_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        DawidSkene(**settings)  # type: ignore[arg-type]


def test_fit_matches_every_task_of_crowdkit_toy() -> None:
    # majority vote gets 4/5 (t1 is a 2-2 tie); Dawid-Skene gets all 5
    answers, truth = load("crowdkit_toy")
    assert accuracy(answers, DawidSkene().fit(answers), truth) == 1.0


def test_fit_matches_every_task_of_crowdkit_simple() -> None:
    # majority vote gets 9/10; Dawid-Skene gets all 10
    answers, truth = load("crowdkit_simple")
    assert accuracy(answers, DawidSkene().fit(answers), truth) == 1.0


def test_the_docstring_example_runs() -> None:
    outcome = doctest.testmod(dawid_skene)
    assert outcome.attempted > 0
    assert outcome.failed == 0
