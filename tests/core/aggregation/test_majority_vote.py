"""Majority vote on small cases worked out by hand, and on crowd-kit's fixtures."""

from __future__ import annotations

import doctest
from collections.abc import Hashable

import numpy as np
import pytest
from crowd_data import accuracy, load, snapshot, unchanged

from expertloop.core.aggregation import majority_vote
from expertloop.core.aggregation.answers import Answers
from expertloop.core.aggregation.majority_vote import MajorityVote

Row = tuple[str, str, str]
THIRD, TWO_THIRDS = 1 / 3, 2 / 3

# two workers who agree with each other, one who always says the other label
RELIABLE_VS_ADVERSARIAL: list[Row] = [
    ("r1", "t1", "a"), ("r1", "t2", "b"), ("r1", "t3", "a"),
    ("r2", "t1", "a"), ("r2", "t2", "b"), ("r2", "t3", "a"),
    ("x", "t1", "b"), ("x", "t2", "a"), ("x", "t3", "b"),
]  # fmt: skip

# id, rows, labels=, weights, expected posteriors, expected skills
Case = tuple[str, list[Row], tuple[str, ...], list[float] | None, list[list[float]], list[float]]
CASES: list[Case] = [
    (
        "unanimous",
        [(w, "t1", "a") for w in ("w1", "w2", "w3")] + [(w, "t2", "b") for w in ("w1", "w2", "w3")],
        (), None,
        [[1, 0], [0, 1]],
        [1, 1, 1],
    ),
    (
        "two-way tie",
        [("w1", "t1", "a"), ("w2", "t1", "b")],
        (), None,
        [[0.5, 0.5]],
        [0.5, 0.5],
    ),
    (
        "three-way tie then a majority",
        [("w1", "t1", "a"), ("w2", "t1", "b"), ("w3", "t1", "c"),
         ("w1", "t2", "a"), ("w2", "t2", "a"), ("w3", "t2", "c")],
        (), None,
        [[THIRD, THIRD, THIRD], [TWO_THIRDS, 0, THIRD]],
        [TWO_THIRDS, TWO_THIRDS, 1 / 6],
    ),
    (
        "a label nobody chose",
        [("w1", "t1", "a"), ("w2", "t1", "a"), ("w3", "t1", "b")],
        ("a", "b", "c"), None,
        [[TWO_THIRDS, THIRD, 0]],
        [1, 1, 0],
    ),
    (
        "single worker",
        [("w1", "t1", "b"), ("w1", "t2", "a")],
        (), None,
        [[1, 0], [0, 1]],
        [1],
    ),
    (
        "reliable vs adversarial",
        RELIABLE_VS_ADVERSARIAL,
        (), None,
        [[TWO_THIRDS, THIRD], [THIRD, TWO_THIRDS], [TWO_THIRDS, THIRD]],
        [1, 1, 0],
    ),
    (
        "the adversary weighted 3 outvotes two weighted 1",
        RELIABLE_VS_ADVERSARIAL,
        (), [1, 1, 3],
        [[0.4, 0.6], [0.6, 0.4], [0.4, 0.6]],
        [0, 0, 1],
    ),
    (
        "all weights zero: every task a tie",
        [("w1", "t1", "a"), ("w2", "t1", "a"), ("w1", "t2", "b")],
        (), [0, 0],
        [[0.5, 0.5], [0.5, 0.5]],
        [0.5, 0.5],
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "labels", "weights", "posteriors", "skills"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_fit_gives_the_hand_worked_vote_shares_and_agreement(
    rows: list[Row],
    labels: tuple[Hashable, ...],
    weights: list[float] | None,
    posteriors: list[list[float]],
    skills: list[float],
) -> None:
    answers = Answers.from_rows(rows, labels=labels)
    method = MajorityVote(weights=None if weights is None else np.array(weights, dtype=float))
    result = method.fit(answers)
    np.testing.assert_allclose(result.posteriors, posteriors, atol=1e-12)
    np.testing.assert_allclose(result.skills, skills, atol=1e-12)
    np.testing.assert_allclose(result.posteriors.sum(axis=1), 1.0)
    assert result.method == "majority_vote"


def test_fit_breaks_a_tie_towards_the_lowest_code_and_reports_its_confidence() -> None:
    result = MajorityVote().fit(Answers.from_rows([("w1", "t1", "b"), ("w2", "t1", "a")]))
    assert result.labels.tolist() == [0]  # "b", seen first
    assert result.confidence.tolist() == [0.5]


def test_fit_leaves_answers_and_weights_alone() -> None:
    answers = Answers.from_rows(RELIABLE_VS_ADVERSARIAL)
    weights = np.array([1.0, 2.0, 0.5])
    before = snapshot(answers)
    MajorityVote(weights=weights).fit(answers)
    assert unchanged(answers, before)
    assert weights.tolist() == [1.0, 2.0, 0.5]


@pytest.mark.parametrize(
    "weights",
    [np.array([1.0, 1.0]), np.array([1.0, -1.0, 1.0]), np.array([[1.0, 1.0, 1.0]])],
    ids=["wrong length", "negative", "not 1-D"],
)
def test_fit_refuses_bad_weights(weights: np.ndarray) -> None:
    answers = Answers.from_rows(RELIABLE_VS_ADVERSARIAL)
    with pytest.raises(ValueError, match="weights"):
        MajorityVote(weights=weights).fit(answers)


def test_fit_refuses_codes_without_names() -> None:
    answers = Answers.from_rows([("w1", "t1", "a")])
    broken = Answers(answers.workers, answers.tasks, np.array([3]), ["w1"], ["t1"], ["a"])
    with pytest.raises(ValueError, match="labels codes"):
        MajorityVote().fit(broken)


def test_fit_on_crowdkit_toy_gets_four_of_five() -> None:
    # t1 is a 2-2 tie between "no" (seen first, so chosen) and the true "yes"
    answers, truth = load("crowdkit_toy")
    result = MajorityVote().fit(answers)
    assert accuracy(answers, result, truth) == pytest.approx(0.8)
    assert result.confidence[answers.task_names.index("t1")] == 0.5


def test_fit_on_crowdkit_simple_gets_nine_of_ten() -> None:
    answers, truth = load("crowdkit_simple")
    assert accuracy(answers, MajorityVote().fit(answers), truth) == pytest.approx(0.9)


def test_the_docstring_example_runs() -> None:
    outcome = doctest.testmod(majority_vote)
    assert outcome.attempted > 0
    assert outcome.failed == 0
