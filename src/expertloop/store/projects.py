"""Projects and their guideline versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.orm import Session

from expertloop.core.lifecycles import ItemState
from expertloop.store.tables import (
    LIVE_LEASE,
    Assignment,
    GuidelineVersion,
    Item,
    Judgment,
    Project,
    User,
)


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
    """Item counts per (project, state) for several projects in one query."""
    rows = session.execute(
        select(Item.project_id, Item.state, func.count())
        .where(Item.project_id.in_(project_ids))
        .group_by(Item.project_id, Item.state)
    )
    return {(project_id, state): count for project_id, state, count in rows}


def count_judgments(session: Session, project_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Judgment).where(Judgment.project_id == project_id)
        )
        or 0
    )


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


def count_waiting_items(session: Session, project_ids: list[int], expert_id: int) -> dict[int, int]:
    """Open items per project that this expert has not had yet nor authored."""
    had = exists().where(Assignment.item_id == Item.id, Assignment.expert_id == expert_id)
    rows = session.execute(
        select(Item.project_id, func.count())
        .where(
            Item.project_id.in_(project_ids),
            Item.state == ItemState.OPEN.value,
            ~had,
            or_(Item.author_id.is_(None), Item.author_id != expert_id),
        )
        .group_by(Item.project_id)
    )
    return {project_id: count for project_id, count in rows}


def count_judgments_by_project(session: Session, project_ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(Judgment.project_id, func.count())
        .where(Judgment.project_id.in_(project_ids))
        .group_by(Judgment.project_id)
    )
    return {project_id: count for project_id, count in rows}


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
