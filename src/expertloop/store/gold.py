"""Gold items: their known answers, and the pick of the next gold item for an expert."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from expertloop.core.lifecycles import ItemState
from expertloop.store.tables import Assignment, GoldAnswer, Item

_NEXT_GOLD = (
    select(Item)
    .where(
        Item.project_id == bindparam("project_id"),
        Item.state == ItemState.GOLD.value,
        ~exists().where(
            Assignment.item_id == Item.id, Assignment.expert_id == bindparam("expert_id")
        ),
        or_(Item.author_id.is_(None), Item.author_id != bindparam("expert_id")),
    )
    .order_by(Item.id)
    .limit(1)
    .execution_options(populate_existing=True)
)


def next_gold_item(session: Session, *, project_id: int, expert_id: int) -> Item | None:
    """The first gold item this expert has not had. Gold has no overlap to protect, so no lock:
    the (item, expert) uniqueness of leases is what keeps one expert from getting it twice."""
    params = {"project_id": project_id, "expert_id": expert_id}
    return session.scalars(_NEXT_GOLD, params).first()


def get_gold_answer(session: Session, item_id: int) -> GoldAnswer | None:
    return session.get(GoldAnswer, item_id)


def put_gold_answer(session: Session, values: dict[str, object]) -> GoldAnswer:
    """Add or replace an item's gold answer."""
    row = session.get(GoldAnswer, values["item_id"])
    if row is None:
        row = GoldAnswer(**values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.flush()
    return row


def remove_gold_answer(session: Session, item_id: int) -> None:
    session.execute(delete(GoldAnswer).where(GoldAnswer.item_id == item_id))


def list_gold(session: Session, project_id: int) -> list[tuple[Item, GoldAnswer]]:
    query = (
        select(Item, GoldAnswer)
        .join(GoldAnswer, GoldAnswer.item_id == Item.id)
        .where(Item.project_id == project_id)
        .order_by(Item.id)
    )
    return [(item, answer) for item, answer in session.execute(query)]


def count_gold(session: Session, project_id: int) -> int:
    query = select(func.count()).select_from(GoldAnswer).where(GoldAnswer.project_id == project_id)
    return int(session.scalar(query) or 0)
