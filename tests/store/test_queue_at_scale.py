"""The lease queue's whole claim-and-submit cycle at size: every statement it sends (recorded
from the driver) reads through an index, never scans or sorts a project's items, leases or
judgments, and on SQLite the work of a cycle (virtual machine steps) is the same for a project
of 1,000 items and one of 30,000 with the same history."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
import pytest
from sqlalchemy import insert

from claim_kit import (
    add_had,
    add_items,
    analyze,
    counting_sqlite_steps,
    plan_nodes,
    postgresql_plans_of_sql,
)
from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services import judgments, queue
from expertloop.store.tables import GoldAnswer

QUALITY = {"gold": {"rate": 0.25}, "review": {"share": 0.2, "probation": 2}}
# Tables that grow with a project (gold_answers does too, but 40 rows here are read whole, as
# they should be, by a planner that knows the table is small).
LARGE_TABLES = ("items", "assignments", "judgments", "consensus", "audit_log")
CYCLES = 8


def seeded(database, factory, clock, items: int) -> tuple[int, list[Any]]:
    """A label project with gold and review sampling: a third of its items judged by the first
    expert and two others, 40 gold items (the first expert had 20), the rest fresh; a fourth
    expert is new to it (on probation: every submit counts their earlier judgments)."""
    experts = [factory.user() for _ in range(4)]
    project_id = factory.project(overlap=3, quality=QUALITY)
    done = add_items(
        database, project_id, [{"started": True, "state": "complete"}] * (items // 3), clock()
    )
    gold = add_items(database, project_id, [{"started": True, "state": "gold"}] * 40, clock())
    add_items(database, project_id, [{"started": False}] * (items - items // 3 - 40), clock())
    add_had(
        database, project_id, [(i, e.id) for i in done for e in experts[:3]], clock(), judged=True
    )
    add_had(database, project_id, [(i, experts[0].id) for i in gold[:20]], clock())
    answers = [
        {
            "item_id": i,
            "project_id": project_id,
            "answer": {"labels": ["yes"]},
            "explanation": "",
            "created_by": None,
            "created_at": clock(),
        }
        for i in gold
    ]
    with database.scoped() as session:
        session.execute(insert(GoldAnswer), answers)
        session.commit()
    analyze(database)
    return project_id, experts


def cycle(session, project_id: int, expert_id: int, now: datetime, key: str) -> None:
    actor = Actor(expert_id, Role.EXPERT)
    claim = queue.claim_next(session=session, actor=actor, project_id=project_id, now=now)
    assert claim is not None
    judgments.submit_judgment(
        session=session,
        actor=actor,
        assignment_id=claim.assignment.id,
        value={"labels": ["yes"]},
        rationale="as the trial reports",
        idempotency_key=key,
        now=now,
    )


def cycle_steps(database, clock, project_id: int, expert_id: int) -> int:
    with database.scoped() as session:
        cycle(session, project_id, expert_id, clock(), "warm")  # the expert's records exist
        with counting_sqlite_steps(session) as steps:
            for index in range(CYCLES):
                cycle(session, project_id, expert_id, clock(), f"k{index}")
    return steps[0]


def test_cycle_work_does_not_grow_with_the_project_on_sqlite(database, factory, clock) -> None:
    if not database.sqlite:
        pytest.skip("counts SQLite's virtual machine steps")
    small_project, small_experts = seeded(database, factory, clock, 1_000)
    large_project, large_experts = seeded(database, factory, clock, 30_000)
    for veteran_or_new in (0, 3):
        small = cycle_steps(database, clock, small_project, small_experts[veteran_or_new].id)
        large = cycle_steps(database, clock, large_project, large_experts[veteran_or_new].id)
        assert large <= small * 1.15, (veteran_or_new, small, large)


@contextmanager
def recording_sqlite(session) -> Iterator[list[str]]:
    raw = session.connection().connection.driver_connection
    sent: list[str] = []
    raw.set_trace_callback(sent.append)
    try:
        yield sent
    finally:
        raw.set_trace_callback(None)


def test_every_cycle_statement_reads_through_an_index_on_sqlite(database, factory, clock) -> None:
    if not database.sqlite:
        pytest.skip("SQLite's plans")
    project_id, experts = seeded(database, factory, clock, 3_000)
    with database.scoped() as session:
        with recording_sqlite(session) as sent:
            for index in range(CYCLES):
                cycle(session, project_id, experts[0].id, clock(), f"k{index}")
        cursor = session.connection().connection.driver_connection.cursor()
        explained = 0
        for sql in set(sent):
            if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT")):
                continue
            plan = [row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + sql)]
            explained += 1
            for table in LARGE_TABLES:
                assert not any(line.startswith(f"SCAN {table}") for line in plan), (sql, plan)
            if any("TEMP B-TREE" in line for line in plan):
                assert "SCAN near" in plan, (sql, plan)  # the claim's window of started items
    assert explained >= 8


class RecordingCursor(psycopg.Cursor):  # type: ignore[type-arg]
    sent: list[tuple[str, Any]] = []

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        RecordingCursor.sent.append((str(query), params))
        return super().execute(query, params, **kwargs)


def test_every_cycle_statement_reads_through_an_index_on_postgresql(
    database, factory, clock, monkeypatch
) -> None:
    if database.sqlite:
        pytest.skip("PostgreSQL's plans")
    project_id, experts = seeded(database, factory, clock, 20_000)
    RecordingCursor.sent = []
    with database.scoped() as session:
        raw = session.connection().connection.driver_connection
        monkeypatch.setattr(raw, "cursor_factory", RecordingCursor)
        for index in range(CYCLES):
            cycle(session, project_id, experts[0].id, clock(), f"k{index}")
        monkeypatch.undo()
        explained = 0
        for sql, params in {(s, repr(p)): (s, p) for s, p in RecordingCursor.sent}.values():
            if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT")):
                continue
            for plan in postgresql_plans_of_sql(session, sql, params):
                explained += 1
                check_indexed(plan, sql)
        session.rollback()
    assert explained >= 16


def check_indexed(plan: dict[str, Any], sql: str) -> None:
    for node in plan_nodes(plan):
        table = node.get("Relation Name")
        if table in LARGE_TABLES:
            assert node["Node Type"] != "Seq Scan", (sql, node)
        if node["Node Type"] == "Sort":  # only rows a Limit or one lease's look-up bounded
            assert any(
                n["Node Type"] == "Limit" or n.get("Index Name") == "pk_assignments"
                for n in plan_nodes(node)
            ) or all(n.get("Relation Name") not in LARGE_TABLES for n in plan_nodes(node)), (
                sql,
                node,
            )
