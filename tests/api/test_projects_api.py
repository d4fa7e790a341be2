"""Projects and item import through the JSON API, with the database checked after."""

from __future__ import annotations

from typing import Any

from expertloop.store import items as item_store

LABEL = {
    "name": "Clinical claims",
    "kind": "label",
    "spec": {"labels": ["supported", "unsupported"]},
    "overlap": 3,
    "lease_seconds": 600,
    "guidelines": "Judge against current guidelines.",
}


def test_create_project_returns_it(client: Any, factory: Any) -> None:
    lead = factory.user("lead")
    response = client.post("/api/v1/projects", json=LABEL, headers=lead.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] > 0 and body["created_by"] == lead.id
    assert body["spec"] == {
        "labels": ["supported", "unsupported"],
        "multiple": False,
        "min_rationale_chars": 0,
    }
    assert (body["overlap"], body["lease_seconds"], body["guidelines_version"]) == (3, 600, 1)
    listed = client.get("/api/v1/projects", headers=lead.headers).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == body["id"]


def test_create_project_bad_spec_names_field(client: Any, factory: Any) -> None:
    lead = factory.user("lead")
    bad = {**LABEL, "spec": {"labels": ["only one"]}}
    response = client.post("/api/v1/projects", json=bad, headers=lead.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "project.invalid_spec"
    assert response.json()["errors"] == [
        {"row": None, "field": "spec.labels", "message": "must be a list of 2 to 200 labels"}
    ]
    unknown = client.post("/api/v1/projects", json={**LABEL, "kind": "essay"}, headers=lead.headers)
    assert unknown.status_code == 422 and unknown.json()["code"] == "project.unknown_kind"
    overlap = client.post("/api/v1/projects", json={**LABEL, "overlap": 0}, headers=lead.headers)
    assert overlap.json()["errors"][0]["field"] == "overlap"


def test_import_is_all_or_nothing(client: Any, factory: Any, database: Any) -> None:
    lead = factory.user("lead")
    project_id = factory.project(lead=lead, kind="pairwise")
    good = {"external_id": "a", "prompt": "Q", "responses": [{"text": "x"}, {"text": "y"}]}
    bad = {"external_id": "b", "prompt": "Q", "responses": [{"text": "only one"}]}
    response = client.post(
        f"/api/v1/projects/{project_id}/items",
        json={"items": [good, good | {"external_id": "c"}, bad]},
        headers=lead.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 2, "field": "responses", "message": "a pairwise item needs exactly 2 responses"}
    ]
    with database.scoped() as session:
        assert item_store.existing_external_ids(session, project_id, ["a", "c"]) == set()
    typed = client.post(
        f"/api/v1/projects/{project_id}/items",
        json={"items": [good, {"prompt": 7}]},
        headers=lead.headers,
    )
    assert typed.status_code == 422 and typed.json()["code"] == "request.invalid"
    assert {(e["row"], e["field"]) for e in typed.json()["errors"]} >= {(1, "prompt")}
    ok = client.post(
        f"/api/v1/projects/{project_id}/items", json={"items": [good]}, headers=lead.headers
    )
    assert ok.status_code == 201 and ok.json() == {"created": 1}
    again = client.post(
        f"/api/v1/projects/{project_id}/items", json={"items": [good]}, headers=lead.headers
    )
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "external_id"


def test_missing_project_is_404_not_422(client: Any, factory: Any) -> None:
    lead = factory.user("lead")
    response = client.get("/api/v1/projects/999999/progress", headers=lead.headers)
    assert response.status_code == 404
    assert response.json() == {
        "code": "project.not_found",
        "message": "project 999999 does not exist",
    }
    assert client.get("/api/v1/nowhere", headers=lead.headers).json()["code"] == "route.not_found"


def test_openapi_is_served(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/projects/{project_id}/claims" in spec["paths"]


def test_import_takes_10000_items_in_one_request(client: Any, factory: Any, database: Any) -> None:
    lead = factory.user("lead")
    project_id = factory.project(lead=lead, kind="pairwise")
    pair = [{"text": "yes"}, {"id": "B", "text": "no", "model": None}]
    rows = [{"external_id": f"r{n}", "prompt": f"Q{n}", "responses": pair} for n in range(10_000)]
    url = f"/api/v1/projects/{project_id}/items"
    response = client.post(url, json={"items": rows}, headers=lead.headers)
    assert response.status_code == 201, response.text[:500]
    assert response.json() == {"created": 10_000}
    with database.scoped() as session:
        found = item_store.existing_external_ids(session, project_id, ["r0", "r9999", "r10000"])
    assert found == {"r0", "r9999"}
    too_many = client.post(url, json={"items": [*rows, rows[0]]}, headers=lead.headers)
    assert too_many.status_code == 422 and too_many.json()["code"] == "request.invalid"
    repeated = [{**row, "external_id": f"s{n}"} for n, row in enumerate(rows)]
    repeated[9_999]["external_id"] = "s1"  # in the second batch the import reads
    again = client.post(url, json={"items": repeated}, headers=lead.headers)
    assert again.status_code == 422
    assert again.json()["errors"] == [
        {"row": 9_999, "field": "external_id", "message": "repeats 's1', used by an earlier row"}
    ]
