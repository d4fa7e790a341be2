"""A project's running counts: items in each state, judgments, their active time.

Progress, the lead's home page and the expert's dashboard read a few rows of ``tallies``
instead of counting a project's items or judgments, so they cost the same at any size. The
counts change in the transaction that changes what they count: ``shift`` notes a change in the
session, and the notes are written just before it commits (``Database`` listens for the
commit), a row at a time in key order. Written last and in order, they are
locked only while the transaction commits and never in two orders (PostgreSQL cannot deadlock
on them); each name is spread over ``SHARDS`` rows by item, so concurrent claims and submits
rarely wait on one another. ``recount`` rebuilds a project's tallies from its rows (for bulk
seeds), and ``disagreements`` lists where they differ from a fresh count (the tests' check).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from expertloop.store.prepared import Prepared
from expertloop.store.tables import Item, Judgment, Tally

SHARDS = 16
JUDGMENTS = "judgments"
"""Judgment rows (a rejected judgment still counts: it was made)."""
TIMED = "timed_judgments"
"""Judgments with active time above zero."""
ACTIVE_MS = "active_ms"
"""Their active time, in milliseconds."""
_NOTES = "expertloop.tallies"

Key = tuple[int, str, int]


def shift(session: Session, *, project_id: int, key: int, deltas: Mapping[str, int]) -> None:
    """Note changes to the project's counts (``{"open": -1, "full": 1}``), written at commit;
    ``key`` (an item id) picks the shard."""
    notes: Counter[Key] = session.info.setdefault(_NOTES, Counter())
    for name, delta in deltas.items():
        if delta:
            notes[(project_id, name, key % SHARDS)] += delta


def move_state(session: Session, *, project_id: int, key: int, old: str, new: str) -> None:
    """An item went from state ``old`` to ``new``."""
    if old != new:
        shift(session, project_id=project_id, key=key, deltas={old: -1, new: 1})


def add_judgment(session: Session, *, project_id: int, key: int, active_seconds: float) -> None:
    deltas = {JUDGMENTS: 1}
    if active_seconds > 0:
        deltas |= {TIMED: 1, ACTIVE_MS: _millis(active_seconds)}
    shift(session, project_id=project_id, key=key, deltas=deltas)


def write_notes(session: Session) -> None:
    """Write the session's notes (``before_commit``): one upsert per changed row, in key order,
    each a statement compiled once on the driver's cursor."""
    notes: Counter[Key] = session.info.pop(_NOTES, Counter())
    if not notes:
        return
    for (project_id, name, shard), delta in sorted(notes.items()):
        if delta:
            _UPSERT.execute(
                session, {"project_id": project_id, "name": name, "shard": shard, "n": delta}
            )


def drop_notes(session: Session, *_: Any) -> None:
    """Forget the notes of a transaction that rolled back (``after_rollback``). A savepoint
    rolled back keeps them: note a change once its savepoint holds (``items.insert_items``)."""
    if not session.in_nested_transaction():
        session.info.pop(_NOTES, None)


def _upsert(insert: Any) -> Any:
    statement = insert(Tally).values(
        project_id=bindparam("project_id"),
        name=bindparam("name"),
        shard=bindparam("shard"),
        n=bindparam("n"),
    )
    return statement.on_conflict_do_update(
        index_elements=[Tally.project_id, Tally.name, Tally.shard],
        set_={"n": Tally.n + statement.excluded.n},
    )


_UPSERT = Prepared({"sqlite": _upsert(sqlite.insert), "postgresql": _upsert(postgresql.insert)})


def read(session: Session, project_ids: Iterable[int]) -> dict[int, Counter[str]]:
    """Each project's counts by name (a project with none has an empty counter)."""
    ids = list(project_ids)
    found: dict[int, Counter[str]] = {project_id: Counter() for project_id in ids}
    if ids:
        query = (
            select(Tally.project_id, Tally.name, func.sum(Tally.n))
            .where(Tally.project_id.in_(ids))
            .group_by(Tally.project_id, Tally.name)
        )
        for project_id, name, total in session.execute(query):
            found[project_id][name] = int(total)
    return found


def fresh_counts(session: Session, project_id: int) -> Counter[str]:
    """The counts ``read`` should give, counted from the project's rows (slow: for checks)."""
    states = (
        select(Item.state, func.count()).where(Item.project_id == project_id).group_by(Item.state)
    )
    counts = Counter({str(state): int(n) for state, n in session.execute(states)})
    counts[JUDGMENTS] = int(
        session.scalar(select(func.count()).where(Judgment.project_id == project_id)) or 0
    )
    timed = select(Judgment.active_seconds).where(
        Judgment.project_id == project_id, Judgment.active_seconds > 0
    )
    for seconds in session.scalars(timed.execution_options(yield_per=10_000)):
        counts[TIMED] += 1
        counts[ACTIVE_MS] += _millis(seconds)  # rounded as ``add_judgment`` rounds
    return +counts


def _millis(seconds: float) -> int:
    return round(seconds * 1000)


def recount(session: Session, project_id: int) -> None:
    """Rebuild the project's tallies from its rows (after rows were written in bulk)."""
    session.execute(delete(Tally).where(Tally.project_id == project_id))
    counts = fresh_counts(session, project_id)
    for name, count in sorted(counts.items()):
        _UPSERT.execute(session, {"project_id": project_id, "name": name, "shard": 0, "n": count})


def disagreements(session: Session, project_id: int) -> dict[str, tuple[int, int]]:
    """Names whose tally differs from a fresh count: ``{name: (tally, counted)}``."""
    tallied = read(session, [project_id])[project_id]
    counted = fresh_counts(session, project_id)
    return {
        name: (tallied[name], counted[name])
        for name in set(tallied) | set(counted)
        if tallied[name] != counted[name]
    }
