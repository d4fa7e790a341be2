"""Gold items: their known answers, and the pick of the next gold item for an expert."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from expertloop.core.lifecycles import ItemState
from expertloop.store.tables import Assignment, GoldAnswer, Item


def _next_gold(after: bool) -> Any:
    """The first gold item this expert has not had, with an id above (``after``) or at most
    ``cursor``, in id order through ``ix_items_state``."""
    beyond = Item.id > bindparam("cursor") if after else Item.id <= bindparam("cursor")
    return (
        select(Item)
        .where(
            Item.project_id == bindparam("project_id"),
            Item.state == ItemState.GOLD.value,
            beyond,
            ~exists().where(
                Assignment.item_id == Item.id, Assignment.expert_id == bindparam("expert_id")
            ),
            or_(Item.author_id.is_(None), Item.author_id != bindparam("expert_id")),
        )
        .order_by(Item.id)
        .limit(1)
        .execution_options(populate_existing=True)
    )


_NEXT_GOLD_AFTER, _NEXT_GOLD_UP_TO = _next_gold(True), _next_gold(False)


def next_gold_item(
    session: Session, *, project_id: int, expert_id: int, cursor: int = 0
) -> Item | None:
    """The first gold item this expert has not had after ``cursor`` (the last gold item they
    were served), else the first at or before it (gold marked later on an older item).

    An expert is served gold in id order, so the items after the cursor are new to them and
    the first look finds one at once, however many gold items they answered; the look back
    reads the gold items they had only when none is left after the cursor. Gold has no overlap
    to protect, so no lock: the (item, expert) uniqueness of leases keeps one expert from
    getting it twice."""
    params = {"project_id": project_id, "expert_id": expert_id, "cursor": cursor}
    found = session.scalars(_NEXT_GOLD_AFTER, params).first()
    if found is None and cursor > 0:
        found = session.scalars(_NEXT_GOLD_UP_TO, params).first()
    return found


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
