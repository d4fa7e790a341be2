"""Reviews of judgments: the pending queue, the judgment a reviewer locks, the review rows, and
each expert's own reviews.

The queue reads ``ix_judgments_review`` (project_id, review_state, id): pending judgments of a
project in id order, so its cost does not grow with the judgments already reviewed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from expertloop.core.lifecycles import ReviewState
from expertloop.store.tables import Item, Judgment, Project, Review

PENDING = ReviewState.PENDING.value

_MARK_PENDING = (
    update(Judgment).where(Judgment.id == bindparam("judgment_id")).values(review_state=PENDING)
)


def mark_pending(session: Session, judgment: Judgment) -> None:
    """Put a judgment just stored (a transient row, see ``judgments.add_judgment``) in review."""
    session.connection().execute(_MARK_PENDING, {"judgment_id": judgment.id})
    set_committed_value(judgment, "review_state", PENDING)


def count_earlier_judgments(
    session: Session, *, project_id: int, expert_id: int, before_id: int, cap: int
) -> int:
    """The expert's judgments in the project before ``before_id``, counted up to ``cap`` (a
    probation of N needs to know only whether there are N)."""
    earlier = (
        select(Judgment.id)
        .where(
            Judgment.expert_id == expert_id,
            Judgment.project_id == project_id,
            Judgment.id < before_id,
        )
        # in index order (``ix_judgments_expert``): a planner that guesses the expert has many
        # judgments would otherwise scan the table for the first few, and read all of it for a
        # new expert, who has none
        .order_by(Judgment.id.desc())
        .limit(cap)
        .subquery()
    )
    return int(session.scalar(select(func.count()).select_from(earlier)) or 0)


def get_judgment(session: Session, judgment_id: int, *, lock: bool = False) -> Judgment | None:
    query = select(Judgment).where(Judgment.id == judgment_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


def get_review_of(session: Session, judgment_id: int) -> Review | None:
    return session.scalars(select(Review).where(Review.judgment_id == judgment_id)).first()


def add_review(session: Session, values: dict[str, Any]) -> Review:
    review = Review(**values)
    session.add(review)
    session.flush()
    return review


def list_pending(
    session: Session, *, project_ids: Iterable[int], exclude_expert_id: int, limit: int
) -> list[tuple[Judgment, Item, Project]]:
    """Pending judgments of these projects, not by ``exclude_expert_id``, oldest first."""
    ids = sorted(set(project_ids))
    if not ids or limit <= 0:
        return []
    query = (
        select(Judgment, Item, Project)
        .join(Item, Item.id == Judgment.item_id)
        .join(Project, Project.id == Judgment.project_id)
        .where(
            Judgment.project_id.in_(ids),
            Judgment.review_state == PENDING,
            Judgment.expert_id != exclude_expert_id,
        )
        .order_by(Judgment.id)
        .limit(limit)
    )
    return [(judgment, item, project) for judgment, item, project in session.execute(query)]


def list_for_expert(
    session: Session, expert_id: int, *, limit: int
) -> list[tuple[Review, Judgment, Item, Project]]:
    """Reviews of the expert's own judgments, newest first."""
    query = (
        select(Review, Judgment, Item, Project)
        .join(Judgment, Judgment.id == Review.judgment_id)
        .join(Item, Item.id == Judgment.item_id)
        .join(Project, Project.id == Review.project_id)
        .where(Review.expert_id == expert_id)
        .order_by(Review.id.desc())
        .limit(limit)
    )
    return [
        (review, judgment, item, project)
        for review, judgment, item, project in session.execute(query)
    ]
