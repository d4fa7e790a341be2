"""The expert's dashboard: the projects they can work on now (rate, expected minutes per item,
items waiting) and those they could unlock, with the assessment that unlocks each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from expertloop.core.eligibility import AssessmentRef, Requirements, closing_assessments
from expertloop.core.policies import Actor, ProjectPolicy, UserPolicy, authorize, is_allowed
from expertloop.services.eligibility import assessments_for, gaps_for, held_by
from expertloop.services.projects import list_projects, ref
from expertloop.store import Session, taxonomy
from expertloop.store import eligibility as store
from expertloop.store import projects as project_store
from expertloop.store import queue as queue_store
from expertloop.store.tables import Project

WAITING_CAP = 1000
"""Items waiting are counted up to this many (a card then says "1,000+")."""
MEASURED_AFTER = 5
"""Judgments with active time a project needs before its measured minutes replace the lead's
estimate."""


@dataclass(frozen=True)
class Terms:
    """What working a project pays and takes."""

    rate: Decimal | None
    minutes_per_item: float | None
    measured: bool
    """Whether the minutes are measured from submitted judgments (else the lead's estimate)."""


@dataclass(frozen=True)
class OpenProject:
    project: Project
    terms: Terms
    waiting: int
    """Open items the expert may take, counted up to ``WAITING_CAP``."""
    in_progress: int

    @property
    def waiting_more(self) -> bool:
        """Whether more items wait than ``waiting`` says (the count stopped at its cap)."""
        return self.waiting >= WAITING_CAP


@dataclass(frozen=True)
class LockedProject:
    project: Project
    terms: Terms
    reasons: list[str]
    assessments: list[AssessmentRef] | None
    """Assessments that together unlock it; None when no assessment can (ask a lead)."""


@dataclass(frozen=True)
class Dashboard:
    available: list[OpenProject]
    locked: list[LockedProject]


def get_dashboard(*, session: Session, actor: Actor, now: datetime) -> Dashboard:
    """The projects the expert can work on now, and those they could unlock.

    Raises:
        Forbidden: for leads and admins, who have no work queue.
    """
    authorize(actor, UserPolicy.work())
    workable = [
        p
        for p in list_projects(session=session, actor=actor)
        if is_allowed(actor, ProjectPolicy.work(ref(p)))
    ]
    terms = _terms_of(session, workable)
    held = held_by(session, actor.id)
    assessments: list[AssessmentRef] | None = None
    available, unmet = [], []
    for project in workable:
        gaps = gaps_for(project, held)
        if not gaps:
            available.append(project)
            continue
        if assessments is None:
            assessments = assessments_for(session, actor.id)
        unmet.append(
            LockedProject(
                project=project,
                terms=terms[project.id],
                reasons=[gap.message() for gap in gaps],
                assessments=closing_assessments(gaps, assessments),
            )
        )
    dashboard = Dashboard(_open_cards(session, available, terms, actor, now), unmet)
    session.commit()
    return dashboard


def _open_cards(
    session: Session, projects: list[Project], terms: dict[int, Terms], actor: Actor, now: datetime
) -> list[OpenProject]:
    ids = [project.id for project in projects]
    mine = project_store.count_live_leases_by_project(session, ids, now, expert_id=actor.id)
    return [
        OpenProject(p, terms[p.id], _waiting(session, p.id, actor.id), mine.get(p.id, 0))
        for p in projects
    ]


def _waiting(session: Session, project_id: int, expert_id: int) -> int:
    return queue_store.count_claimable(
        session, project_id=project_id, expert_id=expert_id, cap=WAITING_CAP
    )


def _terms_of(session: Session, projects: list[Project]) -> dict[int, Terms]:
    rates = taxonomy.track_rates(session)
    measured = store.measured_seconds(session, [project.id for project in projects])
    return {project.id: _terms(project, rates, measured.get(project.id)) for project in projects}


def _terms(
    project: Project, rates: dict[str, Decimal], measured: tuple[float, int] | None
) -> Terms:
    tracks = Requirements.from_stored(project.requirements).tracks
    rate = project.hourly_rate
    if rate is None and tracks:
        rate = rates.get(tracks[0])
    if measured is not None and measured[1] >= MEASURED_AFTER:
        return Terms(rate, round(measured[0] / 60, 1), measured=True)
    estimate = None if project.minutes_per_item is None else float(project.minutes_per_item)
    return Terms(rate, estimate, measured=False)
