"""Chance-corrected agreement between experts: one coefficient per module.

``krippendorff_alpha`` (any number of coders, missing values, nominal to ratio levels),
``cohen_kappa`` and ``pairwise_cohen`` (two raters, optionally weighted), ``fleiss_kappa`` (a
fixed number of raters per unit), and ``agreement_report`` gathering them for a lead. Every
function takes ``(unit, coder, value)`` rows or ``Ratings`` (``Ratings.from_matrix`` reads a
coders x units matrix with missing values). Inputs are never mutated.
"""

from expertloop.core.agreement.kappa import (
    CountTable,
    PairKappa,
    cohen_kappa,
    fleiss_counts,
    fleiss_kappa,
    pairwise_cohen,
)
from expertloop.core.agreement.krippendorff import (
    Coincidences,
    coincidence_matrix,
    krippendorff_alpha,
)
from expertloop.core.agreement.ratings import Ratings
from expertloop.core.agreement.report import AgreementReport, agreement_report

__all__ = [
    "AgreementReport",
    "Coincidences",
    "CountTable",
    "PairKappa",
    "Ratings",
    "agreement_report",
    "cohen_kappa",
    "coincidence_matrix",
    "fleiss_counts",
    "fleiss_kappa",
    "krippendorff_alpha",
    "pairwise_cohen",
]
