"""The agreement figures a lead sees per project and per rubric criterion."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from typing import TypedDict

import numpy as np

from expertloop.core.agreement.kappa import Weights, fleiss_kappa, pairwise_cohen
from expertloop.core.agreement.krippendorff import Level, krippendorff_alpha
from expertloop.core.agreement.ratings import Ratings, Row


class AgreementReport(TypedDict):
    """Chance-corrected agreement of one set of ratings; None where a figure is undefined."""

    alpha: float | None
    """Krippendorff's alpha at the report's level of measurement."""
    fleiss_kappa: float | None
    """Fleiss' kappa; None unless every unit has the same number (>= 2) of ratings."""
    mean_cohen_kappa: float | None
    """Mean of the defined pairwise Cohen's kappas (Light's kappa); None without any."""
    pairs: int
    """Pairs of coders with at least one unit in common."""
    units: int
    """Units with at least one rating."""
    pairable_units: int
    """Units with at least two ratings: the ones agreement is measured on."""
    coders: int
    """Coders with at least one rating."""


def agreement_report(
    data: Ratings | Iterable[Row],
    *,
    level: Level = "nominal",
    values_order: Sequence[Hashable] | None = None,
    weights: Weights = None,
) -> AgreementReport:
    """Krippendorff's alpha, Fleiss' kappa and mean pairwise Cohen's kappa of ratings.

    The mean of pairwise Cohen's kappas is Light's (1971) kappa for many raters.

    Args:
        data: ``Ratings`` or ``(unit, coder, value)`` rows (one criterion of one project).
        level: level of measurement for alpha (see ``krippendorff_alpha``).
        values_order: the value order for ordinal alpha and weighted Cohen's kappa.
        weights: Cohen's kappa weights (None, "linear", "quadratic"); Fleiss' is nominal.

    Returns:
        An ``AgreementReport``; NaN figures are reported as None.

    Raises:
        ValueError: as ``krippendorff_alpha`` and ``pairwise_cohen`` do.

    References:
        Light, R. J. (1971). Measures of response agreement for qualitative data: Some
        generalizations and alternatives. Psychological Bulletin, 76(5), 365-377.

    Example:
        >>> rows = [("u1", "ann", "y"), ("u1", "bob", "y"), ("u2", "ann", "n"),
        ...         ("u2", "bob", "n"), ("u3", "ann", "y"), ("u3", "bob", "n")]
        >>> report = agreement_report(rows)
        >>> [round(report[key], 4) for key in ("alpha", "fleiss_kappa", "mean_cohen_kappa")]
        [0.4444, 0.3333, 0.4]
        >>> report["units"], report["pairable_units"], report["coders"], report["pairs"]
        (3, 3, 2, 1)
    """
    ratings = Ratings.coerce(data)
    counts = ratings.counts()
    counts = counts[counts.sum(axis=1) > 0]
    per_unit = counts.sum(axis=1)
    pairs = pairwise_cohen(ratings, labels=values_order, weights=weights)
    kappas = [pair.kappa for pair in pairs if not math.isnan(pair.kappa)]
    equal = len(per_unit) > 0 and bool(np.all(per_unit == per_unit[0])) and per_unit[0] >= 2
    return AgreementReport(
        alpha=_defined(krippendorff_alpha(ratings, level=level, values_order=values_order)),
        fleiss_kappa=_defined(fleiss_kappa(counts)) if equal else None,
        mean_cohen_kappa=_defined(float(np.mean(kappas))) if kappas else None,
        pairs=len(pairs),
        units=len(per_unit),
        pairable_units=int((per_unit >= 2).sum()),
        coders=len(np.unique(ratings.coders)),
    )


def _defined(value: float) -> float | None:
    return None if math.isnan(value) else value
