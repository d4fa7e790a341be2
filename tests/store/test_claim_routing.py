"""The claim at any size: the store serves what ``core.routing`` picks on the same snapshot, each
of its statements walks ``ix_items_claim`` in order (read from both databases' plans, for the
values given and for the generic plan of a prepared statement), and the work one claim does
stays the same from a thousand items to tens of thousands and for experts with long histories."""

from __future__ import annotations

import random
from typing import Any

import pytest

from claim_kit import (
    add_had,
    add_items,
    analyze,
    counting_sqlite_steps,
    plan_nodes,
    postgresql_plans,
    sqlite_plan,
)
from expertloop.core.lifecycles import ItemState, Role
from expertloop.core.policies import Actor
from expertloop.core.routing import STARTED_WINDOW, Candidate, pick_next
from expertloop.services import gold
from expertloop.services import queue as services_queue
from expertloop.services.gold import GoldDraft
from expertloop.store import gold as gold_store
from expertloop.store import items as item_store
from expertloop.store import queue

CLOSED = (ItemState.FULL.value, ItemState.COMPLETE.value, ItemState.GOLD.value)


def random_snapshot(rng: random.Random, expert: int, other: int) -> list[dict[str, Any]]:
    """About 200 items: most started (more than the window holds), a few fresh, some closed,
    priorities in three levels, some had or written by ``expert`` (or by ``other``)."""
    rows = []
    for _ in range(200):
        started = rng.random() < 0.75
        rows.append(
            {
                "started": started,
                "priority": rng.choice((0, 0, 1, 5)),
                "state": ItemState.OPEN.value if rng.random() < 0.85 else rng.choice(CLOSED),
                "author_id": rng.choice((None,) * 12 + (expert, other)),
                "had": started and rng.random() < 0.4,
            }
        )
    return rows


def candidates_of(rows: list[dict[str, Any]], ids: list[int], had: set[int]) -> list[Candidate]:
    return [
        Candidate(
            id=item_id,
            started=row["started"],
            priority=row["priority"],
            has_free_slot=row["state"] == ItemState.OPEN.value,
            author_id=row["author_id"],
            seen_by_expert=item_id in had,
        )
        for row, item_id in zip(rows, ids, strict=True)
    ]


@pytest.mark.parametrize("seed", range(4))
def test_claims_follow_core_routing_through_every_tier(database, factory, clock, seed) -> None:
    expert, other = factory.user(), factory.user()
    project_id = factory.project(overlap=3)
    rng = random.Random(seed)
    rows = random_snapshot(rng, expert.id, other.id)
    ids = add_items(database, project_id, rows, clock())
    had = {item_id for row, item_id in zip(rows, ids, strict=True) if row["had"]}
    add_had(database, project_id, [(item_id, expert.id) for item_id in sorted(had)], clock())
    picks = []
    while True:  # claim, note the item as had, claim again: every tier in turn, then nothing
        expected = pick_next(candidates_of(rows, ids, had), expert.id)
        with database.scoped() as session:
            found = queue.lock_next_item(session, project_id=project_id, expert_id=expert.id)
            session.rollback()
        assert (found and found.id) == (expected and expected.id), f"after {picks}"
        if found is None:
            break
        picks.append(found.id)
        had.add(found.id)
        add_had(database, project_id, [(found.id, expert.id)], clock())
    started_open = sum(1 for r in rows if r["started"] and r["state"] == ItemState.OPEN.value)
    assert started_open > STARTED_WINDOW  # the snapshot reaches past the window
    assert len(picks) > 20


def test_a_fresh_item_comes_before_started_items_the_expert_had_beyond_the_window(
    database, factory, clock
) -> None:
    expert = factory.user()
    project_id = factory.project(overlap=3)
    started = add_items(database, project_id, [{"started": True}] * (STARTED_WINDOW + 5), clock())
    fresh = add_items(database, project_id, [{"started": False}], clock())
    add_had(database, project_id, [(i, expert.id) for i in started[:STARTED_WINDOW]], clock())
    with database.scoped() as session:
        found = queue.lock_next_item(session, project_id=project_id, expert_id=expert.id)
    assert found is not None and found.id == fresh[0]
    add_had(database, project_id, [(fresh[0], expert.id)], clock())
    with database.scoped() as session:  # no fresh item left: the started ones past the window
        found = queue.lock_next_item(session, project_id=project_id, expert_id=expert.id)
    assert found is not None and found.id == started[STARTED_WINDOW]


