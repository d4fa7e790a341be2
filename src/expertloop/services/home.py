"""Dashboards: what the web pages show at a glance (home, workbench, project overview).

Each function is one use case and one transaction, built on the same policies and queries as
the JSON API; the web layer only renders what these return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from expertloop.core.errors import NotFound
from expertloop.core.lifecycles import ItemState
from expertloop.core.policies import Actor, ProjectPolicy, is_allowed
from expertloop.services.escalations import Escalation, list_escalations
from expertloop.services.projects import (
    Progress,
    get_progress,
    get_project_or_raise,
    list_projects,
    ref,
)
from expertloop.services.quality import QualityReport, get_quality_report
from expertloop.services.queue import Claim, claim_next
from expertloop.store import Session
from expertloop.store import projects as store
from expertloop.store.tables import Project

LATEST_JUDGMENTS = 50


@dataclass(frozen=True)
class ProjectCard:
    """One project on a lead's or admin's home page, with its progress."""

    project: Project
    progress: Progress


def list_home(*, session: Session, actor: Actor, now: datetime) -> list[ProjectCard]:
    """The projects a lead or admin watches, with their progress (experts have a dashboard:
    ``services.dashboard``)."""
    watched = [
        project
        for project in list_projects(session=session, actor=actor)
        if is_allowed(actor, ProjectPolicy.watch(ref(project)))
    ]
    progress = _progress_of(session, [project.id for project in watched], now)
    session.commit()
    return [ProjectCard(project=project, progress=progress[project.id]) for project in watched]


def _progress_of(session: Session, ids: list[int], now: datetime) -> dict[int, Progress]:
    by_state = store.count_items_by_state(session, ids)
    judgments = store.count_judgments_by_project(session, ids)
    leases = store.count_live_leases_by_project(session, ids, now)
    return {
        project_id: Progress(
            items=sum(n for (pid, _), n in by_state.items() if pid == project_id),
            complete=by_state.get((project_id, ItemState.COMPLETE.value), 0),
            judgments=judgments.get(project_id, 0),
            active_leases=leases.get(project_id, 0),
        )
        for project_id in ids
    }


@dataclass(frozen=True)
class Workbench:
    """A project to work on and the item reserved for the expert (None: nothing is left)."""

    project: Project
    claim: Claim | None


def open_workbench(
    *, session: Session, actor: Actor, project_id: int, now: datetime, kinds: frozenset[str]
) -> Workbench:
    """Claim the expert's next item, or resume the one they hold, for the workbench page.

    ``kinds`` are the task kinds the pages have a workbench for; others are refused before
    any lease is taken.

    Raises:
        NotFound: ``project.not_found``; ``workbench.not_available`` for another kind.
        Forbidden: when the actor may not work on it.
    """
    project = get_project_or_raise(
        session=session, actor=actor, project_id=project_id, policy="work"
    )
    if project.kind not in kinds:
        raise NotFound(
            "workbench.not_available",
            f"{project.kind} projects have no workbench page yet; work them through the JSON API",
        )
    claim = claim_next(session=session, actor=actor, project_id=project.id, now=now)
    return Workbench(project=project, claim=claim)


@dataclass(frozen=True)
class JudgmentLine:
    """One judgment as the project page lists it."""

    id: int
    external_id: str
    expert_name: str
    value: dict[str, Any]
    rationale: str
    created_at: datetime


@dataclass(frozen=True)
class Overview:
    """A project's progress, latest judgments and escalations, for those who watch it."""

    project: Project
    progress: Progress
    latest: list[JudgmentLine]
    escalations: list[Escalation]
    quality: QualityReport


def get_overview(
    *,
    session: Session,
    actor: Actor,
    project_id: int,
    now: datetime,
    limit: int = LATEST_JUDGMENTS,
) -> Overview:
    """Progress, quality, the latest judgments and the escalations of a project (``watch``).

    Raises:
        NotFound: ``project.not_found``. Forbidden: for experts, who never see others' work.
    """
    project = get_project_or_raise(
        session=session, actor=actor, project_id=project_id, policy="watch"
    )
    progress = get_progress(session=session, actor=actor, project_id=project.id, now=now)
    latest = [
        JudgmentLine(
            id=judgment.id,
            external_id=item.external_id or f"#{item.id}",
            expert_name=user.name,
            value=dict(judgment.value),
            rationale=judgment.rationale,
            created_at=judgment.created_at,
        )
        for judgment, item, user in store.latest_judgments(session, project.id, limit=limit)
    ]
    escalations = list_escalations(session=session, actor=actor, project_id=project.id)
    report = get_quality_report(session=session, actor=actor, project_id=project.id)
    return Overview(
        project=project, progress=progress, latest=latest, escalations=escalations, quality=report
    )
