"""Adjudication: disputed items waiting for a reviewer, and everything judged on one item."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from expertloop.store.tables import Consensus, Item, Judgment, Project, Review


def waiting_items(
    session: Session,
    *,
    state: str,
    exclude_expert: int,
    project_statuses: Sequence[str],
    project_id: int | None = None,
    limit: int = 100,
) -> list[tuple[Consensus, Item, Project]]:
    """Items whose consensus is in ``state`` that ``exclude_expert`` never judged, in projects
    with one of ``project_statuses``; oldest item first."""
    judged = exists().where(
        Judgment.item_id == Consensus.item_id, Judgment.expert_id == exclude_expert
    )
    query = (
        select(Consensus, Item, Project)
        .join(Item, Item.id == Consensus.item_id)
        .join(Project, Project.id == Consensus.project_id)
        .where(Consensus.state == state, Project.status.in_(list(project_statuses)), ~judged)
        .order_by(Consensus.item_id)
        .limit(limit)
    )
    if project_id is not None:
        query = query.where(Consensus.project_id == project_id)
    return [(consensus, item, project) for consensus, item, project in session.execute(query)]


def item_judgments(session: Session, item_id: int) -> list[tuple[Judgment, Review | None]]:
    """Every judgment of the item, oldest first, each with its review (None if never
    reviewed)."""
    query = (
        select(Judgment, Review)
        .join(Review, Review.judgment_id == Judgment.id, isouter=True)
        .where(Judgment.item_id == item_id)
        .order_by(Judgment.id)
    )
    return [(judgment, review) for judgment, review in session.execute(query)]


def judged_by(session: Session, item_id: int) -> frozenset[int]:
    """The experts who judged the item."""
    query = select(Judgment.expert_id).where(Judgment.item_id == item_id)
    return frozenset(session.scalars(query))
