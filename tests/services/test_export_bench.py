"""The export benchmark's seeding: bulk-inserted rows that hang together as the queue, the
judgments and aggregation would have left them, and that the export service reads."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import pytest
from sqlalchemy import select

from expertloop.core.errors import Invalid
from expertloop.services.export_bench import BenchPlan, seed_export_project
from expertloop.services.exports import ExportRequest, open_export
from expertloop.store import Database
from expertloop.store.tables import Assignment, Consensus, Item, Judgment


def _seed(database: Database, clock: Any, plan: BenchPlan) -> int:
    with database.scoped() as session:
        seeded = seed_export_project(session=session, plan=plan, name="bench", now=clock())
    assert (seeded.items, seeded.judgments) == (10, 30)
    return seeded.project_id


def test_seeded_judgments_each_have_their_own_assignment_and_a_majority_consensus(
    database: Database, clock: Any
) -> None:
    # batches of 4 items: the ids of several INSERT ... RETURNING batches must line up
    project_id = _seed(database, clock, BenchPlan(judgments=30, experts=5, batch_items=4))
    with database.scoped(write=False) as session:
        pairs = session.execute(
            select(Judgment, Assignment)
            .join(Assignment, Assignment.id == Judgment.assignment_id)
            .where(Judgment.project_id == project_id)
        ).all()
        consensus = session.scalars(
            select(Consensus).where(Consensus.project_id == project_id)
        ).all()
        items = session.scalars(select(Item).where(Item.project_id == project_id)).all()
    assert len(pairs) == 30
    votes: dict[int, Counter[str]] = defaultdict(Counter)
    for judgment, assignment in pairs:
        assert (judgment.item_id, judgment.expert_id) == (assignment.item_id, assignment.expert_id)
        assert assignment.status == "submitted" and judgment.active_seconds > 0
        assert len(judgment.rationale) >= 80 and judgment.guideline_version in (1, 2)
        votes[judgment.item_id][judgment.value["choice"]] += 1
    assert all(sum(counts.values()) == 3 for counts in votes.values())
    assert {c.item_id for c in consensus} == {i.id for i in items} == set(votes)
    for row in consensus:
        assert row.state == "agreed" and row.value is not None
        assert row.value["choice"] == votes[row.item_id].most_common(1)[0][0]
    assert all(len(item.responses) == 2 and item.judgments_count == 3 for item in items)


def test_the_export_service_reads_the_seeded_project(database: Database, clock: Any) -> None:
    project_id = _seed(database, clock, BenchPlan(judgments=30, experts=4))
    counts = {}
    for name in ("raw", "preference"):
        with database.scoped(write=False) as session:
            stream = open_export(
                session=session,
                actor=None,
                project_id=project_id,
                request=ExportRequest.from_dict({"format": name}),
            )
            counts[name] = Counter(row.get("type", "pair") for row in stream.rows)
    assert counts == {"raw": {"judgment": 30, "consensus": 10}, "preference": {"pair": 10}}


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        (BenchPlan(judgments=30, kind="label"), "kind"),
        (BenchPlan(judgments=30, overlap=5, experts=4), "overlap"),
        (BenchPlan(judgments=2), "judgments"),
    ],
)
def test_a_plan_that_cannot_be_seeded_is_refused(
    database: Database, clock: Any, plan: BenchPlan, field: str
) -> None:
    with database.scoped() as session, pytest.raises(Invalid) as caught:
        seed_export_project(session=session, plan=plan, name="bench", now=clock())
    assert caught.value.code == "bench.invalid"
    assert [error.field for error in caught.value.errors] == [field]
