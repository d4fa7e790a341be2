"""Background aggregation on a real database: consensus, adaptive overlap through the real
queue, the quality report, refresh requests, adjudicated items left alone, worker locking."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from expertloop.services.aggregation import SETTLE, refresh_due, refresh_project
from expertloop.store import quality as quality_store
from expertloop.store.tables import Consensus, Item, Judgment
from judging import ValueOf, judge_all, labelled

ADAPTIVE = {"overlap": {"k_min": 2, "k_max": 4, "target": 0.9}, "method": "mv"}
ANSWERS = {
    # item -> the label each expert gives, in expert order
    "q0": ["yes", "yes", "yes", "yes"],
    "q1": ["yes", "no", "yes", "no"],
    "q2": ["no", "yes", "yes", "yes"],
}


def refresh(database: Any, clock: Any, project_id: int) -> Any:
    with database.scoped() as session:
        return refresh_project(
            session=session, project_id=project_id, now=clock(), rng=np.random.default_rng(0)
        )


def work_everything(client: Any, experts: list[Any], project_id: int) -> int:
    """Each expert claims and answers until nothing is left for them; returns judgments."""
    return sum(
        judge_all(client, expert, project_id, labelled({q: said[n] for q, said in ANSWERS.items()}))
        for n, expert in enumerate(experts)
    )


def states(database: Any) -> dict[str, tuple[int, int, str, str | None]]:
    """external id -> (overlap, judgments, item state, consensus state)."""
    with database.scoped() as session:
        rows = session.execute(
            select(
                Item.external_id, Item.overlap, Item.judgments_count, Item.state, Consensus.state
            )
            .outerjoin(Consensus, Consensus.item_id == Item.id)
            .order_by(Item.id)
        )
        return {row[0]: tuple(row[1:]) for row in rows}  # type: ignore[misc]


def test_adaptive_overlap_adds_experts_until_confident_then_disputes(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead = factory.user("lead")
    experts = [factory.user("expert") for _ in range(4)]
    project_id = factory.project(lead=lead, items=3, quality=ADAPTIVE)
    rounds = 0
    while work_everything(client, experts, project_id):
        refresh(database, clock, project_id)
        rounds += 1
    assert rounds == 3  # k_min judgments, then one more slot twice for the split items
    assert states(database) == {
        "q0": (2, 2, "complete", "agreed"),  # 2 of 2 agree: confident at once
        "q1": (4, 4, "complete", "disputed"),  # 1-1, 2-1, 2-2: never confident, k_max reached
        "q2": (4, 4, "complete", "disputed"),  # 1-1, 2-1, 3-1: 0.75 stays below 0.9
    }


def test_the_quality_report_shows_agreement_consensus_and_experts(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead, reviewer = factory.user("lead"), factory.user("reviewer")
    experts = [factory.user("expert") for _ in range(3)]
    project_id = factory.project(lead=lead, items=3, overlap=3)
    work_everything(client, experts, project_id)
    refreshed = refresh(database, clock, project_id)
    assert (refreshed.items, refreshed.slots_opened, refreshed.disputed) == (3, 0, 0)
    for person in (lead, reviewer):
        response = client.get(f"/api/v1/projects/{project_id}/quality", headers=person.headers)
        assert response.status_code == 200, response.text
    body = response.json()
    assert body["method"] == "ds"
    assert body["consensus"] == {"agreed": 3}
    assert body["figures"]["judgments"] == 9
    agreement = body["figures"]["agreement"]["answer"]
    assert agreement["units"] == 3 and agreement["coders"] == 3
    assert agreement["alpha"] is not None and agreement["alpha"] < 1  # q1 and q2 split
    assert sorted(e["expert_id"] for e in body["experts"]) == sorted(e.id for e in experts)
    assert all(0 <= e["reliability"] <= 1 for e in body["experts"])
    listed = client.get(
        f"/api/v1/projects/{project_id}/consensus?state=agreed", headers=lead.headers
    ).json()
    assert listed["count"] == 3
    assert {row["value"]["labels"][0] for row in listed["data"]} == {"yes"}
    denied = client.get(f"/api/v1/projects/{project_id}/quality", headers=experts[0].headers)
    assert denied.status_code == 403


def test_a_refresh_request_is_done_by_the_next_worker_pass(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead = factory.user("lead")
    experts = [factory.user("expert") for _ in range(2)]
    project_id = factory.project(lead=lead, items=2, overlap=2)
    work_everything(client, experts, project_id)
    done = refresh_due(sessions=database.scoped, now=clock, rng=np.random.default_rng(0))
    assert [r.project_id for r in done] == [project_id]
    # judgments younger than SETTLE keep the project due (one may still be committing)
    again = refresh_due(sessions=database.scoped, now=clock, rng=np.random.default_rng(0))
    assert [r.project_id for r in again] == [project_id]
    clock.advance(SETTLE.total_seconds())
    refresh_due(sessions=database.scoped, now=clock, rng=np.random.default_rng(0))
    assert refresh_due(sessions=database.scoped, now=clock, rng=np.random.default_rng(0)) == []
    url = f"/api/v1/projects/{project_id}/quality/refresh"
    assert client.post(url, headers=experts[0].headers).status_code == 403
    asked = client.post(url, headers=lead.headers)
    assert asked.status_code == 202
    done = refresh_due(sessions=database.scoped, now=clock, rng=np.random.default_rng(0))
    assert [r.project_id for r in done] == [project_id]
    body = client.get(f"/api/v1/projects/{project_id}/quality", headers=lead.headers).json()
    assert body["requested_at"] is None and body["refreshed_at"] is not None


def test_an_adjudicated_item_is_never_overwritten(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead = factory.user("lead")
    experts = [factory.user("expert") for _ in range(2)]
    project_id = factory.project(lead=lead, items=1, overlap=2)
    work_everything(client, experts, project_id)
    refresh(database, clock, project_id)
    with database.scoped() as session:
        row = session.scalars(select(Consensus)).one()
        row.state, row.value, row.reason = "adjudicated", {"labels": ["no"]}, "per protocol"
        session.commit()
    refresh(database, clock, project_id)
    with database.scoped() as session:
        row = session.scalars(select(Consensus)).one()
        assert (row.state, row.value, row.reason) == (
            "adjudicated",
            {"labels": ["no"]},
            "per protocol",
        )


def test_gold_items_stay_out_of_consensus(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead = factory.user("lead")
    experts = [factory.user("expert") for _ in range(2)]
    project_id = factory.project(
        lead=lead, items=3, overlap=1, quality={"gold": {"calibration": 1}}
    )
    marked = client.put(
        f"/api/v1/projects/{project_id}/gold",
        json={"items": [{"external_id": "q2", "answer": {"labels": ["no"]}}]},
        headers=lead.headers,
    )
    assert marked.status_code == 200
    work_everything(client, experts, project_id)
    refresh(database, clock, project_id)
    assert {key: value[3] for key, value in states(database).items()} == {
        "q0": "agreed",
        "q1": "agreed",
        "q2": None,
    }


def test_a_project_another_worker_holds_is_skipped(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    if database.sqlite:
        pytest.skip("SQLite admits one writer at a time: the second worker waits its turn")
    lead = factory.user("lead")
    project_id = factory.project(lead=lead, items=1)
    assert refresh(database, clock, project_id) is not None  # the state row exists from now on
    with database.scoped() as holder:
        assert quality_store.lock_project_quality_nowait(holder, project_id) is not None
        assert refresh(database, clock, project_id) is None
        holder.rollback()
    assert refresh(database, clock, project_id) is not None


def preference(expert_index: int) -> ValueOf:
    """Experts 0 and 1 always prefer A (model-a); expert 2 prefers B on q3."""
    return lambda item: {
        "choice": "B" if expert_index == 2 and item == "q3" else "A",
        "strength": 2,
    }


def test_pairwise_projects_get_a_model_leaderboard_and_pairwise_kappas(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead = factory.user("lead")
    experts = [factory.user("expert") for _ in range(3)]
    project_id = factory.project(lead=lead, kind="pairwise", items=4, overlap=3)
    for index, expert in enumerate(experts):
        judge_all(client, expert, project_id, preference(index))
    refresh(database, clock, project_id)
    report = client.get(f"/api/v1/projects/{project_id}/quality", headers=lead.headers).json()
    board = report["figures"]["leaderboard"]
    assert [row["model"] for row in board] == ["model-a", "model-b"]
    assert (board[0]["wins"], board[0]["losses"], board[0]["n"]) == (11, 1, 12)
    assert board[0]["low"] < board[0]["score"] < board[0]["high"]
    assert board[0]["low"] > board[1]["high"]  # clearly separated
    pairs = report["figures"]["agreement"]["pairs"]
    # experts 0 and 1 never vary, so their kappa is undefined and left out; against expert 2
    # each agrees on 3 of 4 with chance agreement 3/4: kappa 0
    ids = [e.id for e in experts]
    assert sorted((p["expert_a"], p["expert_b"], p["kappa"], p["n"]) for p in pairs) == sorted(
        [(ids[0], ids[2], 0.0, 4), (ids[1], ids[2], 0.0, 4)]
    )


def test_data_a_method_cannot_fit_is_reported_and_the_worker_goes_on(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, kind="ranking", overlap=1)
    responses = [{"id": "A", "text": "first"}, {"id": "B", "text": "second"}]
    imported = client.post(
        f"/api/v1/projects/{project_id}/items",
        json={"items": [{"prompt": "Which is better?", "responses": responses}]},
        headers=lead.headers,
    )
    assert imported.status_code == 201, imported.text
    claimed = client.post(f"/api/v1/projects/{project_id}/claims", headers=expert.headers).json()
    response = client.post(
        f"/api/v1/assignments/{claimed['assignment_id']}/judgment",
        json={"value": {"ranking": [["B"], ["A"]]}},
        headers=expert.headers,
    )
    assert response.status_code == 201, response.text
    assert refresh(database, clock, project_id).items == 1
    with database.scoped() as session:  # a value stored before its spec changed, say
        judgment = session.scalars(select(Judgment)).one()
        judgment.value = {"ranking": []}
        session.commit()
    refreshed = refresh(database, clock, project_id)
    assert refreshed is not None and refreshed.items == 0
    body = client.get(f"/api/v1/projects/{project_id}/quality", headers=lead.headers).json()
    assert body["error"] == "bt: no items to rank"
    assert body["figures"]["items"] == 1  # the last good report stays
    with database.scoped() as session:
        row = session.scalars(select(Consensus)).one()
        assert row.value == {"ranking": [["B"], ["A"]]}
