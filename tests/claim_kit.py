"""Snapshots for claim tests: items and past leases written straight into the tables (fast,
thousands at once), and the plans and work of the claim's statements on either database."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from expertloop.core.lifecycles import AssignmentStatus, ItemState
from expertloop.store import Database
from expertloop.store.prepared import Prepared
from expertloop.store.tables import Assignment, Item, Judgment


def add_items(
    database: Database, project_id: int, rows: Sequence[dict[str, Any]], now: datetime
) -> list[int]:
    """Insert items (``state``, ``started``, ``priority``, ``author_id`` as given) and return
    their ids in order; counters and overlap are made up to fit the state."""
    full = [
        {
            "project_id": project_id,
            "external_id": None,
            "prompt": "p",
            "context": None,
            "responses": [],
            "data": {},
            "metadata_": {},
            "priority": row.get("priority", 0),
            "author_id": row.get("author_id"),
            "overlap": 3,
            "state": row.get("state", ItemState.OPEN.value),
            "started": row.get("started", False),
            "judgments_count": 0,
            "leases_count": 0,
            "created_at": now,
        }
        for row in rows
    ]
    with database.scoped() as session:
        ids: list[int] = []
        for start in range(0, len(full), 5000):
            query = insert(Item).returning(Item.id, sort_by_parameter_order=True)
            ids += [row[0] for row in session.execute(query, full[start : start + 5000])]
        session.commit()
    return ids


def add_had(
    database: Database,
    project_id: int,
    pairs: Sequence[tuple[int, int]],
    now: datetime,
    *,
    judged: bool = False,
) -> None:
    """Submitted leases: expert ``e`` had item ``i`` for each ``(i, e)``; with ``judged``, each
    with its judgment too."""
    rows = [
        {
            "project_id": project_id,
            "item_id": item_id,
            "expert_id": expert_id,
            "status": AssignmentStatus.SUBMITTED.value,
            "created_at": now - timedelta(hours=1),
            "expires_at": now - timedelta(minutes=30),
            "last_seen_at": now - timedelta(hours=1),
            "active_seconds": 30.0,
            "ended_at": now - timedelta(minutes=50),
        }
        for item_id, expert_id in pairs
    ]
    with database.scoped() as session:
        for start in range(0, len(rows), 5000):
            batch = rows[start : start + 5000]
            query = insert(Assignment).returning(Assignment.id, sort_by_parameter_order=True)
            lease_ids = [row[0] for row in session.execute(query, batch)]
            if judged:
                session.execute(insert(Judgment), _judgments(batch, lease_ids))
        session.commit()


def _judgments(leases: Sequence[dict[str, Any]], lease_ids: Sequence[int]) -> list[dict[str, Any]]:
    return [
        {
            "project_id": lease["project_id"],
            "item_id": lease["item_id"],
            "assignment_id": lease_id,
            "expert_id": lease["expert_id"],
            "value": {"labels": ["yes"]},
            "rationale": "",
            "guideline_version": 1,
            "active_seconds": 30.0,
            "idempotency_key": None,
            "created_at": lease["ended_at"],
            "review_state": None,
        }
        for lease, lease_id in zip(leases, lease_ids, strict=True)
    ]


def analyze(database: Database) -> None:
    """Fresh planner statistics, as autovacuum or SQLite's ``optimize`` would leave them."""
    with database.writer.begin() as connection:
        connection.execute(text("ANALYZE"))


def sqlite_plan(session: Session, statement: Prepared, params: dict[str, Any]) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN lines of ``statement``."""
    compiled = statement.compile_for(session.connection().dialect)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    rows = cursor.execute("EXPLAIN QUERY PLAN " + compiled.sql, compiled.parameters(params))
    return [str(row[3]) for row in rows]


def _numbered(sql: str) -> tuple[str, list[str]]:
    """``%(name)s`` (or ``%s``) placeholders as ``$1, $2...`` for PREPARE, and the names (or
    positions) in that order."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1) or str(len(names))
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return re.sub(r"%\((\w+)\)s|%s", number, sql), names


def postgresql_plans(
    session: Session, statement: Prepared, params: dict[str, Any], *, analyze_run: bool = False
) -> Iterator[dict[str, Any]]:
    """PostgreSQL's plans of a prepared statement of the store for these values (see
    ``postgresql_plans_of_sql``)."""
    compiled = statement.compile_for(session.connection().dialect)
    values = compiled.parameters(params)
    yield from postgresql_plans_of_sql(session, compiled.sql, values, analyze_run=analyze_run)


def postgresql_plans_of_sql(
    session: Session, sql: str, values: Any, *, analyze_run: bool = False
) -> Iterator[dict[str, Any]]:
    """PostgreSQL's plans of ``sql`` as JSON: the plan for these values, then the generic plan
    a prepared statement falls back to (values unknown when it is planned). ``analyze_run``:
    run the statement too (in the caller's transaction) for actual rows."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    options = "ANALYZE, FORMAT JSON" if analyze_run else "FORMAT JSON"
    cursor.execute(f"EXPLAIN ({options}) " + sql, values)
    yield cursor.fetchone()[0][0]["Plan"]
    numbered, names = _numbered(sql)
    cursor.execute("PREPARE plan_check AS " + numbered)
    cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    given = [values[name] for name in names] if isinstance(values, dict) else list(values or ())
    literals = ", ".join(_sql_value(value) for value in given)
    cursor.execute(
        f"EXPLAIN ({options}) EXECUTE plan_check({literals})"
        if given
        else f"EXPLAIN ({options}) EXECUTE plan_check"
    )
    yield cursor.fetchone()[0][0]["Plan"]
    cursor.execute("DEALLOCATE plan_check")


def _sql_value(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if hasattr(value, "obj"):  # psycopg's Json and Jsonb wrappers
        value = json.dumps(value.obj)
    return "'" + str(value).replace("'", "''") + "'"


def plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from plan_nodes(child)


@contextmanager
def counting_sqlite_steps(session: Session) -> Iterator[list[int]]:
    """Count the SQLite virtual machine's instructions run inside the block (in tens):
    the work a statement does, the same on any machine, unlike its time."""
    raw = session.connection().connection.driver_connection
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    raw.set_progress_handler(tick, 10)  # type: ignore[union-attr]
    try:
        yield steps
    finally:
        raw.set_progress_handler(None, 0)  # type: ignore[union-attr]
