"""Guideline versions through the JSON API: a revision carries the rubric (the spec) with the
text, judgments carry the version they were made under, experts read the history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from expertloop.store import audit
from expertloop.store.tables import GuidelineVersion, Judgment

TWO = [{"id": "A", "text": "First answer"}, {"id": "B", "text": "Second answer"}]
RUBRIC = {
    "name": "Clinical answers",
    "kind": "rubric",
    "spec": {"criteria": [{"id": "accuracy", "name": "Accuracy"}]},
    "guidelines": "Score accuracy against current guidelines.",
}
REVISED = {
    "criteria": [
        {"id": "accuracy", "name": "Accuracy"},
        {"id": "safety", "name": "Safety", "scale": {"min": 0, "max": 2}},
    ]
}


def api(client: Any, method: str, path: str, person: Any, body: Any = None) -> Any:
    return client.request(method, f"/api/v1{path}", json=body, headers=person.headers)


def rubric_project(client: Any, lead: Any, items: int = 0) -> int:
    created = api(client, "POST", "/projects", lead, RUBRIC)
    assert created.status_code == 201, created.text
    project_id = int(created.json()["id"])
    if items:
        rows = [
            {"external_id": f"q{i}", "prompt": "Judge.", "responses": TWO} for i in range(items)
        ]
        imported = api(client, "POST", f"/projects/{project_id}/items", lead, {"items": rows})
        assert imported.status_code == 201, imported.text
    return project_id


def judge(client: Any, project_id: int, expert: Any, criteria: list[str]) -> int:
    claim = api(client, "POST", f"/projects/{project_id}/claims", expert)
    assert claim.status_code == 200, claim.text
    scores = {r["id"]: {c: {"score": 1} for c in criteria} for r in TWO}
    path = f"/assignments/{claim.json()['assignment_id']}/judgment"
    stored = api(client, "POST", path, expert, {"value": {"scores": scores}})
    assert stored.status_code == 201, stored.text
    return int(stored.json()["id"])


def test_revise_guidelines_versions_the_rubric(client: Any, factory: Any, database: Any) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = rubric_project(client, lead)
    body = {"guidelines": "Score accuracy and safety.", "spec": REVISED, "note": "Added safety."}
    response = api(client, "PUT", f"/projects/{project_id}/guidelines", lead, body)
    assert response.status_code == 200, response.text
    project = response.json()
    assert project["guidelines_version"] == 2
    assert project["guidelines"] == "Score accuracy and safety."
    assert [c["id"] for c in project["spec"]["criteria"]] == ["accuracy", "safety"]
    assert project["spec"]["criteria"][1]["scale"] == {"min": 0, "max": 2}

    history = api(client, "GET", f"/projects/{project_id}/guidelines", expert)
    assert history.status_code == 200, history.text
    versions = history.json()
    assert versions["count"] == 2
    first, second = versions["data"]
    assert set(first) == {"version", "text", "spec", "note", "created_at"}
    assert (first["version"], first["text"], first["note"]) == (1, RUBRIC["guidelines"], "")
    assert [c["id"] for c in first["spec"]["criteria"]] == ["accuracy"]
    assert (second["version"], second["note"]) == (2, "Added safety.")
    assert second["spec"] == project["spec"]
    with database.scoped() as session:
        rows = session.scalars(
            select(GuidelineVersion).where(GuidelineVersion.project_id == project_id)
        ).all()
        assert [(row.version, row.created_by) for row in rows] == [(1, lead.id), (2, lead.id)]
        entries = audit.list_entries(session, entity="project", entity_id=project_id)
        assert entries[-1].action == "project.revise_guidelines"
        assert entries[-1].detail == {"version": 2, "spec_changed": True}


def test_revise_without_spec_keeps_it(client: Any, factory: Any) -> None:
    lead = factory.user("lead")
    project_id = rubric_project(client, lead)
    before = api(client, "GET", f"/projects/{project_id}", lead).json()
    body = {"guidelines": "Clarified wording."}
    response = api(client, "PUT", f"/projects/{project_id}/guidelines", lead, body)
    assert response.status_code == 200, response.text
    assert response.json()["spec"] == before["spec"]
    assert response.json()["guidelines_version"] == 2


def test_judgments_carry_the_version_they_were_made_under(
    client: Any, factory: Any, database: Any
) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = rubric_project(client, lead, items=2)
    before = judge(client, project_id, expert, ["accuracy"])
    body = {"guidelines": "Score accuracy and safety.", "spec": REVISED}
    revised = api(client, "PUT", f"/projects/{project_id}/guidelines", lead, body)
    assert revised.status_code == 200, revised.text
    after = judge(client, project_id, expert, ["accuracy", "safety"])
    with database.scoped() as session:
        versions = dict(
            session.execute(
                select(Judgment.id, Judgment.guideline_version).where(
                    Judgment.project_id == project_id
                )
            ).all()
        )
    assert versions == {before: 1, after: 2}


def test_revise_with_bad_spec_names_the_field(client: Any, factory: Any, database: Any) -> None:
    lead = factory.user("lead")
    project_id = rubric_project(client, lead)
    body = {"guidelines": "x", "spec": {"criteria": []}}
    response = api(client, "PUT", f"/projects/{project_id}/guidelines", lead, body)
    assert response.status_code == 422
    assert response.json()["code"] == "project.invalid_spec"
    assert [e["field"] for e in response.json()["errors"]] == ["spec.criteria"]
    long_note = {"guidelines": "x", "note": "n" * 2_001}
    response = api(client, "PUT", f"/projects/{project_id}/guidelines", lead, long_note)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["note"]
    project = api(client, "GET", f"/projects/{project_id}", lead).json()
    assert (project["guidelines_version"], project["guidelines"]) == (1, RUBRIC["guidelines"])
    with database.scoped() as session:
        count = session.scalars(
            select(GuidelineVersion).where(GuidelineVersion.project_id == project_id)
        ).all()
    assert len(count) == 1


def test_another_lead_cannot_revise(client: Any, factory: Any) -> None:
    owner, other, expert = factory.user("lead"), factory.user("lead"), factory.user("expert")
    project_id = rubric_project(client, owner)
    body = {"guidelines": "Mine now."}
    response = api(client, "PUT", f"/projects/{project_id}/guidelines", other, body)
    assert response.status_code == 403
    assert response.json()["code"] == "auth.forbidden"
    refused = api(client, "PUT", f"/projects/{project_id}/guidelines", expert, body)
    assert refused.status_code == 403
    history = api(client, "GET", f"/projects/{project_id}/guidelines", expert).json()
    assert history["count"] == 1
