"""What GLAD and MACE share: small cases worked out by hand, crowd-kit's fixtures, label priors
and the contract of ``fit`` (no mutation, empty input). Each method's own file tests the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from crowd_data import (
    CONSTANT_SPAMMER,
    RELIABLE,
    TRUTH,
    Row,
    fit_accuracy,
    named_labels,
    snapshot,
    unchanged,
)

from expertloop.core.aggregation.answers import Answers
from expertloop.core.aggregation.glad import GLAD
from expertloop.core.aggregation.mace import MACE

Model = Callable[..., GLAD | MACE]
MODELS: dict[str, Model] = {
    "glad": GLAD,
    "mace": lambda **options: MACE(rng=np.random.default_rng(0), **options),
}
# model, options, method name: MACE fitted by variational Bayes (its default) and by EM
VARIANTS = [
    pytest.param(GLAD, {}, "glad", id="glad"),
    pytest.param(MODELS["mace"], {"variational": True}, "mace", id="mace-vb"),
    pytest.param(MODELS["mace"], {"variational": False}, "mace", id="mace-em"),
]
SMALL_CASES = [
    pytest.param(
        [
            (worker, task, label)
            for task, label in (("t1", "a"), ("t2", "b"))
            for worker in ("w1", "w2", "w3")
        ],
        (),
        ["a", "b"],
        id="unanimous",
    ),
    pytest.param(
        # t7: the reliable w1 against the spammer alone; a plain vote would tie
        [*RELIABLE, *CONSTANT_SPAMMER, ("w1", "t7", "b"), ("w4", "t7", "a")],
        (),
        [*TRUTH, "b"],
        id="reliable-beats-constant-spammer",
    ),
    pytest.param(
        [("w1", "t1", "a"), ("w2", "t1", "a"), ("w1", "t2", "b"), ("w2", "t2", "b")],
        ("a", "b", "c"),
        ["a", "b"],
        id="label-nobody-chose",
    ),
]


@pytest.mark.parametrize(("model", "options", "method"), VARIANTS)
@pytest.mark.parametrize(("rows", "labels", "expected"), SMALL_CASES)
def test_fit_infers_labels_small_cases(
    model: Model,
    options: dict[str, Any],
    method: str,
    rows: list[Row],
    labels: tuple[str, ...],
    expected: list[str],
) -> None:
    answers = Answers.from_rows(rows, labels=labels)
    result = model(**options).fit(answers)
    assert named_labels(answers, result) == expected
    assert result.posteriors.shape == (answers.n_tasks, answers.n_labels)
    assert np.allclose(result.posteriors.sum(axis=1), 1.0)
    assert result.method == method
    assert result.converged


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_fit_unchosen_label_gets_least_probability(model: Model) -> None:
    answers = Answers.from_rows([*RELIABLE, *CONSTANT_SPAMMER], labels=["a", "b", "c"])
    posteriors = model().fit(answers).posteriors
    assert np.all(posteriors[:, 2] < posteriors[:, :2].max(axis=1))


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
@pytest.mark.parametrize("dataset", ["crowdkit_toy", "crowdkit_simple"])
def test_fit_crowdkit_fixtures_match_truth(model: Model, dataset: str) -> None:
    assert fit_accuracy(dataset, model().fit)[0] == 1.0


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_fit_does_not_mutate_answers(model: Model) -> None:
    answers = Answers.from_rows([*RELIABLE, *CONSTANT_SPAMMER], labels=["a", "b", "c"])
    before = snapshot(answers)
    model().fit(answers)
    assert unchanged(answers, before)


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_fit_fixed_label_prior_is_reported_normalised(model: Model) -> None:
    answers = Answers.from_rows([*RELIABLE, *CONSTANT_SPAMMER])
    result = model(label_prior=(1.0, 3.0)).fit(answers)
    assert np.allclose(result.extra["priors"], [0.25, 0.75])


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_fit_no_answers_gives_empty_result(model: Model) -> None:
    result = model().fit(Answers.from_rows([], labels=["a", "b"]))
    assert result.posteriors.shape == (0, 2)
    assert result.skills.shape == (0,)


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_fit_rejects_label_prior_of_wrong_length(model: Model) -> None:
    with pytest.raises(ValueError, match="3 weights, 2 labels"):
        model(label_prior=(1.0, 1.0, 1.0)).fit(Answers.from_rows(RELIABLE))
