"""The lease queue through the JSON API."""

from __future__ import annotations

from typing import Any


def claim(client: Any, project_id: int, person: Any) -> Any:
    return client.post(f"/api/v1/projects/{project_id}/claims", headers=person.headers)


def test_claim_then_submit_label(client, factory) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, items=1)
    response = claim(client, project_id, expert)
    assert response.status_code == 200
    body = response.json()
    assert body["item"]["external_id"] == "q0"
    assert set(body) == {"assignment_id", "item", "lease_expires_at"}
    assert body["item"]["metadata"] == {}  # stored as {"source": "test"}: leads' business
    submit = client.post(
        f"/api/v1/assignments/{body['assignment_id']}/judgment",
        json={"value": {"labels": ["yes"]}, "rationale": "cited", "idempotency_key": "k1"},
        headers=expert.headers,
    )
    assert submit.status_code == 201, submit.text
    assert submit.json()["value"] == {"labels": ["yes"]}
    again = client.post(
        f"/api/v1/assignments/{body['assignment_id']}/judgment",
        json={"value": {"labels": ["yes"]}, "rationale": "cited", "idempotency_key": "k1"},
        headers=expert.headers,
    )
    assert again.status_code == 200
    assert again.json()["id"] == submit.json()["id"]
    progress = client.get(f"/api/v1/projects/{project_id}/progress", headers=lead.headers)
    assert progress.json() == {"items": 1, "complete": 1, "judgments": 1, "active_leases": 0}
    assert claim(client, project_id, expert).status_code == 204
