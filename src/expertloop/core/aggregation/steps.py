"""Per-step consensus for step reviews, and each item's consensus first wrong step.

A step review labels every step ``j`` of an item's solution ``correct``, ``wrong`` or
``neutral`` (``incorrect``, the ``step_review`` kind's word, is read as ``wrong``) and marks the
first wrong step (``-1``: none). Each (item, step) is a task for a label method over
``Answers`` (all steps of all items in one fit, so a worker's reliability is measured on every
step they labelled). Writing ``q_j = P(step j is wrong | answers)`` from that method, the
item's consensus first error is the first step whose consensus label is ``wrong`` (``-1`` if
none), and its confidence is the probability of exactly that outcome when steps are taken as
independent given the answers:

    P(first error = k) = q_k · Π_{j<k} (1 - q_j),        P(first error = -1) = Π_j (1 - q_j).

The default method is one-coin Dawid-Skene (``one_coin``): a vote in which each worker counts
with the log-odds of their estimated accuracy, log(p_w (K - 1) / (1 - p_w)), so its posteriors
are calibrated under that model. Any ``Answers -> LabelResult`` callable can replace it (e.g.
``MajorityVote().fit``).

A judgment may give only its first error: steps before it count as ``correct``, the step
itself as ``wrong``, later steps as not labelled (``-1`` needs the item's step count). Steps
nobody labelled have no consensus label and count as not wrong.

References:
    A. P. Dawid and A. M. Skene, "Maximum likelihood estimation of observer error-rates using
    the EM algorithm", Journal of the Royal Statistical Society C 28(1), 20-28, 1979.
    H. Lightman et al., "Let's verify step by step", ICLR 2024 (per-step human labels).
    C. Zheng et al., "ProcessBench: identifying process errors in mathematical reasoning",
    2024 (the earliest wrong step as the label; the data used in the tests).

Example:
    >>> judgments = [
    ...     StepJudgment("w1", "item", ("correct", "wrong", "wrong")),
    ...     StepJudgment("w2", "item", ("correct", "wrong", "correct")),
    ...     StepJudgment("w3", "item", ("correct", "correct", "wrong")),
    ... ]
    >>> from expertloop.core.aggregation.majority_vote import MajorityVote
    >>> result = StepAggregation(method=MajorityVote().fit).fit(judgments)
    >>> consensus = result.items[0]
    >>> consensus.labels, consensus.first_error, round(consensus.confidence, 3)
    (('correct', 'wrong', 'wrong'), 1, 0.667)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import cast

import numpy as np

from expertloop.core.aggregation.answers import Answers, LabelResult
from expertloop.core.aggregation.one_coin import OneCoinDawidSkene

LABELS = ("correct", "wrong", "neutral")
"""Step labels, in the order their codes take (labels nobody used are left out of a fit)."""
ALIASES = {"incorrect": "wrong"}
"""Other words accepted for a label."""
WRONG = "wrong"

LabelMethod = Callable[[Answers], LabelResult]


@dataclass(frozen=True)
class StepJudgment:
    """One worker's review of one item: per-step ``labels`` and/or the ``first_error``.

    Given both, they must agree (``first_error`` is the first ``wrong`` label, -1 if none).
    """

    worker: Hashable
    item: Hashable
    labels: tuple[str, ...] = ()
    first_error: int | None = None

    def step_labels(self, n_steps: int | None = None) -> tuple[str, ...]:
        """The labels this judgment gives, one per step from step 0 (perhaps fewer than the
        item has).

        Raises:
            ValueError: an unknown label, labels and ``first_error`` that disagree, neither
                given, or ``first_error=-1`` alone without ``n_steps``.
        """
        if self.labels:
            labels = tuple(_label(label, self.worker, self.item) for label in self.labels)
            derived = labels.index(WRONG) if WRONG in labels else -1
            if self.first_error is not None and self.first_error != derived:
                raise ValueError(
                    f"{self.worker!r} on {self.item!r}: first_error {self.first_error} but the "
                    f"labels' first wrong step is {derived}"
                )
            return labels
        return self._from_first_error(n_steps)

    def _from_first_error(self, n_steps: int | None) -> tuple[str, ...]:
        where = f"{self.worker!r} on {self.item!r}"
        if self.first_error is None:
            raise ValueError(f"{where}: neither labels nor first_error")
        if self.first_error >= 0:
            return ("correct",) * self.first_error + (WRONG,)
        if self.first_error == -1 and n_steps is not None:
            return ("correct",) * n_steps
        raise ValueError(f"{where}: first_error {self.first_error} needs the item's step count")


def _label(label: str, worker: Hashable, item: Hashable) -> str:
    name = ALIASES.get(label, label)
    if name not in LABELS:
        raise ValueError(f"{worker!r} on {item!r}: unknown step label {label!r}")
    return name


@dataclass(frozen=True)
class ItemSteps:
    """An item's consensus: per step the ``labels`` (``None``: nobody labelled it), the
    probability each is ``wrong``, the consensus ``first_error`` (-1: none) and its
    ``confidence``.
    """

    item: Hashable
    labels: tuple[str | None, ...]
    wrong: tuple[float, ...]
    first_error: int
    confidence: float


@dataclass(frozen=True)
class StepsResult:
    """Per-item consensus (``items``, in first-seen order), the label method's own result over
    the (item, step) tasks, and each worker's skill as that method measures it.
    """

    items: tuple[ItemSteps, ...]
    label_result: LabelResult
    skills: dict[Hashable, float] = field(default_factory=dict)

    def first_errors(self) -> dict[Hashable, int]:
        """Each item's consensus first wrong step (-1: none)."""
        return {steps.item: steps.first_error for steps in self.items}


