"""Dawid-Skene: one full confusion matrix per worker, fitted by EM.

Model (Dawid and Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using the EM
Algorithm", Journal of the Royal Statistical Society C 28(1):20-28, 1979). Task ``t`` has a true
label ``z_t`` among ``K`` labels with prior ``rho``; worker ``w`` who sees true label ``k``
answers ``l`` with probability ``pi_w[k, l]`` (each row of ``pi_w`` sums to one)::

    P(z_t = k | answers) ∝ rho_k * prod over answers (w, t, l) of pi_w[k, l]

EM, started from the majority-vote shares ``T[t, k]``:

- M-step: ``pi_w[k, l] ∝ s + sum over answers (w, t, l) of T[t, k]`` and
  ``rho_k ∝ s + sum_t T[t, k]``, where ``s`` (``smoothing``) adds pseudo-answers so that a
  worker with few answers, or a label nobody chose, never gets a probability of exactly zero;
- E-step: the posterior above, computed in log space.

The loop stops when the log-likelihood of the answers changes by less than ``tol``, relative.
Both steps are sparse products over the answers (the task x (worker, label) indicator matrix),
so each iteration is linear in the number of answers.

``skills[w] = sum_k rho_k pi_w[k, k]``, the probability that ``w`` answers a task correctly.
``extra`` holds ``confusion`` (``pi``, workers x true label x answered label) and ``priors``
(``rho``).

Example:
    >>> from expertloop.core.aggregation.answers import Answers
    >>> rows = [("good", f"t{i}", truth) for i, truth in enumerate("aabbab")]
    >>> rows += [("fair", f"t{i}", label) for i, label in enumerate("aabbaa")]
    >>> rows += [("contrarian", f"t{i}", label) for i, label in enumerate("bbaaba")]
    >>> result = DawidSkene().fit(Answers.from_rows(rows))
    >>> "".join("ab"[code] for code in result.labels)
    'aabbab'
    >>> result.skills.round(2).tolist()
    [1.0, 0.83, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse

from expertloop.core.aggregation._em import (
    EMSettings,
    class_priors,
    normalise_rows,
    safe_log,
    softmax_rows,
)
from expertloop.core.aggregation.answers import Answers, FloatArray, LabelResult


@dataclass(frozen=True, kw_only=True)
class DawidSkene(EMSettings):
    """Dawid-Skene truth inference (see the module docstring for the model).

    ``max_iter``, ``tol`` and ``smoothing`` are as in ``EMSettings``; ``smoothing`` is added
    to every cell of every confusion matrix and to every label's prior count.
    """

    def fit(self, answers: Answers) -> LabelResult:
        """Infer each task's label and each worker's confusion matrix.

        Args:
            answers: the judgments; not modified.

        Returns:
            A ``LabelResult`` with method ``"dawid_skene"``; ``extra`` has ``confusion`` and
            ``priors``.

        Raises:
            ValueError: the answers are inconsistent (see ``Answers``).
        """
        run = self.fit_em(answers, lambda checked: _Fit(checked, self.smoothing))
        confusion, priors = run.params
        return LabelResult(
            posteriors=run.posteriors,
            skills=np.einsum("k,wkk->w", priors, confusion),
            method="dawid_skene",
            iterations=run.iterations,
            converged=run.converged,
            extra={"confusion": confusion, "priors": priors},
        )


_Params = tuple[FloatArray, FloatArray]  # confusion (W, K, K), priors (K,)


class _Fit:
    """The answers as a sparse task x (worker, label) matrix, and the two EM steps over it."""

    def __init__(self, answers: Answers, smoothing: float) -> None:
        self.n_workers, self.n_labels = answers.n_workers, answers.n_labels
        self.smoothing = smoothing
        columns = answers.workers * self.n_labels + answers.labels
        self.by_task = scipy.sparse.csr_matrix(
            (np.ones(len(columns)), (answers.tasks, columns)),
            shape=(answers.n_tasks, self.n_workers * self.n_labels),
        )
        self.by_answer = self.by_task.T.tocsr()

    def m_step(self, posteriors: FloatArray) -> _Params:
        """Confusion matrices and priors that best explain the current posteriors."""
        n_workers, n_labels = self.n_workers, self.n_labels
        counts = np.asarray(self.by_answer @ posteriors)  # [(w, answered l), true k]
        counts = counts.reshape(n_workers, n_labels, n_labels).transpose(0, 2, 1)
        confusion = normalise_rows(counts + self.smoothing)
        return confusion, class_priors(posteriors, self.smoothing)

    def e_step(self, params: _Params) -> tuple[FloatArray, float]:
        """Posteriors of the true labels and the log-likelihood of the answers."""
        confusion, priors = params
        log_confusion = safe_log(confusion).transpose(0, 2, 1)  # [w, answered l, true k]
        flat = log_confusion.reshape(self.n_workers * self.n_labels, self.n_labels)
        log_joint = np.asarray(self.by_task @ flat) + safe_log(priors)
        posteriors, log_evidence = softmax_rows(log_joint)
        return posteriors, float(log_evidence.sum())
