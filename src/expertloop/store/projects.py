"""Projects and their guideline versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from expertloop.core.lifecycles import ItemState
from expertloop.store import tallies
from expertloop.store.tables import (
    LIVE_LEASE,
    Assignment,
    GuidelineVersion,
    Item,
    Judgment,
    Project,
    User,
)

ITEM_STATES = tuple(state.value for state in ItemState)


def add_project(session: Session, *, values: dict[str, Any], now: datetime) -> Project:
    project = Project(**values, guidelines_version=1, created_at=now)
    session.add(project)
    session.flush()
    add_guideline_version(session, project=project, created_by=project.created_by, now=now)
    return project


def add_guideline_version(
    session: Session, *, project: Project, created_by: int | None, now: datetime, note: str = ""
) -> GuidelineVersion:
    """Record the project's current guidelines, spec and version as one guideline version."""
    version = GuidelineVersion(
        project_id=project.id,
        version=project.guidelines_version,
        text=project.guidelines,
        spec=project.spec,
        note=note,
        created_by=created_by,
        created_at=now,
    )
    session.add(version)
    session.flush()
    return version


def list_guideline_versions(session: Session, project_id: int) -> list[GuidelineVersion]:
    """The project's guideline versions, oldest first."""
    query = (
        select(GuidelineVersion)
        .where(GuidelineVersion.project_id == project_id)
        .order_by(GuidelineVersion.version)
    )
    return list(session.scalars(query))


_PROJECT = select(Project).where(Project.id == bindparam("project_id"))


def get_project(session: Session, project_id: int, *, lock: bool = False) -> Project | None:
    query = _PROJECT.with_for_update() if lock else _PROJECT
    return session.scalars(query, {"project_id": project_id}).first()


def list_projects(session: Session, *, statuses: list[str] | None = None) -> list[Project]:
    query = select(Project).order_by(Project.id)
    if statuses is not None:
        query = query.where(Project.status.in_(statuses))
    return list(session.scalars(query))


def count_items_by_state(session: Session, project_ids: list[int]) -> dict[tuple[int, str], int]:
    """Item counts per (project, state) for several projects, from their tallies."""
    return {
        (project_id, state): counts[state]
        for project_id, counts in tallies.read(session, project_ids).items()
        for state in ITEM_STATES
        if counts[state]
    }


def count_judgments(session: Session, project_id: int) -> int:
    return count_judgments_by_project(session, [project_id]).get(project_id, 0)


def count_live_leases(session: Session, project_id: int, now: datetime) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(
                Assignment.project_id == project_id,
                LIVE_LEASE,
                Assignment.expires_at > now,
            )
        )
        or 0
    )


# Dashboards (home and project pages): counts for many projects at once, latest judgments.


def count_judgments_by_project(session: Session, project_ids: list[int]) -> dict[int, int]:
    return {
        project_id: counts[tallies.JUDGMENTS]
        for project_id, counts in tallies.read(session, project_ids).items()
    }


def count_live_leases_by_project(
    session: Session, project_ids: list[int], now: datetime, *, expert_id: int | None = None
) -> dict[int, int]:
    """Unexpired active leases per project, of one expert when ``expert_id`` is given."""
    query = select(Assignment.project_id, func.count()).where(
        Assignment.project_id.in_(project_ids),
        LIVE_LEASE,
        Assignment.expires_at > now,
    )
    if expert_id is not None:
        query = query.where(Assignment.expert_id == expert_id)
    rows = session.execute(query.group_by(Assignment.project_id))
    return {project_id: count for project_id, count in rows}


def latest_judgments(
    session: Session, project_id: int, *, limit: int
) -> list[tuple[Judgment, Item, User]]:
    """The project's most recent judgments, newest first, with their item and expert."""
    rows = session.execute(
        select(Judgment, Item, User)
        .join(Item, Item.id == Judgment.item_id)
        .join(User, User.id == Judgment.expert_id)
        .where(Judgment.project_id == project_id)
        .order_by(Judgment.id.desc())
        .limit(limit)
    )
    return [(judgment, item, user) for judgment, item, user in rows]
