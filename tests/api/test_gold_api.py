"""Gold items: marking, serving by the quota, scoring, automatic suspension and reinstatement."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from expertloop.store.tables import ExpertQuality, Item, QualificationEvent
from judging import claim, judge, submit

LABELS = {"labels": ["yes", "no"]}
LABELS_YES = {"labels": ["yes"]}
WHY = "checked the trial"


def mark(client: Any, lead: Any, project_id: int, rows: list[dict[str, Any]]) -> Any:
    return client.put(
        f"/api/v1/projects/{project_id}/gold", json={"items": rows}, headers=lead.headers
    )


def gold_project(factory: Any) -> tuple[Any, int]:
    """A lead and their project of six items q0..q5, serving gold at a rate of 0.2."""
    lead = factory.user("lead")
    return lead, factory.project(lead=lead, spec=LABELS, items=6, quality={"gold": {"rate": 0.2}})


def qualified_gold_project(
    client: Any, factory: Any, *, items: int, gold: dict[str, Any], marked: int, **requirements: Any
) -> tuple[Any, Any, int]:
    """An admin qualifies an expert for the general track; a lead's project of ``items`` asks
    for that track, and its first ``marked`` items are gold with the answer "yes". Returns the
    lead, the expert and the project's id."""
    admin, lead, expert = factory.user("admin"), factory.user("lead"), factory.user("expert")
    grant = {"track": "general", "action": "grant", "reason": "passed the test"}
    url = f"/api/v1/experts/{expert.id}/qualifications"
    assert client.post(url, json=grant, headers=admin.headers).status_code == 201
    project_id = factory.project(
        lead=lead,
        spec=LABELS,
        items=items,
        requirements={"tracks": ["general"], **requirements},
        quality={"gold": gold},
    )
    rows = [{"external_id": f"q{index}", "answer": LABELS_YES} for index in range(marked)]
    assert mark(client, lead, project_id, rows).status_code == 200
    return lead, expert, project_id


def test_mark_gold_by_external_id_lists_it_and_takes_it_out_of_overlap(
    client: Any, factory: Any, database: Any
) -> None:
    lead, project_id = gold_project(factory)
    response = mark(
        client,
        lead,
        project_id,
        [
            {"external_id": "q0", "answer": {"labels": ["yes"]}, "explanation": "trial says so"},
            {"external_id": "q1", "answer": {"labels": ["no"]}},
        ],
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"marked": 2}
    listed = client.get(f"/api/v1/projects/{project_id}/gold", headers=lead.headers).json()
    assert listed["count"] == 2
    assert [(row["external_id"], row["answer"]) for row in listed["data"]] == [
        ("q0", {"labels": ["yes"]}),
        ("q1", {"labels": ["no"]}),
    ]
    assert listed["data"][0]["explanation"] == "trial says so"
    with database.scoped() as session:
        states = {e: st for e, st in session.execute(select(Item.external_id, Item.state))}
    assert states["q0"] == states["q1"] == "gold"
    assert states["q2"] == "open"


