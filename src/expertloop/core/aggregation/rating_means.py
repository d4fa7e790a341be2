"""Bias-corrected, reliability-weighted means of rubric scores.

Model (the additive-bias Gaussian rater: Piech et al. 2013, model PG1; Raykar et al. 2010 have
the per-annotator precision, without the bias, for regression). Worker ``w`` rating item ``i``
(an item may be any key, such as a ``(response, criterion)`` pair) gives

    s_wi = μ_i + b_w + e_wi,    e_wi ~ N(0, v_w),

with an unknown true score μ_i (flat prior), a bias b_w ~ N(0, v_w / k) and a variance
v_w ~ scaled-inverse-χ²(m, v0). Reliability is the precision λ_w = 1/v_w. ``fit`` runs
expectation-conditional-maximisation, starting from plain item means, b = 0 and v_w = v0:

    μ_i  = Σ_w λ_w (s_wi - b_w) / Λ_i,             Λ_i = Σ_w λ_w  (posterior N(μ_i, 1/Λ_i))
    b_w  = Σ_i (s_wi - μ_i) / (n_w + k),           then centred: b_w -= mean over workers of b
    v_w  = (Σ_i [(s_wi - μ_i - b_w)² + 1/Λ_i] + m v0) / (n_w + m)

until nothing moves by more than ``tol``. The 1/Λ_i term (the posterior variance of μ_i) stops
a precise worker's own rating from pulling μ onto itself and driving v_w to zero; ``k``
pseudo-ratings of zero bias shrink the biases of workers with few ratings; ``m`` pseudo-ratings
of variance v0 keep a worker with one rating from a zero variance. By default v0 is the
pooled within-item variance of the scores. Centring fixes the scale's origin: μ is the score
the average worker would give. The standard error of μ_i is 1/√Λ_i (bias and variances taken
as known) and its interval μ_i ± z/√Λ_i.

References:
    C. Piech, J. Huang, Z. Chen, C. Do, A. Ng and D. Koller, "Tuned models of peer assessment
    in MOOCs", Proceedings of Educational Data Mining (EDM), 2013.
    V. C. Raykar, S. Yu, L. H. Zhao, G. H. Valadez, C. Florin, L. Bogoni and L. Moy, "Learning
    from crowds", Journal of Machine Learning Research 11, 1297-1322, 2010.

Example:
    >>> rows = [("fair", "r1", 3), ("fair", "r2", 4), ("high", "r1", 4), ("high", "r2", 5)]
    >>> result = RatingMeans().fit(Ratings.from_rows(rows))
    >>> [round(float(m), 2) for m in result.means], [round(float(b), 2) for b in result.biases]
    ([3.5, 4.5], [-0.25, 0.25])

    The biases are ±0.5 shrunk by k = 2 pseudo-ratings: 2 * 0.5 / (2 + 2).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from expertloop.core.aggregation.answers import encode

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Ratings:
    """Row ``r``: worker ``workers[r]`` gave item ``items[r]`` the score ``scores[r]``.

    Raises:
        ValueError: arrays of different lengths, codes out of range or non-finite scores.
    """

    workers: IntArray
    items: IntArray
    scores: FloatArray
    worker_names: list[Hashable]
    item_names: list[Hashable]

    def __post_init__(self) -> None:
        if not len(self.workers) == len(self.items) == len(self.scores):
            raise ValueError("workers, items and scores must have the same length")
        for codes, names in ((self.workers, self.worker_names), (self.items, self.item_names)):
            if codes.size and (codes.min() < 0 or codes.max() >= len(names)):
                raise ValueError("codes must index their names")
        if not np.all(np.isfinite(self.scores)):
            raise ValueError("scores must be finite numbers")

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[Hashable, Hashable, float]]) -> Ratings:
        """Build from ``(worker, item, score)`` rows; a repeated (worker, item) keeps the last.

        Example:
            >>> ratings = Ratings.from_rows([("w1", ("resp1", "accuracy"), 4), ("w1", "x", 2)])
            >>> ratings.item_names, ratings.scores.tolist()
            ([('resp1', 'accuracy'), 'x'], [4.0, 2.0])
        """
        latest: dict[tuple[Hashable, Hashable], float] = {}
        for worker, item, score in rows:
            latest.pop((worker, item), None)
            latest[(worker, item)] = float(score)
        worker_names, workers = encode([worker for worker, _ in latest])
        item_names, items = encode([item for _, item in latest])
        scores = np.asarray(list(latest.values()), dtype=np.float64)
        return cls(workers, items, scores, worker_names, item_names)


@dataclass(frozen=True)
class RatingMeansResult:
    """Per item: ``means`` (bias-corrected, precision-weighted), ``standard_errors``, the
    ``level`` interval ``[low, high]`` and ``counts`` of ratings. Per worker: ``biases`` (how
    much higher than the average worker they score), ``variances`` v_w and ``reliabilities``,
    the precisions 1/v_w divided by the largest (the most consistent worker has 1).
    """

    means: FloatArray
    standard_errors: FloatArray
    low: FloatArray
    high: FloatArray
    counts: IntArray
    biases: FloatArray
    variances: FloatArray
    reliabilities: FloatArray
    item_names: list[Hashable]
    worker_names: list[Hashable]
    level: float
    iterations: int
    converged: bool


@dataclass(frozen=True)
class _State:
    means: FloatArray
    precision_sums: FloatArray
    biases: FloatArray
    variances: FloatArray


class RatingMeans:
    """The additive-bias Gaussian rater model of the module docstring.

    Args:
        bias_prior: ``k``, pseudo-ratings of zero bias each worker starts with.
        variance_prior: ``m``, pseudo-ratings of variance ``v0`` each worker starts with.
        prior_variance: ``v0``; ``None`` for the pooled within-item variance of the scores.
        level: coverage of the intervals.
        max_iter: sweeps at most.
        tol: stop when no mean, bias or standard deviation moves by more than this.
    """

    def __init__(
        self,
        *,
        bias_prior: float = 2.0,
        variance_prior: float = 2.0,
        prior_variance: float | None = None,
        level: float = 0.95,
        max_iter: int = 500,
        tol: float = 1e-8,
    ) -> None:
        if bias_prior < 0 or variance_prior <= 0:
            raise ValueError("bias_prior must be >= 0 and variance_prior > 0")
        if prior_variance is not None and not prior_variance > 0:
            raise ValueError("prior_variance must be positive")
        if not 0 < level < 1:
            raise ValueError("level must lie in (0, 1)")
        self.bias_prior = bias_prior
        self.variance_prior = variance_prior
        self.prior_variance = prior_variance
        self.level = level
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, ratings: Ratings) -> RatingMeansResult:
        """Estimate item means and worker biases and variances (``ratings`` is not modified).

        Raises:
            ValueError: no ratings.
        """
        if not len(ratings.scores):
            raise ValueError("no ratings to aggregate")
        v0 = self._prior_variance(ratings)
        n_workers = len(ratings.worker_names)
        state = self._means(ratings, np.zeros(n_workers), np.full(n_workers, v0))
        iterations, converged = 0, False
        while iterations < self.max_iter and not converged:
            iterations += 1
            updated = self._sweep(ratings, state, v0)
            converged = _moved(state, updated) < self.tol
            state = updated
        return self._result(ratings, state, iterations, converged)

    def _prior_variance(self, ratings: Ratings) -> float:
        if self.prior_variance is not None:
            return self.prior_variance
        n_items = len(ratings.item_names)
        counts = np.bincount(ratings.items, minlength=n_items)
        means = np.bincount(ratings.items, ratings.scores, n_items) / np.maximum(counts, 1)
        freedom = len(ratings.scores) - int(np.count_nonzero(counts))
        pooled = float(np.sum((ratings.scores - means[ratings.items]) ** 2)) / max(freedom, 1)
        floor = 1e-6 * max(1.0, float(np.var(ratings.scores)))
        return max(pooled, floor)

    def _means(self, ratings: Ratings, biases: FloatArray, variances: FloatArray) -> _State:
        n_items = len(ratings.item_names)
        weights = 1.0 / variances[ratings.workers]
        corrected = ratings.scores - biases[ratings.workers]
        precision_sums = np.bincount(ratings.items, weights, n_items).astype(np.float64)
        means = np.bincount(ratings.items, weights * corrected, n_items) / precision_sums
        return _State(means, precision_sums, biases, variances)

    def _sweep(self, ratings: Ratings, state: _State, v0: float) -> _State:
        n_workers = len(ratings.worker_names)
        counts = np.bincount(ratings.workers, minlength=n_workers)
        current = self._means(ratings, state.biases, state.variances)
        residuals = ratings.scores - current.means[ratings.items]
        biases = np.bincount(ratings.workers, residuals, n_workers) / (counts + self.bias_prior)
        biases = biases - biases.mean()
        errors = (residuals - biases[ratings.workers]) ** 2 + 1.0 / current.precision_sums[
            ratings.items
        ]
        squares = np.bincount(ratings.workers, errors, n_workers)
        variances = (squares + self.variance_prior * v0) / (counts + self.variance_prior)
        return self._means(ratings, biases, variances)

    def _result(
        self, ratings: Ratings, state: _State, iterations: int, converged: bool
    ) -> RatingMeansResult:
        z = NormalDist().inv_cdf(0.5 + self.level / 2)
        errors = 1.0 / np.sqrt(state.precision_sums)
        precisions = 1.0 / state.variances
        return RatingMeansResult(
            means=state.means,
            standard_errors=errors,
            low=state.means - z * errors,
            high=state.means + z * errors,
            counts=np.bincount(ratings.items, minlength=len(ratings.item_names)).astype(np.int64),
            biases=state.biases,
            variances=state.variances,
            reliabilities=precisions / precisions.max(),
            item_names=list(ratings.item_names),
            worker_names=list(ratings.worker_names),
            level=self.level,
            iterations=iterations,
            converged=converged,
        )


def _moved(before: _State, after: _State) -> float:
    """The largest change in a mean, a bias or a standard deviation."""
    changes = (
        np.abs(after.means - before.means),
        np.abs(after.biases - before.biases),
        np.abs(np.sqrt(after.variances) - np.sqrt(before.variances)),
    )
    return float(max(np.max(change, initial=0.0) for change in changes))
