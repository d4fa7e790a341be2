"""Adjudication through the JSON API: the queue of disputed items, one dispute with every
judgment side by side, and the decision that becomes the consensus."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select, update

from dispute_kit import WORK_SECONDS, Vote, actor_of, disputed_item, first_item
from expertloop.core.errors import Conflict
from expertloop.services import adjudication
from expertloop.store.tables import AuditEntry, Consensus, Project

LABEL_SPEC = {"labels": ["supported", "not supported", "unclear"]}
LABEL_RATIONALES = (
    "JUPITER reports a 20% relative reduction.",
    "Primary prevention only in a high-CRP subgroup.",
    "The trial stopped early; the effect is uncertain.",
)
PAIR_RATIONALES = (
    "B follows the guideline dose.",
    "A covers resistant strains.",
    "Both are reasonable for a fit adult.",
)


@pytest.fixture
def people(factory: Any) -> dict[str, Any]:
    roles = ("admin", "lead", "reviewer", "expert")
    found = {role: factory.user(role) for role in roles}
    found["judge"] = factory.user("reviewer")  # a reviewer who also judged (the pairwise item)
    found["e1"], found["e2"] = factory.user("expert"), factory.user("expert")
    return found


def label_dispute(factory: Any, people: dict[str, Any]) -> tuple[int, int]:
    votes = [
        Vote(people["e1"], {"labels": ["supported"]}, LABEL_RATIONALES[0]),
        Vote(people["e2"], {"labels": ["not supported"]}, LABEL_RATIONALES[1]),
        Vote(people["expert"], {"labels": ["unclear"]}, LABEL_RATIONALES[2]),
    ]
    return disputed_item(
        factory,
        lead=people["lead"],
        kind="label",
        spec=LABEL_SPEC,
        votes=votes,
        leading={"labels": ["supported"]},
    )


def pairwise_dispute(factory: Any, people: dict[str, Any], state: str = "disputed") -> Any:
    votes = [
        Vote(people["e1"], {"choice": "B", "strength": 2}, PAIR_RATIONALES[0]),
        Vote(people["judge"], {"choice": "A", "strength": 1}, PAIR_RATIONALES[1]),
        Vote(people["e2"], {"choice": "tie"}, PAIR_RATIONALES[2]),
    ]
    return disputed_item(
        factory,
        lead=people["lead"],
        kind="pairwise",
        votes=votes,
        leading={"choice": "B", "strength": 2},
        state=state,
    )


def get(client: Any, path: str, person: Any) -> Any:
    return client.get(f"/api/v1{path}", headers=person.headers)


def adjudicate(client: Any, item_id: int, person: Any, body: Any) -> Any:
    return client.post(f"/api/v1/items/{item_id}/adjudication", json=body, headers=person.headers)


def consensus_row(database: Any, item_id: int) -> Consensus:
    with database.scoped(write=False) as session:
        row = session.get(Consensus, item_id)
        assert row is not None
        return row


def test_queue_lists_disputed_items_the_caller_may_decide_oldest_first(
    client: Any, factory: Any, people: dict[str, Any], clock: Any
) -> None:
    label_project, label_item = label_dispute(factory, people)
    pair_project, pair_item = pairwise_dispute(factory, people)
    disputed_at = clock().isoformat().replace("+00:00", "Z")
    pairwise_dispute(factory, people, state="agreed")  # agreed: not in the queue

    response = get(client, "/adjudications", people["reviewer"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 2
    assert [entry["item_id"] for entry in body["data"]] == [label_item, pair_item]
    assert body["data"][1] == {
        "item_id": pair_item,
        "project_id": pair_project,
        "project_name": "pairwise project",
        "kind": "pairwise",
        "external_id": "dose-7",
        "prompt_preview": "A 70 kg adult needs **amoxicillin** for community-acquired pneumonia. "
        "What oral dose would you suggest?",
        "value": {"choice": "B", "strength": 2},
        "confidence": 0.55,
        "method": "ds",
        "judgments": 3,
        "updated_at": disputed_at,
    }

    # The reviewer who judged the pairwise item never sees it; a project filter narrows.
    mine = get(client, "/adjudications", people["judge"]).json()
    assert [entry["item_id"] for entry in mine["data"]] == [label_item]
    only = get(client, f"/adjudications?project_id={pair_project}", people["lead"]).json()
    assert (only["count"], only["data"][0]["item_id"]) == (1, pair_item)
    assert get(client, "/adjudications?limit=1", people["admin"]).json()["count"] == 1

    # A paused project's disputes wait for leads and admins; reviewers do not see the project.
    with factory.database.scoped() as session:
        session.execute(update(Project).where(Project.id == label_project).values(status="paused"))
        session.commit()
    reviewer_ids = [
        e["item_id"] for e in get(client, "/adjudications", people["reviewer"]).json()["data"]
    ]
    assert reviewer_ids == [pair_item]
    lead_ids = [e["item_id"] for e in get(client, "/adjudications", people["lead"]).json()["data"]]
    assert lead_ids == [label_item, pair_item]
    hidden = get(client, f"/adjudications?project_id={label_project}", people["reviewer"])
    assert (hidden.status_code, hidden.json()["code"]) == (404, "project.not_found")


def test_dispute_shows_every_judgment_and_rationale_pseudonymously(
    client: Any, factory: Any, people: dict[str, Any]
) -> None:
    project_id, item_id = pairwise_dispute(factory, people)
    response = get(client, f"/items/{item_id}/dispute", people["reviewer"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["item"]["responses"][1]["text"].startswith("**1 g three times daily**")
    assert body["item"]["external_id"] == "dose-7"
    assert body["project"] == {
        "id": project_id,
        "name": "pairwise project",
        "kind": "pairwise",
        "spec": {"min_rationale_chars": 0},
        "guidelines_version": 1,
    }
    assert {k: body["consensus"][k] for k in ("value", "confidence", "state", "judgments")} == {
        "value": {"choice": "B", "strength": 2},
        "confidence": 0.55,
        "state": "disputed",
        "judgments": 3,
    }
    rows = [
        (j["expert"], j["value"], j["rationale"], j["active_seconds"], j["review_state"])
        for j in body["judgments"]
    ]
    assert rows == [
        ("Expert 1", {"choice": "B", "strength": 2}, PAIR_RATIONALES[0], WORK_SECONDS, None),
        ("Expert 2", {"choice": "A", "strength": 1}, PAIR_RATIONALES[1], WORK_SECONDS, None),
        ("Expert 3", {"choice": "tie", "strength": None}, PAIR_RATIONALES[2], WORK_SECONDS, None),
    ]
    assert set(body["judgments"][0]) == {
        "judgment_id",
        "expert",
        "value",
        "rationale",
        "active_seconds",
        "guideline_version",
        "review_state",
        "revised_value",
        "created_at",
    }
    for who in ("e1", "e2", "judge"):  # no expert is named, by id or email
        assert people[who].email not in response.text
    assert body["may_adjudicate"] is True
    judged = get(client, f"/items/{item_id}/dispute", people["judge"]).json()
    assert judged["may_adjudicate"] is False
    assert [j["expert"] for j in judged["judgments"]] == ["Expert 1", "Expert 2", "Expert 3"]


@pytest.mark.parametrize("kind", ["label", "pairwise"])
def test_adjudicate_makes_the_answer_and_reason_the_consensus(
    client: Any, factory: Any, people: dict[str, Any], clock: Any, kind: str
) -> None:
    make = label_dispute if kind == "label" else pairwise_dispute
    project_id, item_id = make(factory, people)
    value = {"labels": ["not supported"]} if kind == "label" else {"choice": "A", "strength": 3}
    stored = value if kind == "label" else {"choice": "A", "strength": 3}
    reason = "  The trial enrolled a high-risk subgroup; the guideline says otherwise.  "
    clock.advance(60)
    reviewer = people["reviewer"]
    response = adjudicate(client, item_id, reviewer, {"value": value, "reason": reason})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "item_id": item_id,
        "project_id": project_id,
        "value": stored,
        "confidence": 1.0,
        "method": "ds",
        "state": "adjudicated",
        "judgments": 3,
        "detail": {"posterior": {"leading": 0.55}},
        "adjudicated_by": reviewer.id,
        "reason": reason.strip(),
        "updated_at": clock().isoformat().replace("+00:00", "Z"),
    }
    row = consensus_row(factory.database, item_id)
    assert (row.state, row.value, row.confidence, row.adjudicated_by, row.reason) == (
        "adjudicated",
        stored,
        1.0,
        reviewer.id,
        reason.strip(),
    )
    with factory.database.scoped(write=False) as session:
        audits = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "consensus.adjudicate")
        ).all()
    assert [(a.actor_id, a.entity, a.entity_id) for a in audits] == [(reviewer.id, "item", item_id)]
    leading = {"labels": ["supported"]} if kind == "label" else {"choice": "B", "strength": 2}
    assert audits[0].detail["before"] == {"value": leading, "confidence": 0.55, "method": "ds"}
    assert get(client, "/adjudications", reviewer).json() == {"data": [], "count": 0}

    # A retry of the same decision answers 200 unchanged; a different one is a conflict.
    again = adjudicate(client, item_id, people["admin"], {"value": value, "reason": reason})
    assert again.status_code == 200 and again.json()["adjudicated_by"] == reviewer.id
    other = adjudicate(client, item_id, reviewer, {"value": value, "reason": "Changed my mind."})
    assert other.status_code == 409
    assert other.json()["code"] == "consensus.adjudicated"
    view = get(client, f"/items/{item_id}/dispute", reviewer).json()
    assert view["consensus"]["state"] == "adjudicated" and view["may_adjudicate"] is False


def test_only_a_disputed_item_is_adjudicated(
    client: Any, factory: Any, people: dict[str, Any]
) -> None:
    _, agreed = pairwise_dispute(factory, people, state="agreed")
    body = {"value": {"choice": "A", "strength": 1}, "reason": "A is safer."}
    response = adjudicate(client, agreed, people["reviewer"], body)
    assert response.status_code == 409
    assert response.json() == {
        "code": "consensus.agreed",
        "message": "this item's consensus is agreed: only a disputed item is adjudicated",
    }
    assert consensus_row(factory.database, agreed).state == "agreed"

    project_id = factory.project(lead=people["lead"], kind="pairwise", items=1)
    item_id = first_item(factory.database, project_id)
    no_consensus = adjudicate(client, item_id, people["reviewer"], body)
    assert (no_consensus.status_code, no_consensus.json()["code"]) == (409, "consensus.open")
    missing = get(client, f"/items/{item_id}/dispute", people["reviewer"])
    assert (missing.status_code, missing.json()["code"]) == (404, "consensus.not_found")


@pytest.mark.parametrize(
    ("kind", "value", "reason", "code", "fields"),
    [
        ("label", {"labels": ["maybe"]}, "Why.", "judgment.invalid_value", ["value.labels[0]"]),
        ("label", {"labels": []}, "Why.", "judgment.invalid_value", ["value.labels"]),
        (
            "pairwise",
            {"choice": "C", "strength": 1},
            "Why.",
            "judgment.invalid_value",
            ["value.choice"],
        ),
        ("pairwise", {"choice": "A"}, "Why.", "judgment.invalid_value", ["value.strength"]),
        ("pairwise", {"choice": "A", "strength": 2}, "", "adjudication.invalid", ["reason"]),
        ("label", {"labels": ["unclear"]}, "   \n ", "adjudication.invalid", ["reason"]),
        ("label", {"labels": ["unclear"]}, "x" * 5001, "adjudication.invalid", ["reason"]),
        (
            "pairwise",
            {"choice": "C", "strength": 1},
            "",
            "judgment.invalid_value",
            ["value.choice", "reason"],
        ),
    ],
)
def test_a_bad_answer_or_reason_is_refused_naming_the_field(
    client: Any,
    factory: Any,
    people: dict[str, Any],
    kind: str,
    value: Any,
    reason: str,
    code: str,
    fields: list[str],
) -> None:
    make = label_dispute if kind == "label" else pairwise_dispute
    _, item_id = make(factory, people)
    response = adjudicate(client, item_id, people["reviewer"], {"value": value, "reason": reason})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert [e["field"] for e in response.json()["errors"]] == fields
    assert consensus_row(factory.database, item_id).state == "disputed"


def test_a_missing_reason_is_refused_naming_reason(
    client: Any, factory: Any, people: dict[str, Any]
) -> None:
    _, item_id = label_dispute(factory, people)
    response = adjudicate(client, item_id, people["lead"], {"value": {"labels": ["unclear"]}})
    assert response.status_code == 422
    assert response.json() == {
        "code": "adjudication.invalid",
        "message": "reason: is required: say why this answer is right",
        "errors": [
            {"row": None, "field": "reason", "message": "is required: say why this answer is right"}
        ],
    }


def test_who_may_adjudicate(client: Any, factory: Any, people: dict[str, Any]) -> None:
    _, item_id = pairwise_dispute(factory, people)
    body = {"value": {"choice": "B", "strength": 1}, "reason": "B is the guideline dose."}
    own = adjudicate(client, item_id, people["judge"], body)
    assert own.status_code == 403
    assert own.json() == {
        "code": "adjudication.own_judgment",
        "message": "nobody adjudicates an item they judged",
    }
    for path in ("/adjudications", f"/items/{item_id}/dispute"):
        refused = get(client, path, people["expert"])
        assert (refused.status_code, refused.json()["code"]) == (403, "auth.forbidden")
        assert client.get(f"/api/v1{path}").status_code == 401
    expert = adjudicate(client, item_id, people["expert"], body)
    assert (expert.status_code, expert.json()["code"]) == (403, "auth.forbidden")
    anonymous = client.post(f"/api/v1/items/{item_id}/adjudication", json=body)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "auth.missing_token")
    assert consensus_row(factory.database, item_id).state == "disputed"

    unknown = item_id + 1000
    for response in (
        get(client, f"/items/{unknown}/dispute", people["reviewer"]),
        adjudicate(client, unknown, people["reviewer"], body),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "item.not_found")
    lead = adjudicate(client, item_id, people["lead"], body)
    assert lead.status_code == 200 and lead.json()["adjudicated_by"] == people["lead"].id


def test_deciders_at_once_one_wins_the_others_are_told(
    factory: Any, people: dict[str, Any], clock: Any
) -> None:
    _, item_id = label_dispute(factory, people)
    deciders = [people[who] for who in ("reviewer", "judge", "lead", "admin")]
    labels = ["supported", "not supported", "unclear", "unclear"]
    barrier = threading.Barrier(len(deciders))
    outcomes: dict[int, str] = {}

    def decide(index: int) -> None:
        with factory.database.scoped() as session:
            barrier.wait()
            try:
                adjudication.adjudicate(
                    session=session,
                    actor=actor_of(deciders[index]),
                    item_id=item_id,
                    value={"labels": [labels[index]]},
                    reason=f"Decided by number {index}.",
                    now=clock(),
                )
                outcomes[index] = "won"
            except Conflict as error:
                outcomes[index] = error.code

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(len(deciders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [index for index, outcome in outcomes.items() if outcome == "won"]
    assert len(winners) == 1 and len(outcomes) == len(deciders), outcomes
    assert sorted(outcomes.values()) == ["consensus.adjudicated"] * 3 + ["won"]
    row = consensus_row(factory.database, item_id)
    assert (row.value, row.reason, row.adjudicated_by) == (
        {"labels": [labels[winners[0]]]},
        f"Decided by number {winners[0]}.",
        deciders[winners[0]].id,
    )
    with factory.database.scoped(write=False) as session:
        audits = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "consensus.adjudicate")
        ).all()
    assert len(audits) == 1
