"""Who may work a project: its requirements against the expert's qualifications.

A project names the tracks and domains it needs (and optionally a minimum measured quality).
An expert meets them when

- for every required track, they hold a *granted* qualification in that track (of any domain
  scope: a qualification for professional/medicine counts for the professional track);
- for every required domain, they hold a granted qualification scoped to that domain, in one of
  the required tracks (in any track when the project names none);
- their measured quality, once there is one, is at least ``min_quality``.

Each unmet requirement is a ``Gap`` with a reason an expert can act on, and the assessments
that would close it (``closing_assessments``).

Example:
    >>> needs = Requirements(tracks=("professional",), domains=("medicine",))
    >>> held = [Held("professional", None, QualificationStatus.GRANTED)]
    >>> [gap.message() for gap in find_gaps(needs, held)]
    ['needs a qualification in the medicine domain (professional track)']
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from expertloop.core.errors import FieldError, invalid
from expertloop.core.lifecycles import QualificationStatus

MAX_NAMES = 20


@dataclass(frozen=True)
class Requirements:
    """What a project needs of the experts who work it."""

    tracks: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    min_quality: float | None = None

    @property
    def empty(self) -> bool:
        return not (self.tracks or self.domains or self.min_quality is not None)

    def as_stored(self) -> dict[str, Any]:
        """The JSON kept on the project (and returned by the API)."""
        return {
            "tracks": list(self.tracks),
            "domains": list(self.domains),
            "min_quality": self.min_quality,
        }

    @classmethod
    def from_stored(cls, raw: Mapping[str, Any] | None) -> Requirements:
        """Read what ``as_stored`` wrote (an empty mapping means no requirement)."""
        raw = raw or {}
        return cls(
            tracks=tuple(raw.get("tracks") or ()),
            domains=tuple(raw.get("domains") or ()),
            min_quality=raw.get("min_quality"),
        )


def parse_requirements(
    raw: Mapping[str, Any], *, tracks: Collection[str], domains: Collection[str]
) -> Requirements:
    """Validate requirements a lead gives against the known track names and domain slugs.

    Args:
        raw: ``{"tracks": [...], "domains": [...], "min_quality": 0.8}``; every key optional.
        tracks: the instance's track names. domains: its domain slugs.

    Returns:
        The requirements, names deduplicated in the order given.

    Raises:
        Invalid: ``project.invalid_requirements``, naming e.g. ``requirements.tracks[1]``.
    """
    errors: list[FieldError] = []
    unknown = set(raw) - {"tracks", "domains", "min_quality"}
    errors += [FieldError(f"requirements.{key}", "is not a requirement") for key in sorted(unknown)]
    names = {
        key: _names(raw.get(key) or [], f"requirements.{key}", known, errors)
        for key, known in (("tracks", tracks), ("domains", domains))
    }
    quality = raw.get("min_quality")
    if quality is not None and (
        isinstance(quality, bool) or not isinstance(quality, int | float) or not 0 < quality <= 1
    ):
        errors.append(FieldError("requirements.min_quality", "must be a number above 0, up to 1"))
    if errors:
        raise invalid("project.invalid_requirements", errors)
    return Requirements(
        tracks=names["tracks"],
        domains=names["domains"],
        min_quality=None if quality is None else float(quality),
    )


def _names(
    given: Any, field: str, known: Collection[str], errors: list[FieldError]
) -> tuple[str, ...]:
    if not isinstance(given, list) or len(given) > MAX_NAMES:
        errors.append(FieldError(field, f"must be a list of at most {MAX_NAMES} names"))
        return ()
    for index, name in enumerate(given):
        if name not in known:
            choices = ", ".join(sorted(known))
            errors.append(FieldError(f"{field}[{index}]", f"is not one of: {choices}"))
    return tuple(dict.fromkeys(given))


@dataclass(frozen=True)
class Held:
    """A qualification an expert holds: track, domain (None: the whole track), status."""

    track: str
    domain: str | None
    status: QualificationStatus


@dataclass(frozen=True)
class Gap:
    """One requirement an expert does not meet, and why.

    ``reason`` is ``missing`` (no such qualification), ``suspended`` or ``revoked`` (one exists
    in that state), or ``quality`` (measured quality below the project's minimum).
    """

    track: str | None
    domain: str | None
    reason: str
    scope: tuple[str, ...] = ()
    """For a domain gap: the tracks a closing qualification may be in (empty: any)."""

    def message(self) -> str:
        if self.reason == "quality":
            return "measured quality is below the project's minimum"
        if self.domain is None:
            what = f"the {self.track} track"
        else:
            within = f" ({'/'.join(self.scope)} track)" if self.scope else ""
            what = f"the {self.domain} domain{within}"
        if self.reason == "missing":
            return f"needs a qualification in {what}"
        return f"the qualification in {what} is {self.reason}"


def find_gaps(
    requirements: Requirements, held: Iterable[Held], quality: float | None = None
) -> list[Gap]:
    """Every requirement the expert misses (empty: eligible).

    Args:
        requirements: the project's. held: the expert's qualifications of every status.
        quality: the expert's measured quality on the project's tracks, None before any.
    """
    held = list(held)
    gaps = [_track_gap(track, held) for track in requirements.tracks]
    gaps += [_domain_gap(domain, requirements.tracks, held) for domain in requirements.domains]
    found = [gap for gap in gaps if gap is not None]
    minimum = requirements.min_quality
    if minimum is not None and quality is not None and quality < minimum:
        found.append(Gap(None, None, "quality"))
    return found


def _track_gap(track: str, held: list[Held]) -> Gap | None:
    return _gap([q for q in held if q.track == track], Gap(track, None, "missing"))


def _domain_gap(domain: str, tracks: tuple[str, ...], held: list[Held]) -> Gap | None:
    matching = [q for q in held if q.domain == domain and (not tracks or q.track in tracks)]
    return _gap(matching, Gap(None, domain, "missing", scope=tracks))


def _gap(matching: list[Held], missing: Gap) -> Gap | None:
    """None when one of ``matching`` is granted; else why not."""
    statuses = {q.status for q in matching}
    if QualificationStatus.GRANTED in statuses:
        return None
    for status in (QualificationStatus.SUSPENDED, QualificationStatus.REVOKED):
        if status in statuses:
            return Gap(missing.track, missing.domain, status.value, missing.scope)
    return missing


@dataclass(frozen=True)
class AssessmentRef:
    """An assessment an expert could take: its track, its domain (None: none), attempts left."""

    id: int
    title: str
    track: str
    domain: str | None
    attempts_left: int


def closes(assessment: AssessmentRef, gap: Gap) -> bool:
    """Whether passing ``assessment`` would close ``gap`` (only ``missing`` gaps close so)."""
    if gap.reason != "missing":
        return False
    if gap.domain is None:
        return assessment.track == gap.track
    return assessment.domain == gap.domain and (not gap.scope or assessment.track in gap.scope)


def closing_assessments(
    gaps: list[Gap], assessments: Iterable[AssessmentRef]
) -> list[AssessmentRef] | None:
    """The assessments (with attempts left) that would close every gap, or None when some gap
    no assessment closes (a suspension, a quality gap, a track with no assessment yet)."""
    usable = [a for a in assessments if a.attempts_left > 0]
    chosen: dict[int, AssessmentRef] = {}
    for gap in gaps:
        options = [a for a in usable if closes(a, gap)]
        if not options:
            return None
        if not any(a.id in chosen for a in options):
            best = max(options, key=lambda a: sum(closes(a, g) for g in gaps))
            chosen[best.id] = best
    return list(chosen.values())
