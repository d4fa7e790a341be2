"""Per-step aggregation of step reviews: small worked cases and ProcessBench (GSM8K) with
simulated reviewers of known accuracy."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import numpy as np
import pytest

from expertloop.core.aggregation import steps as steps_module
from expertloop.core.aggregation.answers import Answers, LabelResult
from expertloop.core.aggregation.majority_vote import MajorityVote
from expertloop.core.aggregation.steps import StepAggregation, StepJudgment

PROCESSBENCH = Path("/work/shared/data/processbench_gsm8k/gsm8k.jsonl")
C, W, N = "correct", "wrong", "neutral"


def _by_labels(*reviews: tuple[str, ...]) -> list[StepJudgment]:
    return [StepJudgment(f"w{k}", "item", review) for k, review in enumerate(reviews)]


def _by_first_error(*marks: int) -> list[StepJudgment]:
    return [StepJudgment(f"w{k}", "item", first_error=mark) for k, mark in enumerate(marks)]


@pytest.mark.parametrize(
    ("judgments", "labels", "first_error", "confidence"),
    [
        (_by_labels((C, C, C), (C, C, C), (C, C, C)), (C, C, C), -1, 1.0),
        (_by_labels((C, W, W), (C, W, C), (C, C, W)), (C, W, W), 1, 2 / 3),
        # only first errors: step 0 is wrong for 1 of 3, step 1 for nobody, step 2 for both
        # who reached it: P(first = 2) = (1 - 1/3) * 1 * 1
        (_by_first_error(2, 2, 0), (C, C, W), 2, 2 / 3),
        # "incorrect" is the step_review kind's word for wrong; neutral is not an error
        (_by_labels((C, N, "incorrect"), (C, N, C), (N, N, "incorrect")), (C, N, W), 2, 2 / 3),
        # a tie between correct and wrong goes to the lower code (correct, listed first)
        (_by_labels((C, W), (C, C)), (C, C), -1, 0.5),
    ],
)
def test_small_cases_give_the_worked_out_first_error(
    judgments: list[StepJudgment],
    labels: tuple[str, ...],
    first_error: int,
    confidence: float,
) -> None:
    result = StepAggregation(method=MajorityVote().fit).fit(judgments)
    (consensus,) = result.items
    assert consensus.labels == labels
    assert consensus.first_error == first_error
    assert consensus.confidence == pytest.approx(confidence)
    assert result.first_errors() == {"item": first_error}


def test_first_error_minus_one_needs_the_step_count() -> None:
    judgments = [StepJudgment("u", "x", first_error=-1), StepJudgment("v", "x", first_error=1)]
    with pytest.raises(ValueError, match="step count"):
        StepAggregation().fit(judgments)
    result = StepAggregation(method=MajorityVote().fit).fit(judgments, steps_per_item={"x": 3})
    assert result.items[0].labels == (C, C, C)  # step 1: a tie, so correct
    assert result.items[0].wrong == pytest.approx((0.0, 0.5, 0.0))


def test_steps_nobody_labelled_have_no_label_and_do_not_count_as_wrong() -> None:
    judgments = [StepJudgment("u", "x", (C, C)), StepJudgment("v", "x", (C, C))]
    result = StepAggregation(method=MajorityVote().fit).fit(judgments, steps_per_item={"x": 4})
    assert result.items[0].labels == (C, C, None, None)
    assert result.items[0].first_error == -1
    assert result.items[0].confidence == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("judgment", "message"),
    [
        (StepJudgment("u", "x", (C, "maybe")), "unknown step label 'maybe'"),
        (StepJudgment("u", "x", (C, W), first_error=0), "first_error 0 but .* is 1"),
        (StepJudgment("u", "x", (C, C), first_error=1), "first_error 1 but .* is -1"),
        (StepJudgment("u", "x"), "neither labels nor first_error"),
        (StepJudgment("u", "x", first_error=-2), "needs the item's step count"),
        (StepJudgment("u", "x", (C, C, C, C)), "4 labels for 3 steps"),
    ],
)
def test_bad_judgments_are_refused(judgment: StepJudgment, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StepAggregation().fit([judgment], steps_per_item={"x": 3})


def test_no_judgments_are_refused() -> None:
    with pytest.raises(ValueError, match="no step labels"):
        StepAggregation().fit([])


def test_the_method_sees_one_task_per_item_and_step() -> None:
    seen: list[Answers] = []

    def method(answers: Answers) -> LabelResult:
        seen.append(answers)
        return MajorityVote().fit(answers)

    judgments = [StepJudgment("u", "x", (C, W)), StepJudgment("u", "y", (C,))]
    StepAggregation(method=method).fit(judgments)
    assert seen[0].task_names == [("x", 0), ("x", 1), ("y", 0)]
    assert seen[0].label_names == [C, W]


def test_judgments_are_not_modified_and_skills_are_per_worker() -> None:
    judgments = _by_labels((C, W), (C, W), (W, C))
    before = list(judgments)
    result = StepAggregation().fit(judgments)
    assert judgments == before
    assert set(result.skills) == {"w0", "w1", "w2"}
    assert result.skills["w2"] < result.skills["w0"]
    assert result.label_result.method == "one_coin"


def _processbench() -> list[dict[str, object]]:
    with PROCESSBENCH.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _simulate(
    rows: list[dict[str, object]], accuracies: tuple[float, ...], rng: np.random.Generator
) -> list[StepJudgment]:
    """Reviewer ``r`` labels each step right with probability ``accuracies[r]``. Steps before
    the labelled first error are correct, that step wrong; later steps, which ProcessBench does
    not label, are wrong or correct with equal odds (they cannot change whether the first
    error is recovered)."""
    judgments = []
    for row in rows:
        first, n = int(str(row["label"])), len(row["steps"])  # type: ignore[arg-type]
        later = rng.random(n) < 0.5
        step = np.arange(n)
        truth = (step == first) | ((step > first) & (first >= 0) & later)
        for reviewer, accuracy in enumerate(accuracies):
            said = truth ^ (rng.random(n) > accuracy)
            labels = tuple(W if wrong else C for wrong in said)
            judgments.append(StepJudgment(f"r{reviewer}", row["id"], labels))
    return judgments


def _recovery(rows: list[dict[str, object]], first_errors: dict[object, int]) -> float:
    return float(np.mean([first_errors[row["id"]] == row["label"] for row in rows]))


@pytest.mark.parametrize(
    ("accuracies", "seed"),
    [((0.9, 0.8, 0.7), 0), ((0.9, 0.8, 0.7), 1), ((0.85, 0.85, 0.85), 2), ((0.97, 0.65, 0.65), 3)],
)
def test_processbench_consensus_beats_the_average_reviewer(
    accuracies: tuple[float, ...], seed: int
) -> None:
    rows = _processbench()
    assert len(rows) == 400
    judgments = _simulate(rows, accuracies, np.random.default_rng(seed))
    single = [
        _recovery(rows, {j.item: j.step_labels().index(W) if W in j.labels else -1 for j in mine})
        for mine in ([j for j in judgments if j.worker == f"r{k}"] for k in range(3))
    ]
    result = StepAggregation().fit(judgments)
    aggregate = _recovery(rows, result.first_errors())
    assert aggregate > np.mean(single) + 0.1
    assert aggregate >= max(single) - 0.05


def test_processbench_reliability_weighting_beats_plain_majority() -> None:
    rows = _processbench()
    judgments = _simulate(rows, (0.97, 0.65, 0.65), np.random.default_rng(4))
    weighted = StepAggregation().fit(judgments)
    plain = StepAggregation(method=MajorityVote().fit).fit(judgments)
    assert _recovery(rows, weighted.first_errors()) > _recovery(rows, plain.first_errors()) + 0.2
    assert weighted.skills["r0"] > max(weighted.skills["r1"], weighted.skills["r2"]) + 0.1


def test_docstring_examples_run() -> None:
    assert doctest.testmod(steps_module).failed == 0
