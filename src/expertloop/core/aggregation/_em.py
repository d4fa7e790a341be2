"""Pieces the label aggregators share: input checks, vote counts, normalisation in linear and
log space, the settings and EM loop of Dawid-Skene and its relatives, and the label prior
options of GLAD and MACE."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

import numpy as np

from expertloop.core.aggregation.answers import Answers, FloatArray, IntArray

P = TypeVar("P")
LabelPrior = Literal["learned", "uniform"] | tuple[float, ...]
_TINY = np.finfo(np.float64).tiny


def check_answers(answers: Answers) -> None:
    """Raise ``ValueError`` unless the three code arrays line up and every code has a name."""
    size = len(answers.tasks)
    if len(answers.workers) != size or len(answers.labels) != size:
        raise ValueError("workers, tasks and labels must have one code per answer")
    named = (
        ("workers", answers.workers, answers.n_workers),
        ("tasks", answers.tasks, answers.n_tasks),
        ("labels", answers.labels, answers.n_labels),
    )
    for name, codes, count in named:
        if size and (int(codes.min()) < 0 or int(codes.max()) >= count):
            raise ValueError(f"{name} codes must lie in [0, {count})")
    if answers.n_tasks and not answers.n_labels:
        raise ValueError("answers name tasks but no labels")


def vote_counts(answers: Answers, weights: FloatArray | None = None) -> FloatArray:
    """``counts[t, l]``: the (worker-weighted) number of answers giving task ``t`` label ``l``."""
    n_labels = answers.n_labels
    per_answer = None if weights is None else weights[answers.workers]
    counts = np.bincount(
        answers.tasks * n_labels + answers.labels,
        weights=per_answer,
        minlength=answers.n_tasks * n_labels,
    )
    return np.asarray(counts, dtype=np.float64).reshape(answers.n_tasks, n_labels)


def normalise_rows(matrix: FloatArray) -> FloatArray:
    """Divide each row (last axis) by its sum; a row summing to zero becomes uniform."""
    totals = matrix.sum(axis=-1, keepdims=True)
    uniform = np.full(matrix.shape, 1.0 / max(matrix.shape[-1], 1))
    return np.asarray(np.divide(matrix, totals, out=uniform, where=totals > 0))


def softmax_rows(log_matrix: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Rows of ``exp(log_matrix)`` normalised to sum to one, and each row's log-sum-exp."""
    if log_matrix.shape[1] == 0:
        return log_matrix.copy(), np.zeros(log_matrix.shape[0])
    top = log_matrix.max(axis=1, keepdims=True)
    shifted = np.exp(log_matrix - top)
    totals = shifted.sum(axis=1, keepdims=True)
    return shifted / totals, (top + np.log(totals))[:, 0]


def softmax_first_axis(log_joint: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``exp(log_joint)`` normalised over the first axis (labels), and the log-sum-exp over it.

    For tables kept labels first (numpy reduces a short last axis slowly).
    """
    top = log_joint.max(axis=0)
    posteriors = np.exp(log_joint - top)
    total = posteriors.sum(axis=0)
    posteriors /= total
    return posteriors, top + np.log(total)


def sum_at(index: IntArray, weights: FloatArray | None = None, *, minlength: int) -> FloatArray:
    """``np.bincount`` as floats (it returns integers when there is nothing to count)."""
    return np.bincount(index, weights, minlength=minlength).astype(np.float64, copy=False)


def safe_log(values: FloatArray) -> FloatArray:
    """``log`` that maps zero to a large finite negative number instead of ``-inf``."""
    return np.log(np.maximum(values, _TINY))


def class_priors(posteriors: FloatArray, smoothing: float) -> FloatArray:
    """The mean posterior per label, with ``smoothing`` pseudo-answers per label."""
    return normalise_rows(posteriors.sum(axis=0) + smoothing)


@dataclass(frozen=True)
class EMRun(Generic[P]):
    """Where an EM loop ended: posteriors from the final E-step and the parameters behind them."""

    posteriors: FloatArray
    params: P
    iterations: int
    converged: bool


def run_em(
    initial: FloatArray,
    *,
    m_step: Callable[[FloatArray], P],
    e_step: Callable[[P], tuple[FloatArray, float]],
    max_iter: int,
    tol: float,
) -> EMRun[P]:
    """Alternate M- and E-steps from ``initial`` posteriors.

    ``e_step`` returns the posteriors and the log-likelihood; the loop stops when that changes
    by at most ``tol`` relative to its size, or after ``max_iter`` E-steps.
    """
    params = m_step(initial)
    previous = -np.inf
    for iteration in range(1, max_iter + 1):
        posteriors, log_likelihood = e_step(params)
        if abs(log_likelihood - previous) <= tol * abs(log_likelihood):
            return EMRun(posteriors, params, iteration, True)
        if iteration < max_iter:
            params = m_step(posteriors)
        previous = log_likelihood
    return EMRun(posteriors, params, max_iter, False)


class EMSteps(Protocol[P]):
    """The two steps of an EM fit over parameters of type ``P``."""

    def m_step(self, posteriors: FloatArray) -> P: ...

    def e_step(self, params: P) -> tuple[FloatArray, float]: ...


@dataclass(frozen=True, kw_only=True)
class EMSettings:
    """Settings of an EM fit started from the majority-vote shares (Dawid-Skene and relatives).

    Args:
        max_iter: most EM iterations (E-steps).
        tol: stop when the log-likelihood changes by less than this, relative.
        smoothing: pseudo-answers added to every cell of each worker's (implied) confusion
            matrix and to every label's prior count; 0 gives the plain maximum-likelihood
            estimates.
    """

    max_iter: int = 100
    tol: float = 1e-5
    smoothing: float = 0.01

    def __post_init__(self) -> None:
        if self.max_iter < 1 or self.tol < 0 or self.smoothing < 0:
            raise ValueError("max_iter must be >= 1, tol and smoothing >= 0")

    def fit_em(self, answers: Answers, make_steps: Callable[[Answers], EMSteps[P]]) -> EMRun[P]:
        """Check ``answers``, then run EM with the steps built for them from the vote shares.

        Raises:
            ValueError: the answers are inconsistent (see ``check_answers``).
        """
        check_answers(answers)
        steps = make_steps(answers)
        return run_em(
            normalise_rows(vote_counts(answers)),
            m_step=steps.m_step,
            e_step=steps.e_step,
            max_iter=self.max_iter,
            tol=self.tol,
        )


def check_label_prior(label_prior: LabelPrior) -> None:
    """Raise ``ValueError`` unless ``label_prior`` is ``"learned"``, ``"uniform"`` or positive
    weights."""
    if isinstance(label_prior, str):
        if label_prior not in ("learned", "uniform"):
            raise ValueError(f"unknown label_prior {label_prior!r}")
    elif min(label_prior, default=0.0) <= 0:
        raise ValueError("label_prior weights must all be > 0")


def start_label_prior(label_prior: LabelPrior, n_labels: int) -> FloatArray:
    """The label prior to start from: fixed weights, normalised, or uniform.

    Raises:
        ValueError: fixed weights whose number is not ``n_labels``.
    """
    if isinstance(label_prior, str):
        return np.full(n_labels, 1.0 / n_labels)
    if len(label_prior) != n_labels:
        raise ValueError(f"label_prior has {len(label_prior)} weights, {n_labels} labels")
    return np.asarray(label_prior, dtype=np.float64) / sum(label_prior)