def large_project(database, factory, clock, items: int, stuck: int = 0) -> tuple[int, Any]:
    """A project of ``items`` items: a third complete and judged by ``expert`` among others,
    ``stuck`` started ones the expert had that wait for other experts, the rest fresh."""
    expert, others = factory.user(), [factory.user() for _ in range(3)]
    project_id = factory.project(overlap=3)
    done = items // 3
    complete = add_items(
        database, project_id, [{"started": True, "state": "complete"}] * done, clock()
    )
    waiting = add_items(database, project_id, [{"started": True}] * stuck, clock())
    add_items(database, project_id, [{"started": False}] * (items - done - stuck), clock())
    pairs = [(i, p.id) for i in complete for p in (expert, *others[:2])]
    add_had(database, project_id, pairs + [(i, expert.id) for i in waiting], clock())
    analyze(database)
    return project_id, expert


def claim_steps(database, project_id: int, expert_id: int) -> int:
    with database.scoped() as session:
        with counting_sqlite_steps(session) as steps:
            found = queue.lock_next_item(session, project_id=project_id, expert_id=expert_id)
        session.rollback()
    assert found is not None
    return steps[0]


def test_claim_work_is_flat_in_project_size_and_expert_history(database, factory, clock) -> None:
    if not database.sqlite:
        pytest.skip("counts SQLite's virtual machine steps; PostgreSQL's rows are read below")
    small = claim_steps(database, *_ids(large_project(database, factory, clock, 1_000)))
    large = claim_steps(database, *_ids(large_project(database, factory, clock, 30_000)))
    stuck = claim_steps(
        database, *_ids(large_project(database, factory, clock, 30_000, stuck=5_000))
    )
    assert large <= small * 1.2 + 5
    # the expert had 5,000 started items waiting for others: the claim reads the window of
    # them, never all of them (reading them all costs hundreds of times more)
    assert stuck <= small + 400  # reading all 5,000 costs about 20,000


def _ids(found: tuple[int, Any]) -> tuple[int, int]:
    return found[0], found[1].id


def test_claim_statements_walk_the_claim_index_on_sqlite(database, factory, clock) -> None:
    if not database.sqlite:
        pytest.skip("SQLite's plans")
    project_id, expert = large_project(database, factory, clock, 3_000, stuck=100)
    params = {"project_id": project_id, "expert_id": expert.id}
    with database.scoped() as session:
        for statement in queue.CLAIM_TIERS:
            plan = sqlite_plan(session, statement, params)
            walks = [line for line in plan if "ix_items_claim" in line]
            assert walks == [walks[0]] and "(project_id=? AND state=? AND started=?)" in walks[0]
            assert not any(line.startswith("SCAN items") for line in plan), plan
            probes = [line for line in plan if line.startswith("SEARCH assignments")]
            assert probes and all("(item_id=? AND expert_id=?)" in line for line in probes)
            if any("TEMP B-TREE" in line for line in plan):  # only the window's own rows
                assert "MATERIALIZE near" in plan and "SCAN near" in plan, plan


def test_claim_statements_walk_the_claim_index_on_postgresql(database, factory, clock) -> None:
    if database.sqlite:
        pytest.skip("PostgreSQL's plans")
    project_id, expert = large_project(database, factory, clock, 20_000, stuck=2_000)
    params = {"project_id": project_id, "expert_id": expert.id}
    with database.scoped() as session:
        for statement in queue.CLAIM_TIERS:
            for plan in postgresql_plans(session, statement, params):
                check_postgresql_claim_plan(plan)
        session.rollback()