def test_a_bad_gold_row_rejects_the_batch_naming_row_and_field(client: Any, factory: Any) -> None:
    lead, project_id = gold_project(factory)
    response = mark(
        client,
        lead,
        project_id,
        [
            {"external_id": "q0", "answer": {"labels": ["yes"]}},
            {"external_id": "q1", "answer": {"labels": ["maybe"]}},
        ],
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "gold.invalid_answer"
    assert body["errors"][0]["row"] == 1
    assert body["errors"][0]["field"] == "answer.labels[0]"
    unknown = mark(client, lead, project_id, [{"external_id": "nope", "answer": {"labels": []}}])
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "gold.unknown_item"
    listed = client.get(f"/api/v1/projects/{project_id}/gold", headers=lead.headers).json()
    assert listed["count"] == 0  # all or nothing


def test_experts_may_not_mark_or_see_gold(client: Any, factory: Any) -> None:
    _, project_id = gold_project(factory)
    expert = factory.user("expert")
    rows = [{"external_id": "q0", "answer": {"labels": ["yes"]}}]
    assert mark(client, expert, project_id, rows).status_code == 403
    listed = client.get(f"/api/v1/projects/{project_id}/gold", headers=expert.headers)
    assert listed.status_code == 403


def test_calibration_serves_gold_first_unmarked_then_at_the_rate(client: Any, factory: Any) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(
        lead=lead, spec=LABELS, items=10, quality={"gold": {"calibration": 2, "rate": 0.5}}
    )
    gold_ids = ["q5", "q6", "q7"]
    rows = [{"external_id": e, "answer": {"labels": ["yes"]}} for e in gold_ids]
    assert mark(client, lead, project_id, rows).status_code == 200
    served = []
    for _ in range(8):
        claimed = claim(client, expert, project_id)
        served.append(claimed["item"]["external_id"])
        assert set(claimed) == {"assignment_id", "item", "lease_expires_at"}
        assert "gold" not in str(claimed["item"]).lower()
        submit(client, expert, claimed["assignment_id"], LABELS_YES, WHY)
    # Claims 0 and 1 calibrate; after that a claim is gold when the gold share would fall
    # below one half (claim 5); at claim 7 gold is due but none is left, so work goes on.
    assert served == ["q5", "q6", "q0", "q1", "q2", "q7", "q3", "q4"]


def test_a_gold_item_goes_to_every_expert_whatever_the_overlap(
    client: Any, factory: Any, database: Any
) -> None:
    lead = factory.user("lead")
    experts = [factory.user("expert") for _ in range(3)]
    project_id = factory.project(
        lead=lead, spec=LABELS, items=3, overlap=1, quality={"gold": {"calibration": 1}}
    )
    assert (
        mark(client, lead, project_id, [{"external_id": "q2", "answer": LABELS_YES}]).status_code
        == 200
    )
    for expert in experts:
        claimed = claim(client, expert, project_id)
        assert claimed["item"]["external_id"] == "q2"
        label = "no" if expert is experts[0] else "yes"
        submit(client, expert, claimed["assignment_id"], {"labels": [label]}, WHY)
    with database.scoped() as session:
        rows = session.scalars(select(ExpertQuality).order_by(ExpertQuality.expert_id)).all()
        got = [(r.gold_answered, r.gold_correct, r.claims, r.gold_claims) for r in rows]
        gold_item = session.scalars(select(Item).where(Item.external_id == "q2")).one()
        assert gold_item.state == "gold" and gold_item.judgments_count == 3
    assert got == [(1, 0, 1, 1), (1, 1, 1, 1), (1, 1, 1, 1)]


def test_gold_accuracy_below_the_bar_suspends_and_a_lead_reinstates(
    client: Any, factory: Any, database: Any
) -> None:
    lead, expert, project_id = qualified_gold_project(
        client,
        factory,
        items=8,
        gold={"calibration": 3, "min_answered": 2},
        marked=3,
        min_quality=0.6,
    )
    judge(client, expert, project_id, "no", WHY)  # 0 of 1: not enough to judge yet
    judge(client, expert, project_id, "no", WHY)  # 0 of 2: below 60%
    refused = client.post(f"/api/v1/projects/{project_id}/claims", headers=expert.headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "eligibility.not_qualified"
    with database.scoped() as session:
        event = session.scalars(
            select(QualificationEvent).order_by(QualificationEvent.id.desc())
        ).first()
        assert event is not None and event.action == "suspend" and event.actor_id is None
        assert "gold accuracy 0% (0 of 2 gold items)" in event.reason
        assert "below its bar of 60%" in event.reason
    reinstate = {"track": "general", "action": "reinstate", "reason": "retrained on guidelines"}
    url = f"/api/v1/experts/{expert.id}/qualifications"
    assert client.post(url, json=reinstate, headers=lead.headers).status_code == 200
    again = claim(client, expert, project_id)  # the window starts afresh
    assert again["item"]["external_id"] == "q2"
    with database.scoped() as session:
        record = session.get(ExpertQuality, (project_id, expert.id))
        assert record is not None
        assert (record.gold_answered, record.window_answered) == (2, 0)


def test_unmarking_returns_the_item_to_collection(client: Any, factory: Any, database: Any) -> None:
    lead, project_id = gold_project(factory)
    assert (
        mark(client, lead, project_id, [{"external_id": "q0", "answer": LABELS_YES}]).status_code
        == 200
    )
    with database.scoped() as session:
        item_id = session.scalars(select(Item.id).where(Item.external_id == "q0")).one()
    url = f"/api/v1/projects/{project_id}/gold/{item_id}"
    assert client.delete(url, headers=lead.headers).status_code == 204
    assert client.delete(url, headers=lead.headers).status_code == 204  # already unmarked
    elsewhere = f"/api/v1/projects/{project_id}/gold/{item_id + 1000}"
    assert client.delete(elsewhere, headers=lead.headers).json()["code"] == "item.not_found"
    with database.scoped() as session:
        assert session.get(Item, item_id).state == "open"  # type: ignore[union-attr]


def test_an_expert_sees_their_gold_accuracy_per_project_and_track(
    client: Any, factory: Any
) -> None:
    _, expert, project_id = qualified_gold_project(
        client, factory, items=4, gold={"calibration": 2}, marked=2
    )
    for label in ("yes", "no"):
        judge(client, expert, project_id, label, WHY)
    mine = client.get(f"/api/v1/experts/{expert.id}/quality", headers=expert.headers).json()
    assert mine["tracks"] == [
        {"track": "general", "gold_answered": 2, "gold_correct": 1, "gold_accuracy": 0.5}
    ]
    assert mine["projects"][0]["project_id"] == project_id
    assert mine["projects"][0]["quality"]["gold_accuracy"] == 0.5
    other = factory.user("expert")
    denied = client.get(f"/api/v1/experts/{expert.id}/quality", headers=other.headers)
    assert denied.status_code == 403
