"""Bradley-Terry strengths from pairwise comparisons (which of two responses is better).

Model (Bradley & Terry 1952). Item ``i`` has a log-strength θ_i and

    P(i beats j) = exp(θ_i) / (exp(θ_i) + exp(θ_j)) = expit(θ_i - θ_j),

expit(x) = 1 / (1 + exp(-x)) being the logistic function.

Comparison ``c`` sets item l_c (left) against item r_c (right) with outcome y_c (1 left wins,
0 right wins, 1/2 tie) and weight w_c >= 0. **Ties count as half a win for each side** (no tie
parameter as in the Rao-Kupper or Davidson extensions), so the log-likelihood is

    l(θ) = Σ_c w_c [ y_c log expit(θ_lc - θ_rc) + (1 - y_c) log expit(θ_rc - θ_lc) ].

With ``prior=τ`` we maximise l(θ) - |θ|² / (2τ²), i.e. a Gaussian prior θ_i ~ N(0, τ²): every
estimate is finite, even for an item that always wins, and the optimum is centred (Σ_i θ_i = 0,
since the gradient of l sums to zero over items). With ``prior=None`` we maximise l(θ) subject
to Σ_i θ_i = 0; that maximum exists if and only if the "beats" graph is strongly connected
(Hunter 2004, Assumption 1, after Ford 1957), which ``fit`` checks.

Fitting is Newton's method with step halving on this concave objective. With X the design
(row c is e_lc - e_rc) and p_c = expit(θ_lc - θ_rc), the gradient is Xᵀ w (y - p) - θ/τ² and the
Fisher information I = Xᵀ diag(w p (1 - p)) X. Only differences between items carry
information, so the reported covariance is that of the centred scores, P (I + 1/τ²)⁻¹ P with
P = 1 - 11ᵀ/n the centring projection (a Laplace approximation; without a prior it is the
pseudo-inverse I⁺); standard errors are the square roots of its diagonal and intervals are
θ ± z·se (Wald). Comparisons are first summed per ordered pair; the dense Hessian costs O(n²)
memory, so this is meant for up to a few thousand items.

References:
    R. A. Bradley and M. E. Terry, "Rank analysis of incomplete block designs: I. The method of
    paired comparisons", Biometrika 39(3/4), 324-345, 1952.
    D. R. Hunter, "MM algorithms for generalized Bradley-Terry models", The Annals of
    Statistics 32(1), 384-406, 2004.
    L. R. Ford Jr., "Solution of a ranking problem from binary comparisons", The American
    Mathematical Monthly 64(8), 28-33, 1957.

Example:
    >>> data = Comparisons.from_rows(
    ...     [("a", "b", "left"), ("a", "b", "left"), ("a", "b", "left"), ("a", "b", "right")]
    ... )
    >>> result = BradleyTerry(prior=None).fit(data)
    >>> round(float(result.scores[0] - result.scores[1]), 4)  # ln 3
    1.0986
    >>> result.ranking()
    ['a', 'b']
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

WINNER_OUTCOMES = {"left": 1.0, "right": 0.0, "tie": 0.5}
"""What ``Comparisons.from_rows`` accepts as the winner, and the outcome each stands for."""


@dataclass(frozen=True)
class Comparisons:
    """Comparison ``c`` sets item ``left[c]`` against item ``right[c]`` (codes into
    ``item_names``); ``outcome[c]`` is 1.0 when left wins, 0.0 when right wins, 0.5 for a tie
    (any value in [0, 1] is read as that share of a win). ``weight[c]`` (default 1) scales it.

    Raises:
        ValueError: arrays of different lengths, codes out of range, an item set against
            itself, an outcome outside [0, 1] or a negative or non-finite weight.
    """

    left: IntArray
    right: IntArray
    outcome: FloatArray
    item_names: list[Hashable]
    weight: FloatArray | None = None

    def __post_init__(self) -> None:
        n = len(self.left)
        lengths = {len(self.right), len(self.outcome)}
        if self.weight is not None:
            lengths.add(len(self.weight))
        if lengths != {n}:
            raise ValueError("left, right, outcome and weight must have the same length")
        codes = np.concatenate([self.left, self.right])
        if codes.size and (codes.min() < 0 or codes.max() >= len(self.item_names)):
            raise ValueError("item codes must index item_names")
        if np.any(self.left == self.right):
            raise ValueError("an item cannot be compared with itself")
        if not np.all((self.outcome >= 0.0) & (self.outcome <= 1.0)):
            raise ValueError("outcomes must lie in [0, 1]")
        if self.weight is not None and not np.all(np.isfinite(self.weight) & (self.weight >= 0)):
            raise ValueError("weights must be finite and non-negative")

    @property
    def n_items(self) -> int:
        return len(self.item_names)

    @property
    def weights(self) -> FloatArray:
        """The weights, ones when none were given."""
        if self.weight is None:
            return np.ones(len(self.left), dtype=np.float64)
        return np.asarray(self.weight, dtype=np.float64)

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[tuple[Hashable, Hashable, str]],
        *,
        weights: Iterable[float] | None = None,
    ) -> Comparisons:
        """Build from ``(left, right, winner)`` rows, winner one of ``left``, ``right``, ``tie``.

        Raises:
            ValueError: an unknown winner (the message names the row, counted from 0).

        Example:
            >>> data = Comparisons.from_rows([("x", "y", "tie"), ("y", "z", "left")])
            >>> data.item_names, data.left.tolist(), data.outcome.tolist()
            (['x', 'y', 'z'], [0, 1], [0.5, 1.0])
        """
        pairs: list[tuple[Hashable, Hashable]] = []
        outcomes: list[float] = []
        for number, (left, right, winner) in enumerate(rows):
            if winner not in WINNER_OUTCOMES:
                raise ValueError(f"row {number}: winner must be left, right or tie, not {winner!r}")
            pairs.append((left, right))
            outcomes.append(WINNER_OUTCOMES[winner])
        names, codes = encode(item for pair in pairs for item in pair)
        codes = codes.reshape(-1, 2)
        weight = None if weights is None else np.asarray(list(weights), dtype=np.float64)
        return cls(
            codes[:, 0].copy(), codes[:, 1].copy(), np.asarray(outcomes), names, weight=weight
        )


@dataclass(frozen=True)
class BradleyTerryResult:
    """Fitted log-strengths. ``scores[i]`` is item ``i``'s log-strength (centred: they sum to
    zero), ``standard_errors[i]`` its standard error, ``[low[i], high[i]]`` its ``level``
    interval; ``covariance`` the full covariance, for differences between items.
    """

    scores: FloatArray
    standard_errors: FloatArray
    low: FloatArray
    high: FloatArray
    covariance: FloatArray
    item_names: list[Hashable]
    level: float
    iterations: int
    converged: bool

    def order(self) -> IntArray:
        """Item codes best first (equal scores keep code order)."""
        return np.asarray(np.argsort(-self.scores, kind="stable"), dtype=np.int64)

    def ranking(self) -> list[Hashable]:
        """Item names best first."""
        return [self.item_names[code] for code in self.order()]

    def win_probability(self, first: int, second: int) -> float:
        """The fitted probability that item ``first`` beats item ``second`` (codes)."""
        return float(1.0 / (1.0 + np.exp(self.scores[second] - self.scores[first])))


@dataclass(frozen=True)
class _Pairs:
    """Comparisons summed per ordered (left, right) pair: the likelihood depends only on these."""

    left: IntArray
    right: IntArray
    total: FloatArray
    wins: FloatArray
    n_items: int


def _pairs(data: Comparisons) -> _Pairs:
    n = data.n_items
    weights = data.weights
    keep = weights > 0
    keys = data.left[keep] * n + data.right[keep]
    unique, inverse = np.unique(keys, return_inverse=True)
    total = np.bincount(inverse, weights=weights[keep], minlength=len(unique))
    wins = np.bincount(inverse, weights=weights[keep] * data.outcome[keep], minlength=len(unique))
    return _Pairs(unique // n, unique % n, total.astype(np.float64), wins.astype(np.float64), n)


def _reaches_all(sources: IntArray, targets: IntArray, n: int) -> bool:
    """Whether every node is reachable from node 0 along the edges ``sources -> targets``."""
    seen = np.zeros(n, dtype=bool)
    seen[0] = True
    frontier = np.array([0])
    while frontier.size:
        step = targets[np.isin(sources, frontier)]
        frontier = np.unique(step[~seen[step]])
        seen[frontier] = True
    return bool(seen.all())


def beats_graph_is_connected(pairs: _Pairs) -> bool:
    """Whether every split of the items into two sets has a win (or tie) across it each way,
    i.e. the graph with an edge i -> j when i beat j at least once is strongly connected.
    """
    forward = pairs.wins > 0
    backward = pairs.total - pairs.wins > 0
    winners = np.concatenate([pairs.left[forward], pairs.right[backward]])
    losers = np.concatenate([pairs.right[forward], pairs.left[backward]])
    n = pairs.n_items
    return n < 2 or (_reaches_all(winners, losers, n) and _reaches_all(losers, winners, n))


class BradleyTerry:
    """Penalised maximum-likelihood Bradley-Terry (the model is in the module docstring).

    Args:
        prior: standard deviation ``tau`` of the Gaussian prior on each log-strength; ``None``
            for plain maximum likelihood with centred scores (needs a strongly connected
            "beats" graph). The default 4 barely moves well-measured items (a log-odds of 8
            between two items is two prior standard deviations).
        level: coverage of the intervals ``low``/``high``.
        max_iter: Newton iterations at most.
        tol: stop when no score moves by more than this.
    """

    def __init__(
        self,
        *,
        prior: float | None = 4.0,
        level: float = 0.95,
        max_iter: int = 100,
        tol: float = 1e-9,
    ) -> None:
        if prior is not None and not prior > 0:
            raise ValueError("prior must be a positive standard deviation or None")
        if not 0 < level < 1:
            raise ValueError("level must lie in (0, 1)")
        self.prior = prior
        self.level = level
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, data: Comparisons) -> BradleyTerryResult:
        """Fit log-strengths to ``data`` (not modified).

        Raises:
            ValueError: no items, or ``prior=None`` and the maximum-likelihood estimate does
                not exist (some group of items never loses to, or never beats, the rest).
        """
        if not data.n_items:
            raise ValueError("no items to rank")
        pairs = _pairs(data)
        if self.prior is None and not beats_graph_is_connected(pairs):
            raise ValueError(
                "no finite maximum-likelihood scores: some items never lose (or never win) "
                "against the rest; set a prior"
            )
        theta = np.zeros(data.n_items)
        iterations, converged = 0, False
        while iterations < self.max_iter and not converged:
            iterations += 1
            gradient = self._gradient(pairs, theta)
            step = np.asarray(np.linalg.solve(self._curvature(pairs, theta), gradient))
            theta = self._line_search(pairs, theta, step)
            converged = bool(np.max(np.abs(step), initial=0.0) < self.tol)
        return self._result(data, pairs, theta, iterations, converged)

    def _penalty(self) -> float:
        return 0.0 if self.prior is None else 1.0 / self.prior**2

    def _objective(self, pairs: _Pairs, theta: FloatArray) -> float:
        diff = theta[pairs.left] - theta[pairs.right]
        loglik = -pairs.wins @ np.logaddexp(0.0, -diff) - (pairs.total - pairs.wins) @ np.logaddexp(
            0.0, diff
        )
        return float(loglik - 0.5 * self._penalty() * theta @ theta)

    def _gradient(self, pairs: _Pairs, theta: FloatArray) -> FloatArray:
        p = 1.0 / (1.0 + np.exp(theta[pairs.right] - theta[pairs.left]))
        residual = pairs.wins - pairs.total * p
        n = pairs.n_items
        gradient = np.bincount(pairs.left, residual, n) - np.bincount(pairs.right, residual, n)
        return np.asarray(gradient - self._penalty() * theta, dtype=np.float64)

    def _information(self, pairs: _Pairs, theta: FloatArray) -> FloatArray:
        """Fisher information of the likelihood alone (the prior's part is added apart)."""
        n = pairs.n_items
        p = 1.0 / (1.0 + np.exp(theta[pairs.right] - theta[pairs.left]))
        v = pairs.total * p * (1.0 - p)
        cross = np.bincount(pairs.left * n + pairs.right, v, n * n).reshape(n, n)
        diagonal = np.bincount(pairs.left, v, n) + np.bincount(pairs.right, v, n)
        return np.asarray(np.diag(diagonal) - cross - cross.T, dtype=np.float64)

    def _curvature(self, pairs: _Pairs, theta: FloatArray) -> FloatArray:
        """Negative Hessian of the objective; without a prior, plus 11'/n, which leaves Newton
        steps in the centred subspace (the gradient is orthogonal to 1) and makes it invertible.
        """
        n = pairs.n_items
        extra = np.eye(n) * self._penalty() if self.prior else np.full((n, n), 1.0 / n)
        return self._information(pairs, theta) + extra

    def _line_search(self, pairs: _Pairs, theta: FloatArray, step: FloatArray) -> FloatArray:
        """Halve the Newton step until the objective does not decrease."""
        current = self._objective(pairs, theta)
        scale = 1.0
        for _ in range(30):
            candidate = theta + scale * step
            if self._objective(pairs, candidate) >= current - 1e-12 * abs(current):
                return candidate
            scale /= 2
        return theta

    def _result(
        self, data: Comparisons, pairs: _Pairs, theta: FloatArray, iterations: int, converged: bool
    ) -> BradleyTerryResult:
        n = data.n_items
        centring = np.eye(n) - 1.0 / n
        inverse = np.linalg.inv(self._curvature(pairs, theta))
        covariance = np.asarray(centring @ inverse @ centring, dtype=np.float64)
        errors = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
        z = NormalDist().inv_cdf(0.5 + self.level / 2)
        return BradleyTerryResult(
            scores=theta,
            standard_errors=errors,
            low=theta - z * errors,
            high=theta + z * errors,
            covariance=covariance,
            item_names=list(data.item_names),
            level=self.level,
            iterations=iterations,
            converged=converged,
        )
