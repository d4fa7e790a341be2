"""(Weighted) majority vote.

Model: each answer is one vote, worth ``v_w >= 0`` for its worker (1 by default). For task ``t``
and label ``l``::

    V[t, l]          = sum over answers (w, t, l) of v_w
    posteriors[t, l] = V[t, l] / sum_k V[t, k]        (uniform when the task has no votes)

so tied labels share the mass evenly and the confidence of a tie shows it (two labels with two
votes each: 0.5). ``skills[w]`` is worker ``w``'s agreement with the majority: the mean over
their answers of ``1 / m_t`` when the answer is one of the ``m_t`` top labels of its task, else
0 (a worker without answers gets ``1 / K``, chance).

The baseline of every truth-inference survey, e.g. Zheng, Li, Li, Shan and Cheng, "Truth
Inference in Crowdsourcing: Is the Problem Solved?", PVLDB 10(5):541-552, 2017 (section 4).

Example:
    >>> from expertloop.core.aggregation.answers import Answers
    >>> answers = Answers.from_rows([
    ...     ("w1", "t1", "cat"), ("w2", "t1", "cat"), ("w3", "t1", "dog"),
    ...     ("w1", "t2", "dog"), ("w3", "t2", "cat"),
    ... ])
    >>> result = MajorityVote().fit(answers)
    >>> result.posteriors.round(3).tolist()
    [[0.667, 0.333], [0.5, 0.5]]
    >>> result.skills.round(3).tolist()
    [0.75, 1.0, 0.25]
    >>> import numpy as np
    >>> MajorityVote(weights=np.array([1.0, 1.0, 3.0])).fit(answers).labels.tolist()
    [1, 0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from expertloop.core.aggregation._em import check_answers, normalise_rows, vote_counts
from expertloop.core.aggregation.answers import Answers, FloatArray, LabelResult

_TIE_TOLERANCE = 1e-12  # relative: weighted sums that differ only by rounding are a tie


@dataclass(frozen=True, kw_only=True, eq=False)
class MajorityVote:
    """Majority vote, optionally weighted (see the module docstring for the model).

    Args:
        weights: one non-negative weight per worker code; ``None`` counts every answer once.
    """

    weights: FloatArray | None = None

    def __post_init__(self) -> None:
        if self.weights is None:
            return
        if self.weights.ndim != 1 or not np.all(np.isfinite(self.weights)):
            raise ValueError("weights must be a 1-D array of finite numbers")
        if np.any(self.weights < 0):
            raise ValueError("weights must be >= 0")

    def fit(self, answers: Answers) -> LabelResult:
        """Count (weighted) votes per task and label.

        Args:
            answers: the judgments; not modified.

        Returns:
            A ``LabelResult`` with method ``"majority_vote"``; ``extra["votes"]`` holds ``V``.

        Raises:
            ValueError: the answers are inconsistent, or ``weights`` has not one entry per
                worker.
        """
        check_answers(answers)
        if self.weights is not None and len(self.weights) != answers.n_workers:
            raise ValueError(
                f"weights has {len(self.weights)} entries for {answers.n_workers} workers"
            )
        votes = vote_counts(answers, self.weights)
        return LabelResult(
            posteriors=normalise_rows(votes),
            skills=_agreement_with_majority(answers, votes),
            method="majority_vote",
            extra={"votes": votes},
        )


def _agreement_with_majority(answers: Answers, votes: FloatArray) -> FloatArray:
    """Each worker's mean share of the majority (``1 / m`` for one of ``m`` tied top labels)."""
    if votes.size == 0:
        return np.full(answers.n_workers, 1.0 / max(answers.n_labels, 1))
    top = votes >= votes.max(axis=1, keepdims=True) * (1 - _TIE_TOLERANCE)
    share = normalise_rows(np.asarray(top, dtype=np.float64))
    per_answer = share[answers.tasks, answers.labels]
    agreed = np.bincount(answers.workers, weights=per_answer, minlength=answers.n_workers)
    answered = np.bincount(answers.workers, minlength=answers.n_workers)
    chance = np.full(answers.n_workers, 1.0 / max(answers.n_labels, 1))
    return np.asarray(np.divide(agreed, answered, out=chance, where=answered > 0))
