"""Items: bulk insert and look-ups."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from expertloop.store import tallies
from expertloop.store.tables import Item

CHUNK = 500


def existing_external_ids(
    session: Session, project_id: int, external_ids: Sequence[str]
) -> set[str]:
    """Which of ``external_ids`` the project already has."""
    found: set[str] = set()
    for start in range(0, len(external_ids), CHUNK):
        chunk = list(external_ids[start : start + CHUNK])
        query = select(Item.external_id).where(
            Item.project_id == project_id, Item.external_id.in_(chunk)
        )
        found.update(session.scalars(query))
    return found


def insert_items(session: Session, rows: list[dict[str, Any]], now: datetime) -> int:
    """Insert many items at once (executemany); returns how many."""
    for start in range(0, len(rows), CHUNK):
        batch = [{**row, "created_at": now} for row in rows[start : start + CHUNK]]
        session.execute(insert(Item), batch)
    for (project_id, state), count in Counter((r["project_id"], r["state"]) for r in rows).items():
        tallies.shift(session, project_id=project_id, key=0, deltas={state: count})
    session.flush()
    return len(rows)


def set_state(session: Session, item: Item, state: str) -> None:
    """Put an item in another state (gold marked or unmarked), its project's tally with it."""
    tallies.move_state(session, project_id=item.project_id, key=item.id, old=item.state, new=state)
    item.state = state


def get_item(session: Session, item_id: int, *, lock: bool = False) -> Item | None:
    if lock:
        return session.scalars(select(Item).where(Item.id == item_id).with_for_update()).first()
    return session.get(Item, item_id)


def iter_items(session: Session, project_id: int) -> Iterator[Item]:
    query = select(Item).where(Item.project_id == project_id).order_by(Item.id)
    yield from session.scalars(query.execution_options(yield_per=CHUNK))


def get_by_external_id(session: Session, project_id: int, external_id: str) -> Item | None:
    """The project's item with this external id, locked for update."""
    query = (
        select(Item)
        .where(Item.project_id == project_id, Item.external_id == external_id)
        .with_for_update()
    )
    return session.scalars(query).first()
