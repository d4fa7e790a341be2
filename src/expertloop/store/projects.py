"""Projects and their guideline versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from expertloop.store.tables import Assignment, GuidelineVersion, Item, Judgment, Project


def add_project(session: Session, *, values: dict[str, Any], now: datetime) -> Project:
    project = Project(**values, guidelines_version=1, created_at=now)
    session.add(project)
    session.flush()
    session.add(
        GuidelineVersion(
            project_id=project.id, version=1, text=project.guidelines,
            created_by=project.created_by, created_at=now,
        )
    )
    session.flush()
    return project


def get_project(session: Session, project_id: int, *, lock: bool = False) -> Project | None:
    if lock:
        return session.scalars(
            select(Project).where(Project.id == project_id).with_for_update()
        ).first()
    return session.get(Project, project_id)


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
    return session.scalar(
        select(func.count()).select_from(Judgment).where(Judgment.project_id == project_id)
    ) or 0


def count_live_leases(session: Session, project_id: int, now: datetime) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(
            Assignment.project_id == project_id,
            Assignment.status == "active",
            Assignment.expires_at > now,
        )
    ) or 0
