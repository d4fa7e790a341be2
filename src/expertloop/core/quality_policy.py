"""A project's quality policy: gold items, adaptive overlap, review sampling, aggregation method.

Stored on the project as ``{"gold": {...}, "overlap": {...} | None, "review": {...},
"method": "ds"}``; every key optional. ``parse_quality_policy`` checks what a lead gives and
names the field of each problem (``quality.overlap.k_max``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from expertloop.core.errors import FieldError, invalid

LABEL_METHODS = ("ds", "mv", "onecoin", "glad", "mace")
METHODS_BY_KIND: dict[str, tuple[str, ...]] = {
    "label": LABEL_METHODS,
    "pairwise": LABEL_METHODS,
    "verify": LABEL_METHODS,
    "ranking": ("bt",),
    "rubric": ("means",),
    "step_review": ("steps",),
}
"""Aggregation methods per task kind, the default first. Kinds not listed (written work:
demonstrations, corrections, red-teaming, cluster reviews) have no consensus to compute."""


@dataclass(frozen=True)
class GoldRules:
    """How gold items are served; the bar is the project's ``requirements.min_quality``."""

    rate: float = 0.0
    """Share of an expert's claims that serve a gold item, after calibration (0 to 0.5)."""
    calibration: int = 0
    """Gold items served first to an expert new to the project."""
    min_answered: int = 5
    """Gold answers needed before an expert's accuracy is held against the bar."""


@dataclass(frozen=True)
class OverlapRules:
    """Adaptive overlap: start with ``k_min`` judgments, add one while the consensus
    confidence is below ``target``, up to ``k_max``; still below, the item is disputed."""

    k_min: int
    k_max: int
    target: float


@dataclass(frozen=True)
class ReviewRules:
    """Which judgments go to reviewers."""

    share: float = 0.0
    """Share of all judgments picked at random (by a hash, so reproducible), 0 to 1."""
    probation: int = 0
    """An expert's first judgments in the project, all reviewed."""
    min_reliability: float | None = None
    """Every judgment of an expert measured below this reliability is reviewed."""


