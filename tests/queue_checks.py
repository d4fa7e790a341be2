"""Shared checks for the lease queue's invariants, read straight from the database."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select

from expertloop.store import Database
from expertloop.store.queue import recount_items
from expertloop.store.tables import Assignment, Item, Judgment


def judges_by_item(database: Database, project_id: int) -> dict[int, list[int]]:
    """Item id -> the expert id of every judgment it received (every item appears)."""
    with database.scoped(write=False) as session:
        judges: dict[int, list[int]] = {
            item_id: []
            for item_id in session.scalars(select(Item.id).where(Item.project_id == project_id))
        }
        rows = session.execute(
            select(Judgment.item_id, Judgment.expert_id).where(Judgment.project_id == project_id)
        )
        for item_id, expert_id in rows:
            judges[item_id].append(expert_id)
    return judges


def assignment_counts(database: Database, project_id: int) -> dict[str, int]:
    """How many assignments of the project are in each status."""
    with database.scoped(write=False) as session:
        rows = session.execute(
            select(Assignment.status, func.count())
            .where(Assignment.project_id == project_id)
            .group_by(Assignment.status)
        )
        return {status: count for status, count in rows}


def assert_exact(database: Database, project_id: int, *, overlap: int, now: datetime) -> None:
    """Every item judged exactly ``overlap`` times by distinct experts, counters recount clean,
    no live lease left, one submitted assignment per judgment."""
    judges = judges_by_item(database, project_id)
    assert judges, "the project has no items"
    wrong = {item: experts for item, experts in judges.items() if len(experts) != overlap}
    assert not wrong, f"items judged other than {overlap} times: {sorted(wrong.items())[:10]}"
    twice = {item: experts for item, experts in judges.items() if len(set(experts)) != overlap}
    assert not twice, f"an expert judged an item twice: {sorted(twice.items())[:10]}"
    with database.scoped(write=False) as session:
        assert recount_items(session, project_id, now) == []
        states = set(session.scalars(select(Item.state).where(Item.project_id == project_id)))
    assert states == {"complete"}
    counts = assignment_counts(database, project_id)
    assert counts.get("active", 0) == 0, counts
    assert counts.get("submitted", 0) == overlap * len(judges), counts
    per_expert: dict[int, set[int]] = defaultdict(set)
    for item, experts in judges.items():
        for expert in experts:
            per_expert[expert].add(item)
    assert sum(len(items) for items in per_expert.values()) == overlap * len(judges)
