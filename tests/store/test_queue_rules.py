"""Lease rules one at a time: expiry hands the slot on, heartbeats extend, only the owner may
use a lease, release returns the slot, no item twice nor one's own, idempotent submits."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select, update

from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services import judgments, queue
from expertloop.store.tables import Item, Judgment

LABEL = {"value": {"labels": ["yes"]}, "rationale": "cited trial", "idempotency_key": "k1"}


def claim(client: Any, project_id: int, person: Any) -> Any:
    return client.post(f"/api/v1/projects/{project_id}/claims", headers=person.headers)


def lease_call(client: Any, assignment_id: int, person: Any, action: str, **body: Any) -> Any:
    return client.post(
        f"/api/v1/assignments/{assignment_id}/{action}", headers=person.headers, json=body or None
    )


def submit(client: Any, assignment_id: int, person: Any, key: str = "k1") -> Any:
    return lease_call(
        client, assignment_id, person, "judgment", **{**LABEL, "idempotency_key": key}
    )


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


def judgment_count(database: Any, project_id: int) -> int:
    with database.scoped(write=False) as session:
        query = select(func.count()).select_from(Judgment).where(Judgment.project_id == project_id)
        return int(session.scalar(query) or 0)


def test_claim_after_expiry_gives_the_slot_to_another_expert(client, factory, clock) -> None:
    lead, first, second = factory.user("lead"), factory.user(), factory.user()
    project_id = factory.project(lead=lead, items=1, lease_seconds=60)
    taken = claim(client, project_id, first).json()
    assert claim(client, project_id, second).status_code == 204
    clock.advance(61)
    again = claim(client, project_id, second)
    assert again.status_code == 200
    assert again.json()["item"]["id"] == taken["item"]["id"]
    assert_error(submit(client, taken["assignment_id"], first), 409, "lease.expired")
    assert_error(
        lease_call(client, taken["assignment_id"], first, "heartbeat"), 409, "lease.expired"
    )
    assert claim(client, project_id, first).status_code == 204  # never the same item twice
    assert submit(client, again.json()["assignment_id"], second).status_code == 201
    progress = client.get(f"/api/v1/projects/{project_id}/progress", headers=lead.headers)
    assert progress.json() == {"items": 1, "complete": 1, "judgments": 1, "active_leases": 0}


def test_heartbeat_extends_the_lease_past_its_first_expiry(client, factory, clock) -> None:
    lead, first, second = factory.user("lead"), factory.user(), factory.user()
    project_id = factory.project(lead=lead, items=1, lease_seconds=60)
    taken = claim(client, project_id, first).json()
    clock.advance(50)
    beat = lease_call(client, taken["assignment_id"], first, "heartbeat")
    assert beat.status_code == 200
    assert beat.json()["lease_expires_at"] > taken["lease_expires_at"]
    assert beat.json()["status"] == "active"
    clock.advance(50)  # past the first expiry, inside the extended one
    assert claim(client, project_id, second).status_code == 204
    assert submit(client, taken["assignment_id"], first).status_code == 201


def test_lease_of_another_expert_is_refused_with_not_owner(client, factory) -> None:
    lead, owner, other = factory.user("lead"), factory.user(), factory.user()
    project_id = factory.project(lead=lead, items=1)
    taken = claim(client, project_id, owner).json()["assignment_id"]
    for action in ("heartbeat", "release"):
        assert_error(lease_call(client, taken, other, action), 409, "lease.not_owner")
    assert_error(submit(client, taken, other), 409, "lease.not_owner")
    assert submit(client, taken, owner).status_code == 201


def test_release_returns_the_slot_and_the_expert_never_gets_it_back(client, factory) -> None:
    lead, first, second = factory.user("lead"), factory.user(), factory.user()
    project_id = factory.project(lead=lead, items=1)
    taken = claim(client, project_id, first).json()
    released = lease_call(client, taken["assignment_id"], first, "release")
    assert released.status_code == 200
    assert released.json()["status"] == "released"
    assert_error(submit(client, taken["assignment_id"], first), 409, "lease.released")
    assert claim(client, project_id, first).status_code == 204
    assert claim(client, project_id, second).json()["item"]["id"] == taken["item"]["id"]


def test_claim_never_serves_an_item_twice_to_one_expert(client, factory) -> None:
    lead, expert = factory.user("lead"), factory.user()
    project_id = factory.project(lead=lead, items=3, overlap=3)
    seen = []
    for _ in range(3):
        body = claim(client, project_id, expert).json()
        seen.append(body["item"]["id"])
        assert (
            submit(client, body["assignment_id"], expert, key=str(body["item"]["id"])).status_code
            == 201
        )
    assert len(set(seen)) == 3
    assert claim(client, project_id, expert).status_code == 204


def test_claim_never_serves_an_item_to_its_author(client, factory, database) -> None:
    lead, author, other = factory.user("lead"), factory.user(), factory.user()
    project_id = factory.project(lead=lead, items=1, overlap=2)
    with database.scoped() as session:
        session.execute(
            update(Item).where(Item.project_id == project_id).values(author_id=author.id)
        )
        session.commit()
    assert claim(client, project_id, author).status_code == 204
    assert claim(client, project_id, other).status_code == 200


def test_submit_retried_with_the_same_key_counts_once(client, factory, database) -> None:
    lead, expert = factory.user("lead"), factory.user()
    project_id = factory.project(lead=lead, items=1, overlap=2)
    taken = claim(client, project_id, expert).json()["assignment_id"]
    first, again = submit(client, taken, expert), submit(client, taken, expert)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert_error(submit(client, taken, expert, key="other"), 409, "lease.submitted")
    assert judgment_count(database, project_id) == 1
    progress = client.get(f"/api/v1/projects/{project_id}/progress", headers=lead.headers).json()
    assert progress == {"items": 1, "complete": 0, "judgments": 1, "active_leases": 0}


def test_submit_racing_twice_with_the_same_key_counts_once(factory, database, clock) -> None:
    lead, expert = factory.user("lead"), factory.user()
    project_id = factory.project(lead=lead, items=1, overlap=2)
    actor = Actor(expert.id, Role.EXPERT)
    with database.scoped() as session:
        taken = queue.claim_next(session=session, actor=actor, project_id=project_id, now=clock())
    assert taken is not None
    results: list[Any] = []
    start = threading.Barrier(2)

    def race() -> None:
        start.wait(timeout=10)
        with database.scoped() as session:
            try:
                results.append(
                    judgments.submit_judgment(
                        session=session,
                        actor=actor,
                        assignment_id=taken.assignment.id,
                        value={"labels": ["yes"]},
                        rationale="",
                        idempotency_key="same",
                        now=clock(),
                    )
                )
            except Exception as error:  # reported by the assertion below
                results.append(error)

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r.created for r in results) == [False, True], results
    assert results[0].judgment.id == results[1].judgment.id
    assert judgment_count(database, project_id) == 1
    with database.scoped(write=False) as session:
        item = session.scalars(select(Item).where(Item.project_id == project_id)).one()
        assert (item.judgments_count, item.leases_count, item.state) == (1, 0, "open")


def test_key_spent_on_another_lease_is_refused_and_the_lease_kept(client, factory) -> None:
    lead, expert = factory.user("lead"), factory.user()
    project_id = factory.project(lead=lead, items=2)
    first = claim(client, project_id, expert).json()["assignment_id"]
    assert submit(client, first, expert, key="same").status_code == 201
    second = claim(client, project_id, expert).json()["assignment_id"]
    assert_error(submit(client, second, expert, key="same"), 409, "judgment.key_reused")
    assert lease_call(client, second, expert, "heartbeat").status_code == 200  # rolled back
    assert submit(client, second, expert, key="other").status_code == 201
    progress = client.get(f"/api/v1/projects/{project_id}/progress", headers=lead.headers)
    assert progress.json() == {"items": 2, "complete": 2, "judgments": 2, "active_leases": 0}