@dataclass(frozen=True)
class QualityPolicy:
    """Everything a project says about quality."""

    gold: GoldRules = field(default_factory=GoldRules)
    overlap: OverlapRules | None = None
    review: ReviewRules = field(default_factory=ReviewRules)
    method: str | None = None
    """Aggregation method; None: the kind's default (first of ``METHODS_BY_KIND``)."""

    def method_for(self, kind: str) -> str | None:
        """The method aggregation runs for this kind, or None when the kind has none."""
        methods = METHODS_BY_KIND.get(kind)
        return None if methods is None else (self.method or methods[0])

    @property
    def serves_gold(self) -> bool:
        return self.gold.rate > 0 or self.gold.calibration > 0

    def as_stored(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_stored(cls, raw: Mapping[str, Any] | None) -> QualityPolicy:
        """Read a stored policy (already checked when it was stored)."""
        raw = raw or {}
        overlap = raw.get("overlap")
        return cls(
            gold=GoldRules(**(raw.get("gold") or {})),
            overlap=OverlapRules(**overlap) if overlap else None,
            review=ReviewRules(**(raw.get("review") or {})),
            method=raw.get("method"),
        )


def _number(
    raw: Mapping[str, Any], key: str, where: str, low: float, high: float, errors: list[FieldError]
) -> Any:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        errors.append(FieldError(f"{where}.{key}", f"must be a number from {low:g} to {high:g}"))
        return None
    return value


def _integer(
    raw: Mapping[str, Any], key: str, where: str, low: int, high: int, errors: list[FieldError]
) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.append(FieldError(f"{where}.{key}", f"must be a whole number from {low} to {high}"))
        return None
    return value


def _section(
    raw: Mapping[str, Any], key: str, allowed: set[str], errors: list[FieldError]
) -> Mapping[str, Any]:
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errors.append(FieldError(f"quality.{key}", "must be an object"))
        return {}
    errors += [
        FieldError(f"quality.{key}.{name}", "is not a setting")
        for name in sorted(set(value) - allowed)
    ]
    return value


def _gold(raw: Mapping[str, Any], errors: list[FieldError]) -> GoldRules:
    section = _section(raw, "gold", {"rate", "calibration", "min_answered"}, errors)
    values = {
        "rate": _number(section, "rate", "quality.gold", 0, 0.5, errors),
        "calibration": _integer(section, "calibration", "quality.gold", 0, 100, errors),
        "min_answered": _integer(section, "min_answered", "quality.gold", 1, 1000, errors),
    }
    return GoldRules(**{key: value for key, value in values.items() if value is not None})


def _overlap(raw: Mapping[str, Any], kind: str, errors: list[FieldError]) -> OverlapRules | None:
    if raw.get("overlap") is None:
        return None
    section = _section(raw, "overlap", {"k_min", "k_max", "target"}, errors)
    where = "quality.overlap"
    k_min = _integer(section, "k_min", where, 1, 50, errors)
    k_max = _integer(section, "k_max", where, 1, 50, errors)
    target = _number(section, "target", where, 0.5, 0.999, errors)
    for key, value in (("k_min", k_min), ("k_max", k_max), ("target", target)):
        if value is None and section.get(key) is None:
            errors.append(FieldError(f"{where}.{key}", "is required for adaptive overlap"))
    if kind not in METHODS_BY_KIND:
        errors.append(FieldError(where, f"a {kind} project has no consensus to be confident in"))
    if k_min is None or k_max is None or target is None:
        return None
    if k_max < k_min:
        errors.append(FieldError(f"{where}.k_max", "must be at least k_min"))
    return OverlapRules(k_min=k_min, k_max=k_max, target=float(target))


def _review(raw: Mapping[str, Any], errors: list[FieldError]) -> ReviewRules:
    section = _section(raw, "review", {"share", "probation", "min_reliability"}, errors)
    share = _number(section, "share", "quality.review", 0, 1, errors)
    probation = _integer(section, "probation", "quality.review", 0, 1000, errors)
    reliability = _number(section, "min_reliability", "quality.review", 0, 1, errors)
    return ReviewRules(
        share=float(share or 0.0),
        probation=probation or 0,
        min_reliability=None if reliability is None else float(reliability),
    )


def _method(raw: Mapping[str, Any], kind: str, errors: list[FieldError]) -> str | None:
    method = raw.get("method")
    if method is None:
        return None
    allowed = METHODS_BY_KIND.get(kind, ())
    if method not in allowed:
        choices = ", ".join(allowed) or "none"
        errors.append(FieldError("quality.method", f"for {kind} projects: one of {choices}"))
        return None
    return str(method)


def parse_quality_policy(raw: Mapping[str, Any] | None, *, kind: str) -> QualityPolicy:
    """Check a lead's quality policy for a project of ``kind``.

    Args:
        raw: ``{"gold": {"rate", "calibration", "min_answered"}, "overlap": {"k_min",
            "k_max", "target"} | None, "review": {"share", "probation", "min_reliability"},
            "method": "ds"}``; every key optional.
        kind: the project's task kind.

    Returns:
        The policy, defaults filled in.

    Raises:
        Invalid: ``project.invalid_quality``, naming each field (``quality.gold.rate``).

    Example:
        >>> parse_quality_policy({"overlap": {"k_min": 2, "k_max": 5, "target": 0.9}},
        ...     kind="label").overlap
        OverlapRules(k_min=2, k_max=5, target=0.9)
    """
    raw = raw or {}
    errors: list[FieldError] = []
    if not isinstance(raw, Mapping):
        raise invalid("project.invalid_quality", [FieldError("quality", "must be an object")])
    unknown = set(raw) - {"gold", "overlap", "review", "method"}
    errors += [FieldError(f"quality.{key}", "is not a setting") for key in sorted(unknown)]
    policy = QualityPolicy(
        gold=_gold(raw, errors),
        overlap=_overlap(raw, kind, errors),
        review=_review(raw, errors),
        method=_method(raw, kind, errors),
    )
    if errors:
        raise invalid("project.invalid_quality", errors)
    return policy
