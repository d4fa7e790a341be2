"""What a lead (or reviewer) reads about a project's quality: agreement, consensus by state,
each expert's gold accuracy, reliability and rationale clarity. Reads only; the figures are
computed by the background aggregation (``services.aggregation``) and at submit (gold)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from expertloop.core.eligibility import Requirements
from expertloop.core.gold import GoldRecord
from expertloop.core.policies import Actor, ExpertPolicy, GoldPolicy, authorize
from expertloop.services.projects import get_project_or_raise, quality_policy, ref
from expertloop.store import Session
from expertloop.store import quality as store
from expertloop.store.tables import Consensus, ExpertQuality, Project


@dataclass(frozen=True)
class ExpertQualityView:
    """One expert's measured quality on one project."""

    expert_id: int
    name: str
    gold_answered: int
    gold_correct: int
    gold_accuracy: float | None
    window_accuracy: float | None
    """Gold accuracy since the expert's last reinstatement: what the bar is held against."""
    reliability: float | None
    clarity: float | None
    """Mean clarity of their rationales as reviewers rated them (1 to 5)."""


@dataclass(frozen=True)
class QualityReport:
    """A project's quality at its last refresh."""

    project_id: int
    method: str | None
    refreshed_at: datetime | None
    requested_at: datetime | None
    figures: dict[str, Any]
    consensus: dict[str, int]
    experts: list[ExpertQualityView]
    policy: dict[str, Any]
    error: str = ""
    """Why the last refresh could not compute consensus (empty when it could)."""


def _view(row: ExpertQuality, name: str) -> ExpertQualityView:
    total = GoldRecord(answered=row.gold_answered, correct=row.gold_correct)
    window = GoldRecord(answered=row.window_answered, correct=row.window_correct)
    return ExpertQualityView(
        expert_id=row.expert_id,
        name=name,
        gold_answered=row.gold_answered,
        gold_correct=row.gold_correct,
        gold_accuracy=total.accuracy,
        window_accuracy=window.accuracy,
        reliability=row.reliability,
        clarity=row.clarity_sum / row.clarity_count if row.clarity_count else None,
    )


def _watched_project(session: Session, actor: Actor | None, project_id: int) -> Project:
    project = get_project_or_raise(session=session, actor=actor, project_id=project_id)
    if actor is not None:
        authorize(actor, GoldPolicy.quality_report(ref(project)))
    return project


def get_quality_report(*, session: Session, actor: Actor | None, project_id: int) -> QualityReport:
    """The project's quality figures (``actor=None``: the CLI on the server's machine).

    Raises:
        NotFound: ``project.not_found``. Forbidden: experts.
    """
    project = _watched_project(session, actor, project_id)
    state = store.find_project_quality(session, project.id)
    policy = quality_policy(project)
    return QualityReport(
        project_id=project.id,
        method=policy.method_for(project.kind),
        refreshed_at=state.refreshed_at if state else None,
        requested_at=state.requested_at if state else None,
        figures=dict(state.report) if state else {},
        consensus=store.count_consensus(session, project.id),
        experts=[_view(row, name) for row, name in store.list_expert_quality(session, project.id)],
        policy=policy.as_stored(),
        error=state.error if state else "",
    )


def list_consensus(
    *,
    session: Session,
    actor: Actor | None,
    project_id: int,
    state: str | None = None,
    limit: int = 100,
) -> list[Consensus]:
    """The project's consensus rows (optionally in one state), by item id.

    Raises:
        NotFound: ``project.not_found``. Forbidden: experts.
    """
    project = _watched_project(session, actor, project_id)
    return store.list_consensus(session, project.id, state=state, limit=limit)


@dataclass(frozen=True)
class TrackQuality:
    """An expert's gold record summed over the projects that require one track."""

    track: str
    gold_answered: int
    gold_correct: int
    gold_accuracy: float | None


@dataclass(frozen=True)
class ProjectQualityLine:
    """An expert's figures on one project."""

    project_id: int
    project_name: str
    quality: ExpertQualityView


@dataclass(frozen=True)
class ExpertQualitySummary:
    """An expert's measured quality per project and per track."""

    expert_id: int
    projects: list[ProjectQualityLine]
    tracks: list[TrackQuality]


def get_expert_quality(
    *, session: Session, actor: Actor | None, expert_id: int
) -> ExpertQualitySummary:
    """An expert's gold accuracy, reliability and clarity per project, and gold accuracy per
    track (summed over the projects that require it); for managers and the expert themself.

    Raises:
        Forbidden: anyone else.
    """
    if actor is not None:
        authorize(actor, ExpertPolicy.view_profile(expert_id))
    rows = store.expert_rows(session, expert_id)
    by_track: dict[str, list[int]] = {}
    lines = []
    for row, project in rows:
        lines.append(ProjectQualityLine(project.id, project.name, _view(row, "")))
        for track in Requirements.from_stored(project.requirements).tracks:
            totals = by_track.setdefault(track, [0, 0])
            totals[0] += row.gold_answered
            totals[1] += row.gold_correct
    tracks = [
        TrackQuality(track, answered, correct, GoldRecord(answered, correct).accuracy)
        for track, (answered, correct) in sorted(by_track.items())
    ]
    return ExpertQualitySummary(expert_id, lines, tracks)
