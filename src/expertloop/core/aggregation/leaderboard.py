"""A model leaderboard from pairwise judgments: Bradley-Terry scores with intervals and counts.

Each judgment ``(model_a, model_b, winner)`` becomes one comparison of ``model_a`` (left)
against ``model_b`` (right); ``BradleyTerry`` (see ``bradley_terry``: ties are half a win each)
fits one log-strength per model. Rows come best first.

The optional *Elo-like* scale maps a log-strength θ to ``400 / ln 10 · θ + 1000``: a 400-point
gap then means 10:1 odds, as in chess ratings. It is a rescaling of the Bradley-Terry fit (as
in Chiang et al. 2024, "Chatbot Arena", ICML), not Elo's sequential update, and its 1000 is the
mean of the models compared, not an absolute level.

Example:
    >>> records = [("m1", "m2", "A"), ("m1", "m2", "A"), ("m1", "m2", "tie"), ("m2", "m1", "B")]
    >>> rows = leaderboard(records, prior=None)
    >>> [(row.model, row.wins, row.losses, row.ties, row.n) for row in rows]
    [('m1', 3, 0, 1, 4), ('m2', 0, 3, 1, 4)]
    >>> round(rows[0].score - rows[1].score, 4)  # 3.5 wins vs 0.5: ln 7
    1.9459
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np

from expertloop.core.aggregation.answers import encode
from expertloop.core.aggregation.bradley_terry import BradleyTerry, Comparisons

ELO_LIKE_SCALE = 400 / math.log(10)
"""Elo-like points per unit of log-strength."""
ELO_LIKE_BASE = 1000.0
"""The Elo-like value of a log-strength of 0 (the mean model)."""

WINNERS = {
    "a": 1.0,
    "model_a": 1.0,
    "left": 1.0,
    "b": 0.0,
    "model_b": 0.0,
    "right": 0.0,
    "tie": 0.5,
    "tie (bothbad)": 0.5,
}
"""Accepted winners (compared without case or surrounding spaces) and model_a's outcome."""


def elo_like(score: float) -> float:
    """A log-strength on the Elo-like scale ``400 / ln 10 · score + 1000``."""
    return ELO_LIKE_SCALE * score + ELO_LIKE_BASE


@dataclass(frozen=True)
class LeaderboardRow:
    """One model: its score with a ``level`` interval [low, high] (log-strength, or Elo-like
    points when asked), and its record over ``n`` judgments (a tie counts in ``ties`` only).
    """

    model: Hashable
    score: float
    low: float
    high: float
    wins: int
    losses: int
    ties: int
    n: int


def _outcome(winner: str, number: int) -> float:
    key = winner.strip().lower() if isinstance(winner, str) else winner
    if key not in WINNERS:
        raise ValueError(f"record {number}: winner must be A, B or tie, not {winner!r}")
    return WINNERS[key]


def _comparisons(records: Iterable[tuple[Hashable, Hashable, str]]) -> Comparisons:
    pairs: list[tuple[Hashable, Hashable]] = []
    outcomes: list[float] = []
    for number, (model_a, model_b, winner) in enumerate(records):
        outcomes.append(_outcome(winner, number))
        if model_a == model_b:
            raise ValueError(f"record {number}: a model is compared with itself ({model_a!r})")
        pairs.append((model_a, model_b))
    names, codes = encode(model for pair in pairs for model in pair)
    codes = codes.reshape(-1, 2)
    return Comparisons(codes[:, 0].copy(), codes[:, 1].copy(), np.asarray(outcomes), names)


def _records(data: Comparisons) -> list[Counter[str]]:
    """Wins, losses and ties per model code."""
    counts: list[Counter[str]] = [Counter() for _ in data.item_names]
    for left, right, outcome in zip(data.left, data.right, data.outcome, strict=True):
        if outcome == 0.5:
            counts[left]["ties"] += 1
            counts[right]["ties"] += 1
        else:
            counts[left]["wins" if outcome == 1.0 else "losses"] += 1
            counts[right]["losses" if outcome == 1.0 else "wins"] += 1
    return counts


def leaderboard(
    records: Iterable[tuple[Hashable, Hashable, str]],
    *,
    prior: float | None = 4.0,
    level: float = 0.95,
    elo_like_scale: bool = False,
) -> list[LeaderboardRow]:
    """Rank models from ``(model_a, model_b, winner)`` judgments, best first.

    Args:
        records: one per judgment; ``winner`` is ``A``/``model_a``, ``B``/``model_b`` or
            ``tie`` (case-insensitive; ``left``/``right`` are read as A/B).
        prior: passed to ``BradleyTerry`` (``None``: plain maximum likelihood).
        level: coverage of the intervals.
        elo_like_scale: report score, low and high as ``400 / ln 10 · θ + 1000``.

    Returns:
        One row per model, highest score first (none without records).

    Raises:
        ValueError: an unknown winner or a model compared with itself (naming the record,
            counted from 0); the errors of ``BradleyTerry.fit``.
    """
    data = _comparisons(records)
    if not data.n_items:
        return []
    result = BradleyTerry(prior=prior, level=level).fit(data)
    counts = _records(data)
    scale = elo_like if elo_like_scale else float
    return [
        LeaderboardRow(
            model=data.item_names[code],
            score=scale(float(result.scores[code])),
            low=scale(float(result.low[code])),
            high=scale(float(result.high[code])),
            wins=counts[code]["wins"],
            losses=counts[code]["losses"],
            ties=counts[code]["ties"],
            n=counts[code].total(),
        )
        for code in result.order()
    ]
