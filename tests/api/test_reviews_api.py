"""Review of judgments through the JSON API: which judgments are picked at submit, the
reviewers' queue, accept / reject / revise and their effects on the database, clarity in the
expert's record, errors, and the expert's own reviews."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event, select

import judging
from expertloop.core.errors import Conflict
from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services import reviews
from expertloop.store import quality as quality_store
from expertloop.store.queue import recount_items
from expertloop.store.tables import (
    AuditEntry,
    ExpertQuality,
    Item,
    Judgment,
    Project,
    Review,
)

EVERY = {"review": {"share": 1.0}}


def judge(client: Any, project_id: int, person: Any, label: str = "yes", why: str = "") -> int:
    """Claim the next item and judge it; the judgment's id."""
    return judging.judge(client, person, project_id, label, why or f"{label}: the trial says so")


def review(client: Any, judgment_id: int, person: Any, **body: Any) -> Any:
    return client.post(f"/api/v1/judgments/{judgment_id}/review", json=body, headers=person.headers)


def states(database: Any, project_id: int) -> list[str | None]:
    with database.scoped() as session:
        query = select(Judgment.review_state).where(Judgment.project_id == project_id)
        return list(session.scalars(query.order_by(Judgment.id)))


def row(database: Any, table: Any, **where: Any) -> Any:
    with database.scoped() as session:
        query = select(table).filter_by(**where)
        return session.scalars(query).one_or_none()


# ---- picking at submit ---------------------------------------------------------------------


def test_share_one_picks_every_judgment_and_the_queue_lists_them_oldest_first(
    client: Any, factory: Any, database: Any
) -> None:
    lead, expert, reviewer = factory.user("lead"), factory.user("expert"), factory.user("reviewer")
    project_id = factory.project(lead=lead, items=3, quality=EVERY)
    ids = [judge(client, project_id, expert, why=f"reason {n}") for n in range(3)]
    assert states(database, project_id) == ["pending"] * 3

    queue = client.get(f"/api/v1/reviews?project_id={project_id}", headers=reviewer.headers)
    assert queue.status_code == 200, queue.text
    body = queue.json()
    assert body["count"] == 3
    assert [entry["judgment_id"] for entry in body["data"]] == ids
    first = body["data"][0]
    assert set(first) == {
        "judgment_id",
        "project_id",
        "project_name",
        "kind",
        "expert_id",
        "value",
        "rationale",
        "guideline_version",
        "active_seconds",
        "created_at",
        "item",
    }
    assert (first["project_id"], first["kind"], first["expert_id"]) == (
        project_id,
        "label",
        expert.id,
    )
    assert (first["value"], first["rationale"]) == ({"labels": ["yes"]}, "reason 0")
    assert first["item"]["external_id"] == "q0"
    assert first["item"]["prompt"].startswith("Question 0:")
    everywhere = client.get("/api/v1/reviews?limit=2", headers=reviewer.headers).json()
    assert [entry["judgment_id"] for entry in everywhere["data"]] == ids[:2]


def test_no_review_rules_pick_nothing(client: Any, factory: Any, database: Any) -> None:
    lead, expert, reviewer = factory.user("lead"), factory.user("expert"), factory.user("reviewer")
    plain = factory.project(lead=lead, items=2)
    zero = factory.project(lead=lead, items=2, quality={"review": {"share": 0}})
    for project_id in (plain, zero):
        judge(client, project_id, expert)
        judge(client, project_id, expert)
        assert states(database, project_id) == [None, None]
    queue = client.get("/api/v1/reviews", headers=reviewer.headers)
    assert queue.json() == {"data": [], "count": 0}


def test_probation_picks_each_experts_first_judgments(
    client: Any, factory: Any, database: Any
) -> None:
    lead, first, second = factory.user("lead"), factory.user("expert"), factory.user("expert")
    project_id = factory.project(lead=lead, items=6, quality={"review": {"probation": 2}})
    for _ in range(4):
        judge(client, project_id, first)
    judge(client, project_id, second)
    judge(client, project_id, second)
    assert states(database, project_id) == [
        "pending",
        "pending",
        None,
        None,
        "pending",
        "pending",
    ]