class StepAggregation:
    """Per-step consensus and first errors (the model is in the module docstring).

    Args:
        method: turns the (item, step) answers into a ``LabelResult``; default
            ``OneCoinDawidSkene().fit``.
    """

    def __init__(self, *, method: LabelMethod | None = None) -> None:
        self.method: LabelMethod = method or OneCoinDawidSkene().fit

    def fit(
        self,
        judgments: Iterable[StepJudgment],
        *,
        steps_per_item: Mapping[Hashable, int] | None = None,
    ) -> StepsResult:
        """Aggregate the judgments (not modified).

        Args:
            judgments: one per worker and item; a repeated pair keeps the last.
            steps_per_item: each item's step count, for judgments that give only
                ``first_error=-1`` and for steps nobody labelled at the end of an item.

        Raises:
            ValueError: a bad judgment (see ``StepJudgment.step_labels``), labels past an
                item's step count, or no judgments.
        """
        sizes = dict(steps_per_item or {})
        rows = _answer_rows(judgments, sizes)
        if not rows:
            raise ValueError("no step labels to aggregate")
        used = {label for _, _, label in rows}
        answers = Answers.from_rows(rows, labels=[label for label in LABELS if label in used])
        result = self.method(answers)
        items = _consensus(answers, result, sizes)
        skills = {
            name: float(result.skills[code]) for code, name in enumerate(answers.worker_names)
        }
        return StepsResult(items=items, label_result=result, skills=skills)


def _answer_rows(
    judgments: Iterable[StepJudgment], sizes: Mapping[Hashable, int]
) -> list[tuple[Hashable, Hashable, str]]:
    """``(worker, (item, step), label)`` rows."""
    rows: list[tuple[Hashable, Hashable, str]] = []
    for judgment in judgments:
        labels = judgment.step_labels(sizes.get(judgment.item))
        if judgment.item in sizes and len(labels) > sizes[judgment.item]:
            raise ValueError(
                f"{judgment.worker!r} on {judgment.item!r}: {len(labels)} labels for "
                f"{sizes[judgment.item]} steps"
            )
        item = judgment.item
        rows.extend((judgment.worker, (item, step), label) for step, label in enumerate(labels))
    return rows


def _consensus(
    answers: Answers, result: LabelResult, sizes: Mapping[Hashable, int]
) -> tuple[ItemSteps, ...]:
    """Group the per-task posteriors by item and derive each item's first error."""
    names = answers.label_names
    wrong_code = names.index(WRONG) if WRONG in names else None
    per_item: dict[Hashable, dict[int, tuple[str, float]]] = {}
    for code, task in enumerate(answers.task_names):
        item, step = cast(tuple[Hashable, int], task)
        posterior = result.posteriors[code]
        wrong = float(posterior[wrong_code]) if wrong_code is not None else 0.0
        per_item.setdefault(item, {})[step] = (str(names[int(posterior.argmax())]), wrong)
    return tuple(_item_steps(item, steps, sizes.get(item, 0)) for item, steps in per_item.items())


def _item_steps(item: Hashable, steps: Mapping[int, tuple[str, float]], size: int) -> ItemSteps:
    n_steps = max(size, max(steps) + 1)
    labels = tuple(steps[j][0] if j in steps else None for j in range(n_steps))
    wrong = np.array([steps[j][1] if j in steps else 0.0 for j in range(n_steps)])
    first = labels.index(WRONG) if WRONG in labels else -1
    survive = np.prod(1.0 - wrong[:first]) if first >= 0 else np.prod(1.0 - wrong)
    confidence = float(survive * wrong[first]) if first >= 0 else float(survive)
    return ItemSteps(item, labels, tuple(float(q) for q in wrong), first, confidence)
