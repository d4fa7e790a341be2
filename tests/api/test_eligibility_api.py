"""Eligibility on claims, project requirements and terms, and the expert's dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from expertloop.core.lifecycles import QualificationAction
from expertloop.services.qualifications import apply_action
from expertloop.store.tables import Assessment, Assignment
from expertloop.store.taxonomy import get_track_by_name

CARDIOLOGY = {
    "name": "Cardiology triage",
    "kind": "label",
    "spec": {"labels": ["urgent", "routine"]},
    "requirements": {"tracks": ["professional"], "domains": ["medicine"]},
    "minutes_per_item": 6,
}


def track_id(session: Any, name: str) -> int:
    track = get_track_by_name(session, name)
    assert track is not None
    return track.id


def create(client: Any, lead: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/projects", json=body, headers=lead.headers)
    assert response.status_code == 201, response.text
    project: dict[str, Any] = response.json()
    return project


def qualify(
    database: Any, clock: Any, expert: Any, track: str, domain: str | None, action: str = "grant"
) -> None:
    with database.scoped() as session:
        apply_action(
            session,
            expert_id=expert.id,
            track_id=track_id(session, track),
            domain=domain,
            action=QualificationAction(action),
            actor_id=None,
            reason="test",
            source="test",
            now=clock(),
        )
        session.commit()


def add_assessment(database: Any, clock: Any, track: str, domain: str | None, title: str) -> int:
    with database.scoped() as session:
        assessment = Assessment(
            track_id=track_id(session, track),
            domain=domain,
            title=title,
            questions=[],
            pass_mark=0.8,
            time_limit_seconds=600,
            status="published",
            created_at=clock(),
        )
        session.add(assessment)
        session.commit()
        return assessment.id


def test_create_project_with_requirements_and_terms(client: Any, factory: Any) -> None:
    lead = factory.user("lead")
    project = create(client, lead, {**CARDIOLOGY, "hourly_rate": 65})
    assert project["requirements"] == {
        "tracks": ["professional"],
        "domains": ["medicine"],
        "min_quality": None,
    }
    assert project["hourly_rate"] == "65.00"
    assert project["minutes_per_item"] == 6
    listed = client.get("/api/v1/projects", headers=lead.headers).json()["data"]
    assert listed == [project]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requirements": {"tracks": ["astrology"]}}, "requirements.tracks[0]"),
        ({"requirements": {"domains": ["law", "alchemy"]}}, "requirements.domains[1]"),
        ({"requirements": {"min_quality": 2}}, "requirements.min_quality"),
        ({"hourly_rate": 0}, "hourly_rate"),
        ({"minutes_per_item": 0}, "minutes_per_item"),
    ],
)
def test_create_project_names_a_bad_requirement(
    client: Any, factory: Any, change: dict[str, Any], field: str
) -> None:
    lead = factory.user("lead")
    response = client.post("/api/v1/projects", json={**CARDIOLOGY, **change}, headers=lead.headers)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert client.get("/api/v1/projects", headers=lead.headers).json()["count"] == 0


def test_claim_refused_until_qualified(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project = create(client, lead, CARDIOLOGY)
    factory.items(project["id"], 2)
    add_assessment(database, clock, "professional", "medicine", "Clinical reasoning")
    claim = f"/api/v1/projects/{project['id']}/claims"

    refused = client.post(claim, headers=expert.headers)
    assert refused.status_code == 403
    body = refused.json()
    assert body["code"] == "eligibility.not_qualified"
    assert "needs a qualification in the professional track" in body["message"]
    assert "medicine domain" in body["message"] and "'Clinical reasoning'" in body["message"]
    with database.scoped() as session:
        assert session.scalar(select(func.count()).select_from(Assignment)) == 0

    qualify(database, clock, expert, "professional", None)
    still = client.post(claim, headers=expert.headers)
    assert still.status_code == 403 and "medicine" in still.json()["message"]
    assert "professional track;" not in still.json()["message"]

    qualify(database, clock, expert, "professional", "medicine")
    assert client.post(claim, headers=expert.headers).status_code == 200


def test_suspension_stops_claims_and_resumes(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project = create(client, lead, {**CARDIOLOGY, "requirements": {"tracks": ["stem"]}})
    factory.items(project["id"], 2)
    qualify(database, clock, expert, "stem", "physics")
    claim = f"/api/v1/projects/{project['id']}/claims"
    assert client.post(claim, headers=expert.headers).status_code == 200

    qualify(database, clock, expert, "stem", "physics", action="suspend")
    refused = client.post(claim, headers=expert.headers)
    assert refused.status_code == 403
    assert refused.json()["message"] == (
        "you cannot work on this project yet: the qualification in the stem track is "
        "suspended; ask the project's lead or an admin"
    )
    qualify(database, clock, expert, "stem", "physics", action="reinstate")
    assert client.post(claim, headers=expert.headers).status_code == 200


def test_patch_changes_requirements_and_clears_the_rate(client: Any, factory: Any) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project = create(client, lead, {**CARDIOLOGY, "hourly_rate": "70.5"})
    factory.items(project["id"], 1)
    path = f"/api/v1/projects/{project['id']}"
    assert client.post(f"{path}/claims", headers=expert.headers).status_code == 403

    response = client.patch(
        path, json={"requirements": {}, "hourly_rate": None}, headers=lead.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["requirements"] == {"tracks": [], "domains": [], "min_quality": None}
    assert body["hourly_rate"] is None and body["minutes_per_item"] == 6
    assert client.post(f"{path}/claims", headers=expert.headers).status_code == 200

    other = factory.user("lead")
    assert client.patch(path, json={}, headers=other.headers).status_code == 403
    bad = client.patch(path, json={"requirements": {"tracks": ["x"]}}, headers=lead.headers)
    assert bad.status_code == 422
    assert client.get(path, headers=lead.headers).json()["requirements"]["tracks"] == []


def test_dashboard_lists_open_and_locked_work(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    open_id = factory.project(lead=lead, items=3)
    locked = create(client, lead, CARDIOLOGY)
    coding = create(
        client, lead, {**CARDIOLOGY, "name": "Code review", "requirements": {"tracks": ["coding"]}}
    )
    clinical = add_assessment(database, clock, "professional", "medicine", "Clinical reasoning")

    response = client.get("/api/v1/me/dashboard", headers=expert.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["available"] == [
        {
            "project_id": open_id,
            "name": "label project",
            "kind": "label",
            "terms": {"hourly_rate": None, "minutes_per_item": None, "minutes_measured": False},
            "waiting": 3,
            "waiting_more": False,
            "in_progress": 0,
        }
    ]
    cardiology, code_review = body["locked"]
    assert cardiology["project_id"] == locked["id"]
    assert cardiology["terms"] == {
        "hourly_rate": "50.00",
        "minutes_per_item": 6.0,
        "minutes_measured": False,
    }
    assert cardiology["reasons"] == [
        "needs a qualification in the professional track",
        "needs a qualification in the medicine domain (professional track)",
    ]
    assert cardiology["assessments"] == [
        {
            "assessment_id": clinical,
            "title": "Clinical reasoning",
            "track": "professional",
            "domain": "medicine",
            "attempts_left": 1,
        }
    ]
    assert code_review["project_id"] == coding["id"] and code_review["assessments"] is None
    assert code_review["terms"]["hourly_rate"] == "40.00"

    qualify(database, clock, expert, "professional", "medicine")
    after = client.get("/api/v1/me/dashboard", headers=expert.headers).json()
    assert [card["project_id"] for card in after["available"]] == [open_id, locked["id"]]


def test_dashboard_measures_minutes_after_enough_judgments(
    client: Any, factory: Any, clock: Any
) -> None:
    lead = factory.user("lead")
    project = create(client, lead, {**CARDIOLOGY, "requirements": {}})
    factory.items(project["id"], 6)
    for _ in range(5):
        expert = factory.user("expert")
        lease = client.post(f"/api/v1/projects/{project['id']}/claims", headers=expert.headers)
        assignment = lease.json()["assignment_id"]
        for _ in range(2):  # gaps over a minute count as idle, so beat twice
            clock.advance(45)
            beat = client.post(
                f"/api/v1/assignments/{assignment}/heartbeat", headers=expert.headers
            )
            assert beat.status_code == 200
        submit = client.post(
            f"/api/v1/assignments/{assignment}/judgment",
            json={"value": {"labels": ["urgent"]}},
            headers=expert.headers,
        )
        assert submit.status_code == 201, submit.text
    viewer = factory.user("expert")
    card = client.get("/api/v1/me/dashboard", headers=viewer.headers).json()["available"][0]
    assert card["terms"]["minutes_measured"] is True
    assert card["terms"]["minutes_per_item"] == pytest.approx(1.5, abs=0.1)


def test_dashboard_is_for_experts_and_reviewers(client: Any, factory: Any) -> None:
    for role, status in (("lead", 403), ("admin", 403), ("reviewer", 200)):
        person = factory.user(role)
        response = client.get("/api/v1/me/dashboard", headers=person.headers)
        assert response.status_code == status, (role, response.text)


def test_dashboard_counts_items_waiting_up_to_a_thousand(client, factory, clock) -> None:
    lead, expert, other = factory.user("lead"), factory.user(), factory.user()
    big = factory.project(lead=lead, items=1001)
    small = factory.project(lead=lead, items=1000)
    claimed = client.post(f"/api/v1/projects/{small}/claims", headers=other.headers)
    assert claimed.status_code == 200  # a lease takes one of overlap 1's slots: 999 are open
    cards = {
        card["project_id"]: card
        for card in client.get("/api/v1/me/dashboard", headers=expert.headers).json()["available"]
    }
    assert (cards[big]["waiting"], cards[big]["waiting_more"]) == (1000, True)
    assert (cards[small]["waiting"], cards[small]["waiting_more"]) == (999, False)