def test_low_reliability_picks_every_judgment_of_that_expert(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead, weak, strong = factory.user("lead"), factory.user("expert"), factory.user("expert")
    new = factory.user("expert")
    project_id = factory.project(lead=lead, items=6, quality={"review": {"min_reliability": 0.7}})
    with database.scoped() as session:
        quality_store.set_reliabilities(
            session,
            project_id=project_id,
            reliabilities={weak.id: 0.5, strong.id: 0.9},
            now=clock(),
        )
        session.commit()
    for person in (weak, strong, new, weak):
        judge(client, project_id, person)
    # The expert not measured yet is not held to the minimum.
    assert states(database, project_id) == ["pending", None, None, "pending"]


def statements_while(database: Any, action: Any, **kwargs: Any) -> int:
    """How many SQL statements ``action(**kwargs)`` sends through the database's writer."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(database.writer, "before_cursor_execute", count)
    try:
        action(**kwargs)
    finally:
        event.remove(database.writer, "before_cursor_execute", count)
    return len(statements)


def test_picking_costs_no_query_under_the_default_rules(
    client: Any, factory: Any, database: Any
) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    plain = factory.project(lead=lead, items=1)
    sampled = factory.project(lead=lead, items=1, quality=EVERY)
    on_probation = factory.project(lead=lead, items=1, quality={"review": {"probation": 3}})
    counts = {}
    for name, project_id in (("plain", plain), ("share", sampled), ("probation", on_probation)):
        judgment_id = judge(client, project_id, expert)
        with database.scoped() as session:
            project = session.get(Project, project_id)
            judgment = session.get(Judgment, judgment_id)
            session.expunge(judgment)  # as the submit path has it: a row just inserted
            counts[name] = statements_while(
                database,
                reviews.pick_for_review,
                session=session,
                project=project,
                judgment=judgment,
            )
            session.rollback()
    assert counts == {"plain": 0, "share": 1, "probation": 2}


# ---- verdicts ----------------------------------------------------------------------------


def test_accept_stores_the_review_and_empties_the_queue(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead, expert, reviewer = factory.user("lead"), factory.user("expert"), factory.user("reviewer")
    project_id = factory.project(lead=lead, items=1, quality=EVERY)
    judgment_id = judge(client, project_id, expert)
    response = review(client, judgment_id, reviewer, verdict="accept", clarity=4)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {
        "id": body["id"],
        "judgment_id": judgment_id,
        "project_id": project_id,
        "expert_id": expert.id,
        "reviewer_id": reviewer.id,
        "verdict": "accept",
        "state": "accepted",
        "feedback": "",
        "clarity": 4,
        "revised_value": None,
        "created_at": clock().isoformat().replace("+00:00", "Z"),
    }
    assert states(database, project_id) == ["accepted"]
    stored = row(database, Review, judgment_id=judgment_id)
    assert (stored.reviewer_id, stored.verdict, stored.clarity) == (reviewer.id, "accept", 4)
    audit = row(database, AuditEntry, action="judgment.review", entity_id=judgment_id)
    assert audit.actor_id == reviewer.id and audit.detail["verdict"] == "accept"
    assert row(database, Item, project_id=project_id).state == "complete"
    queue = client.get("/api/v1/reviews", headers=reviewer.headers)
    assert queue.json()["count"] == 0


def test_reject_reopens_the_slot_for_another_expert(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead, reviewer = factory.user("lead"), factory.user("reviewer")
    first, second, third = (factory.user("expert") for _ in range(3))
    project_id = factory.project(lead=lead, overlap=2, items=1, quality=EVERY)
    rejected = judge(client, project_id, first, label="no")
    judge(client, project_id, second)
    assert row(database, Item, project_id=project_id).state == "complete"

    response = review(
        client, rejected, reviewer, verdict="reject", feedback="The trial says yes.", clarity=1
    )
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "rejected"
    item = row(database, Item, project_id=project_id)
    assert (item.state, item.judgments_count, item.leases_count) == ("open", 1, 0)
    with database.scoped() as session:
        assert recount_items(session, project_id, clock()) == []

    # The rejected expert never gets the item again; another expert does, and it completes.
    again = client.post(f"/api/v1/projects/{project_id}/claims", headers=first.headers)
    assert again.status_code == 204
    judge(client, project_id, third)
    item = row(database, Item, project_id=project_id)
    assert (item.state, item.judgments_count) == ("complete", 2)
    assert states(database, project_id) == ["rejected", "pending", "pending"]
    with database.scoped() as session:
        assert recount_items(session, project_id, clock()) == []


def test_revise_stores_the_reviewers_checked_value(
    client: Any, factory: Any, database: Any
) -> None:
    lead, expert, reviewer = factory.user("lead"), factory.user("expert"), factory.user("reviewer")
    project_id = factory.project(lead=lead, items=1, quality=EVERY)
    judgment_id = judge(client, project_id, expert)
    bad = review(
        client,
        judgment_id,
        reviewer,
        verdict="revise",
        feedback="It is no.",
        revised_value={"labels": ["maybe"]},
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "review.invalid_value"
    assert [e["field"] for e in bad.json()["errors"]] == ["revised_value.labels[0]"]
    assert states(database, project_id) == ["pending"]

    good = review(
        client,
        judgment_id,
        reviewer,
        verdict="revise",
        feedback="It is no: the trial was stopped.",
        revised_value={"labels": ["no"]},
    )
    assert good.status_code == 201, good.text
    assert (good.json()["state"], good.json()["revised_value"]) == ("revised", {"labels": ["no"]})
    assert row(database, Review, judgment_id=judgment_id).revised_value == {"labels": ["no"]}
    assert row(database, Judgment, id=judgment_id).value == {"labels": ["yes"]}  # kept as given
    assert row(database, Item, project_id=project_id).state == "complete"


def test_clarity_adds_up_in_the_experts_record(client: Any, factory: Any, database: Any) -> None:
    lead, expert, reviewer = factory.user("lead"), factory.user("expert"), factory.user("reviewer")
    project_id = factory.project(lead=lead, items=3, quality=EVERY)
    ids = [judge(client, project_id, expert) for _ in range(3)]
    assert review(client, ids[0], reviewer, verdict="accept", clarity=4).status_code == 201
    assert review(client, ids[1], reviewer, verdict="accept").status_code == 201
    answer = review(client, ids[2], reviewer, verdict="reject", feedback="Wrong.", clarity=2)
    assert answer.status_code == 201
    record = row(database, ExpertQuality, project_id=project_id, expert_id=expert.id)
    assert (record.clarity_sum, record.clarity_count) == (6.0, 2)


def test_the_same_verdict_again_is_a_replay_and_another_is_a_conflict(
    client: Any, factory: Any, database: Any
) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    reviewer, admin = factory.user("reviewer"), factory.user("admin")
    project_id = factory.project(lead=lead, items=1, quality=EVERY)
    judgment_id = judge(client, project_id, expert)
    body = {"verdict": "reject", "feedback": "Cite the trial.", "clarity": 2}
    first = review(client, judgment_id, reviewer, **body)
    again = review(client, judgment_id, admin, **body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    other = review(client, judgment_id, admin, verdict="accept")
    assert other.status_code == 409
    assert other.json() == {
        "code": "review.not_pending",
        "message": "this judgment is rejected, not waiting for review",
    }
    item = row(database, Item, project_id=project_id)
    assert item.judgments_count == 0  # the slot was given back once


def test_two_reviewers_at_once_one_verdict_wins(factory: Any, database: Any, clock: Any) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, overlap=1, items=1, quality=EVERY)
    from fastapi.testclient import TestClient

    from expertloop.app import create_app
    from expertloop.config import Settings

    app = create_app(Settings(database_url=database.url, migrate_on_start=False), database=database)
    with TestClient(app) as client:
        judgment_id = judge(client, project_id, expert)
    reviewers = [factory.user("reviewer") for _ in range(4)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(reviewers))

    def run(person: Any, verdict: str) -> None:
        barrier.wait()
        with database.scoped() as session:
            try:
                reviews.review_judgment(
                    session=session,
                    actor=Actor(person.id, Role.REVIEWER),
                    judgment_id=judgment_id,
                    verdict=verdict,
                    feedback=f"{verdict} by {person.id}",
                    clarity=None,
                    revised_value=None,
                    now=clock(),
                )
                outcomes.append("ok")
            except Conflict as error:
                outcomes.append(error.code)

    threads = [
        threading.Thread(target=run, args=(person, ("reject", "accept")[n % 2]))
        for n, person in enumerate(reviewers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["review.not_pending"] * 3
    with database.scoped() as session:
        assert len(session.scalars(select(Review)).all()) == 1
        assert recount_items(session, project_id, clock()) == []


# ---- errors ------------------------------------------------------------------------------


def test_review_errors_name_the_problem(client: Any, factory: Any) -> None:
    lead, expert, reviewer = factory.user("lead"), factory.user("expert"), factory.user("reviewer")
    picked = factory.project(lead=lead, items=2, quality=EVERY)
    plain = factory.project(lead=lead, items=1)
    judgment_id = judge(client, picked, expert)
    unpicked = judge(client, plain, expert)
    own = judge(client, picked, reviewer)

    missing = review(client, 999_999, reviewer, verdict="accept")
    assert (missing.status_code, missing.json()["code"]) == (404, "review.not_found")
    never = review(client, unpicked, reviewer, verdict="accept")
    assert never.json() == {
        "code": "review.not_pending",
        "message": "this judgment is not picked for review, not waiting for review",
    }
    mine = review(client, own, reviewer, verdict="accept")
    assert (mine.status_code, mine.json()["code"]) == (403, "review.own_judgment")
    by_expert = review(client, own, expert, verdict="accept")
    assert (by_expert.status_code, by_expert.json()["code"]) == (403, "auth.forbidden")

    for verdict, extra in (("reject", {}), ("revise", {"revised_value": {"labels": ["no"]}})):
        blank = review(client, judgment_id, reviewer, verdict=verdict, feedback="  ", **extra)
        assert blank.status_code == 422
        assert blank.json()["code"] == "review.invalid"
        assert [e["field"] for e in blank.json()["errors"]] == ["feedback"]
    no_value = review(client, judgment_id, reviewer, verdict="revise", feedback="It is no.")
    assert [e["field"] for e in no_value.json()["errors"]] == ["revised_value"]
    stray = review(client, judgment_id, reviewer, verdict="accept", revised_value={"labels": []})
    assert [e["field"] for e in stray.json()["errors"]] == ["revised_value"]
    for body, field in (
        ({"verdict": "maybe"}, "verdict"),
        ({"verdict": "accept", "clarity": 6}, "clarity"),
    ):
        wrong = review(client, judgment_id, reviewer, **body)
        assert wrong.status_code == 422
        assert (wrong.json()["code"], wrong.json()["errors"][0]["field"]) == (
            "request.invalid",
            field,
        )
    assert review(client, judgment_id, reviewer, verdict="accept").status_code == 201


def test_queue_is_for_reviewers_and_never_shows_their_own_judgments(
    client: Any, factory: Any
) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    reviewer, admin = factory.user("reviewer"), factory.user("admin")
    project_id = factory.project(lead=lead, items=2, quality=EVERY)
    theirs = judge(client, project_id, expert)
    own = judge(client, project_id, reviewer)
    listed = client.get("/api/v1/reviews", headers=reviewer.headers).json()
    assert [entry["judgment_id"] for entry in listed["data"]] == [theirs]
    listed = client.get("/api/v1/reviews", headers=admin.headers).json()
    assert [entry["judgment_id"] for entry in listed["data"]] == [theirs, own]
    refused = client.get("/api/v1/reviews", headers=expert.headers)
    assert refused.status_code == 403
    unknown = client.get("/api/v1/reviews?project_id=999999", headers=reviewer.headers)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "project.not_found")


# ---- the expert's own reviews ------------------------------------------------------------


def test_experts_read_their_own_reviews_without_the_reviewer(
    client: Any, factory: Any, clock: Any
) -> None:
    lead, reviewer = factory.user("lead"), factory.user("reviewer")
    expert, other = factory.user("expert"), factory.user("expert")
    project_id = factory.project(lead=lead, items=3, quality=EVERY)
    accepted = judge(client, project_id, expert, why="The trial met its endpoint.")
    revised = judge(client, project_id, expert)
    theirs = judge(client, project_id, other)
    review(client, accepted, reviewer, verdict="accept", clarity=5, feedback="Clear.")
    clock.advance(60)
    review(
        client,
        revised,
        reviewer,
        verdict="revise",
        feedback="Say which endpoint.",
        clarity=2,
        revised_value={"labels": ["no"]},
    )
    review(client, theirs, reviewer, verdict="reject", feedback="Not yours to read.")

    response = client.get("/api/v1/me/reviews", headers=expert.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 2
    newest = body["data"][0]
    assert newest == {
        "review_id": newest["review_id"],
        "judgment_id": revised,
        "project_id": project_id,
        "project_name": "label project",
        "item_id": newest["item_id"],
        "item_excerpt": "Question 1: is this claim supported by the cited trial?",
        "verdict": "revise",
        "state": "revised",
        "feedback": "Say which endpoint.",
        "clarity": 2,
        "value": {"labels": ["yes"]},
        "rationale": "yes: the trial says so",
        "revised_value": {"labels": ["no"]},
        "reviewer": "a reviewer",
        "created_at": clock().isoformat().replace("+00:00", "Z"),
    }
    assert body["data"][1]["judgment_id"] == accepted
    assert str(reviewer.id) not in str([entry["reviewer"] for entry in body["data"]])
    assert "Not yours to read." not in response.text
    for person in (lead, factory.user("admin")):
        assert client.get("/api/v1/me/reviews", headers=person.headers).status_code == 403
