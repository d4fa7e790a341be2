"""GLAD: what only GLAD does (abilities, difficulties, adversaries, learned label prior) and two
real datasets; test_glad_mace.py holds the cases it shares with MACE."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from crowd_data import CONSTANT_SPAMMER, RELIABLE, TRUTH, Row, fit_accuracy, load, named_labels

from expertloop.core.aggregation import glad
from expertloop.core.aggregation.answers import Answers
from expertloop.core.aggregation.glad import GLAD

ADVERSARY: list[Row] = [
    ("w4", f"t{i}", "b" if label == "a" else "a") for i, label in enumerate(TRUTH)
]


def test_fit_inverts_an_adversary() -> None:
    # t7: only the adversary answered "a", so the truth is the other label
    answers = Answers.from_rows([*RELIABLE, *ADVERSARY, ("w4", "t7", "a")])
    result = GLAD().fit(answers)
    assert named_labels(answers, result) == [*TRUTH, "b"]
    assert np.allclose(result.posteriors.sum(axis=1), 1.0)
    assert result.converged


def test_fit_ranks_constant_spammer_below_reliable_workers() -> None:
    answers = Answers.from_rows([*RELIABLE, *CONSTANT_SPAMMER])
    skills = GLAD().fit(answers).skills
    spammer = answers.worker_names.index("w4")
    assert all(skills[spammer] < skills[j] for j in range(answers.n_workers) if j != spammer)


def test_fit_gives_adversary_negative_ability() -> None:
    answers = Answers.from_rows([*RELIABLE, *ADVERSARY])
    result = GLAD().fit(answers)
    adversary = answers.worker_names.index("w4")
    assert result.extra["alpha"][adversary] < 0 < result.extra["alpha"][0]
    assert result.skills[adversary] < 0.5


@pytest.mark.parametrize(
    ("dataset", "minimum"),
    # crowd-kit 1.4.2's GLAD scores 0.9283 and 0.9480; we accept at most 0.3 points below
    [("zheng_product", 0.9283 - 0.003), ("zheng_possent", 0.9480 - 0.003)],
)
def test_fit_zheng_datasets_reach_crowdkit_accuracy(dataset: str, minimum: float) -> None:
    score, result = fit_accuracy(dataset, GLAD().fit)
    assert score >= minimum
    assert np.allclose(result.posteriors.sum(axis=1), 1.0)
    assert np.all((result.skills > 0) & (result.skills < 1))
    assert np.all(result.extra["beta"] > 0)


def test_fit_is_deterministic() -> None:
    answers, _ = load("crowdkit_simple")
    first, second = GLAD().fit(answers), GLAD().fit(answers)
    assert np.array_equal(first.posteriors, second.posteriors)
    assert np.array_equal(first.skills, second.skills)


def test_fit_learned_label_prior_follows_posteriors() -> None:
    answers = Answers.from_rows([*RELIABLE, *CONSTANT_SPAMMER])
    result = GLAD(label_prior="learned").fit(answers)
    assert named_labels(answers, result) == TRUTH
    assert result.extra["priors"] == pytest.approx([0.5, 0.5], abs=0.01)


@pytest.mark.parametrize(
    "arguments",
    [
        {"max_iter": 0},
        {"tol": -1.0},
        {"alpha_prior": (1.0, 0.0)},
        {"label_prior": "bogus"},
        {"label_prior": (1.0, 0.0)},
    ],
)
def test_glad_rejects_bad_parameters(arguments: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        GLAD(**arguments)  # type: ignore[arg-type]


def test_module_docstring_example_runs() -> None:
    assert doctest.testmod(glad).failed == 0