def check_postgresql_claim_plan(plan: dict[str, Any]) -> None:
    nodes = list(plan_nodes(plan))
    kinds = [node["Node Type"] for node in nodes]
    assert "Seq Scan" not in kinds and "Sort" not in kinds and "Hash" not in kinds, kinds
    walks = [n for n in nodes if n.get("Index Name") == "ix_items_claim"]
    assert len(walks) == 1 and "started" in walks[0]["Index Cond"], walks
    probes = [n for n in nodes if n.get("Relation Name") == "assignments"]
    assert probes and all(n["Index Name"] == "uq_assignments_item_id" for n in probes)
    assert all(n.get("Parent Relationship") == "SubPlan" for n in probes), probes


def test_claim_reads_a_bounded_number_of_rows_on_postgresql(database, factory, clock) -> None:
    if database.sqlite:
        pytest.skip("PostgreSQL's actual rows")
    project_id, expert = large_project(database, factory, clock, 20_000, stuck=2_000)
    params = {"project_id": project_id, "expert_id": expert.id}
    with database.scoped() as session:
        window, fresh, _ = queue.CLAIM_TIERS
        runs = [
            next(postgresql_plans(session, s, params, analyze_run=True)) for s in (window, fresh)
        ]
        session.rollback()
    read = [
        sum(
            n.get("Actual Rows", 0)
            for n in plan_nodes(run)
            if n.get("Index Name") == "ix_items_claim"
        )
        for run in runs
    ]
    assert read == [STARTED_WINDOW, 1]  # the window (all had), then the first fresh item


def test_gold_is_served_in_id_order_from_the_expert_cursor_then_looks_back(
    database, factory, clock
) -> None:
    lead, expert = factory.user("lead"), factory.user()
    project_id = factory.project(lead=lead, items=6, quality={"gold": {"calibration": 10}})
    with database.scoped(write=False) as session:
        ids = [item.id for item in item_store.iter_items(session, project_id)]
    mark(database, project_id, [ids[1], ids[3], ids[5]], clock)
    actor = Actor(expert.id, Role.EXPERT)

    def claim_and_release() -> int:
        with database.scoped() as session:
            claim = services_queue.claim_next(
                session=session, actor=actor, project_id=project_id, now=clock()
            )
        assert claim is not None
        with database.scoped() as session:
            services_queue.release(
                session=session, actor=actor, assignment_id=claim.assignment.id, now=clock()
            )
        return claim.item.id

    assert [claim_and_release() for _ in range(3)] == [ids[1], ids[3], ids[5]]
    mark(database, project_id, [ids[0]], clock)  # gold marked later, behind the cursor
    assert claim_and_release() == ids[0]
    assert claim_and_release() == ids[2]  # no gold left for this expert: the queue's next item


def mark(database, project_id: int, item_ids: list[int], clock) -> None:
    drafts = [GoldDraft(answer={"labels": ["yes"]}, item_id=item_id) for item_id in item_ids]
    with database.scoped() as session:
        gold.mark_gold(
            session=session, actor=None, project_id=project_id, drafts=drafts, now=clock()
        )


def test_gold_pick_work_does_not_grow_with_the_gold_an_expert_answered(
    database, factory, clock
) -> None:
    if not database.sqlite:
        pytest.skip("counts SQLite's virtual machine steps")
    veteran, newcomer = factory.user(), factory.user()
    project_id = factory.project(overlap=3)
    gold_ids = add_items(database, project_id, [{"state": "gold"}] * 3000, clock())
    add_had(database, project_id, [(i, veteran.id) for i in gold_ids[:2000]], clock())

    def steps(expert_id: int, cursor: int) -> int:
        with database.scoped() as session, counting_sqlite_steps(session) as counted:
            found = gold_store.next_gold_item(
                session, project_id=project_id, expert_id=expert_id, cursor=cursor
            )
        assert found is not None
        return counted[0]

    assert steps(veteran.id, gold_ids[1999]) <= steps(newcomer.id, 0) + 2
