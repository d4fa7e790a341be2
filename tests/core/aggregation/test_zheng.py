"""The label methods on two real crowdsourcing datasets with full truth, against published
figures: Zheng, Li, Li, Shan and Cheng, "Truth Inference in Crowdsourcing: Is the Problem
Solved?", PVLDB 10(5), 2017, Table 6, and crowd-kit 1.4.2 (shared/data/README.md).

Accuracy is measured over the tasks of truth.csv that have answers (all of them here).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import cache

import numpy as np
import pytest
from crowd_data import accuracy, f1, load

from expertloop.core.aggregation.answers import Answers, LabelResult
from expertloop.core.aggregation.dawid_skene import DawidSkene
from expertloop.core.aggregation.majority_vote import MajorityVote
from expertloop.core.aggregation.one_coin import OneCoinDawidSkene

Fit = Callable[[Answers], LabelResult]
METHODS: dict[str, Fit] = {
    "mv": MajorityVote().fit,
    "ds": DawidSkene().fit,
    "onecoin": OneCoinDawidSkene().fit,
}
SLACK = 0.003  # 0.3 points below crowd-kit's figure

# dataset, method, floor, what we measured. Floors: crowd-kit's figure minus 0.3 points and,
# for Dawid-Skene, the paper's figure too; one-coin has no published figure here: it must beat
# majority vote.
ACCURACY: list[tuple[str, str, float, float]] = [
    ("zheng_product", "mv", 0.8966 - SLACK, 0.8966),  # paper 89.66%
    ("zheng_product", "ds", max(0.9366, 0.9397 - SLACK), 0.9396),  # paper 93.66%
    ("zheng_product", "onecoin", 0.8966, 0.9281),
    ("zheng_possent", "mv", 0.9320 - SLACK, 0.9320),  # paper 93.31%
    ("zheng_possent", "ds", max(0.9600, 0.9600 - SLACK), 0.9600),  # paper 96.00%
    ("zheng_possent", "onecoin", 0.9320, 0.9510),
]

# D_Product's minority label ("1" for 0.12 of tasks): F1, paper: MV 59.05%, DS 71.59%
MINORITY_F1: list[tuple[str, float, float]] = [
    ("mv", 0.5905 - SLACK, 0.5905),
    ("ds", 0.7159, 0.7205),
    ("onecoin", 0.5905, 0.6363),
]


@cache
def fitted(dataset: str, method: str) -> tuple[Answers, dict[str, str], LabelResult]:
    answers, truth = load(dataset)
    return answers, truth, METHODS[method](answers)


@pytest.mark.parametrize(
    ("dataset", "method", "floor", "measured"),
    ACCURACY,
    ids=[f"{dataset}-{method}" for dataset, method, _, _ in ACCURACY],
)
def test_accuracy_reaches_the_published_figure(
    dataset: str, method: str, floor: float, measured: float
) -> None:
    answers, truth, result = fitted(dataset, method)
    score = accuracy(answers, result, truth)
    assert score >= floor - 1e-9
    assert score == pytest.approx(measured, abs=5e-5)  # what this code gets today
    np.testing.assert_allclose(result.posteriors.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    ("method", "floor", "measured"), MINORITY_F1, ids=[row[0] for row in MINORITY_F1]
)
def test_minority_label_f1_on_product_reaches_the_published_figure(
    method: str, floor: float, measured: float
) -> None:
    answers, truth, result = fitted("zheng_product", method)
    minority = min(Counter(truth.values()).items(), key=lambda item: item[1])[0]
    assert minority == "1"
    score = f1(answers, result, truth, minority)
    assert score >= floor - 1e-9
    assert score == pytest.approx(measured, abs=5e-5)


def test_one_coin_does_better_on_product_with_uniform_priors() -> None:
    # the one_coin docstring's claim: learned priors drift to the common label (90.86%)
    answers, truth = load("zheng_product")
    uniform = accuracy(answers, OneCoinDawidSkene().fit(answers), truth)
    learned = accuracy(answers, OneCoinDawidSkene(learn_priors=True).fit(answers), truth)
    assert learned == pytest.approx(0.9086, abs=5e-5)
    assert uniform > learned + 0.01


@pytest.mark.parametrize("dataset", ["zheng_product", "zheng_possent"])
def test_dawid_skene_converges_and_ranks_workers(dataset: str) -> None:
    result = fitted(dataset, "ds")[2]
    assert result.converged
    assert result.iterations < 100
    assert np.all((result.skills >= 0) & (result.skills <= 1))
    assert result.skills.std() > 0.05  # workers differ, and the skills show it
