"""Tracks and their hourly rates, and the domain taxonomy, through the JSON API."""

from __future__ import annotations

from typing import Any

from expertloop.store import taxonomy
from expertloop.store.tables import AuditEntry

SEEDED_DOMAINS = [
    "biology",
    "chemistry",
    "engineering",
    "finance",
    "law",
    "linguistics",
    "mathematics",
    "medicine",
    "physics",
    "software",
]


def test_tracks_have_the_default_rates(client: Any, factory: Any) -> None:
    expert = factory.user("expert")
    response = client.get("/api/v1/tracks", headers=expert.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert [(t["name"], t["hourly_rate"]) for t in body["data"]] == [
        ("general", "20.00"),
        ("multilingual", "20.00"),
        ("coding", "40.00"),
        ("stem", "40.00"),
        ("professional", "50.00"),
    ]
    assert body["data"][4]["description"].startswith("Licensed or practising professionals")


def test_admin_edits_a_rate_and_it_is_audited(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    admin, lead = factory.user("admin"), factory.user("lead")
    edit = {"hourly_rate": "45.50", "description": "Degree-level science."}
    assert client.patch("/api/v1/tracks/stem", json=edit, headers=lead.headers).status_code == 403
    response = client.patch("/api/v1/tracks/stem", json=edit, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "name": "stem",
        "hourly_rate": "45.50",
        "description": "Degree-level science.",
    }
    number = client.patch("/api/v1/tracks/stem", json={"hourly_rate": 60}, headers=admin.headers)
    assert number.json() == {**response.json(), "hourly_rate": "60.00"}
    listed = client.get("/api/v1/tracks", headers=lead.headers).json()["data"]
    assert [t["hourly_rate"] for t in listed] == ["20.00", "20.00", "40.00", "60.00", "50.00"]
    with database.scoped() as session:
        entries = session.query(AuditEntry).filter_by(action="track.update").all()
        assert (entries[0].actor_id, entries[0].detail) == (
            admin.id,
            {
                "before": {
                    "hourly_rate": "40.00",
                    "description": "Science, technology, engineering and mathematics at degree "
                    "level.",
                },
                "after": {"hourly_rate": "45.50", "description": "Degree-level science."},
            },
        )
        assert entries[1].detail["after"]["hourly_rate"] == "60.00"


def test_bad_rate_names_the_field(client: Any, factory: Any) -> None:
    admin = factory.user("admin")
    for rate in ("12.345", "0", "-1", "10000.01"):
        response = client.patch(
            "/api/v1/tracks/coding", json={"hourly_rate": rate}, headers=admin.headers
        )
        assert response.status_code == 422, rate
        assert response.json()["code"] == "track.invalid"
        assert response.json()["errors"][0]["field"] == "hourly_rate"
    text = client.patch(
        "/api/v1/tracks/coding", json={"hourly_rate": "a lot"}, headers=admin.headers
    )
    assert text.status_code == 422 and text.json()["errors"][0]["field"] == "hourly_rate"
    unknown = client.patch(
        "/api/v1/tracks/poetry", json={"hourly_rate": "5"}, headers=admin.headers
    )
    assert unknown.status_code == 404 and unknown.json() == {
        "code": "track.not_found",
        "message": "there is no track 'poetry'",
    }
    coding = client.get("/api/v1/tracks", headers=admin.headers).json()["data"][2]
    assert coding["hourly_rate"] == "40.00"


def test_domains_list_the_seeded_taxonomy(client: Any, factory: Any) -> None:
    expert = factory.user("expert")
    body = client.get("/api/v1/domains", headers=expert.headers).json()
    assert [d["slug"] for d in body["data"]] == SEEDED_DOMAINS
    assert body["count"] == 10
    assert body["data"][9] == {
        "slug": "software",
        "name": "Software engineering",
        "parent": None,
        "created_at": body["data"][9]["created_at"],
    }


def test_admin_adds_a_domain_experts_then_use(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    admin, lead, expert = factory.user("admin"), factory.user("lead"), factory.user("expert")
    domain = {"slug": "tax_law", "name": "Tax law", "parent": "law"}
    assert client.post("/api/v1/domains", json=domain, headers=lead.headers).status_code == 403
    profile = {"domains": ["tax_law"], "languages": ["en"], "attributes": {}}
    before = client.put("/api/v1/me/profile", json=profile, headers=expert.headers)
    assert before.status_code == 422 and before.json()["errors"][0]["field"] == "domains[0]"
    response = client.post("/api/v1/domains", json=domain, headers=admin.headers)
    assert response.status_code == 201, response.text
    assert response.json() == {**domain, "created_at": clock.now.isoformat().replace("+00:00", "Z")}
    after = client.put("/api/v1/me/profile", json=profile, headers=expert.headers)
    assert after.status_code == 200 and after.json()["domains"] == ["tax_law"]
    with database.scoped() as session:
        stored = taxonomy.get_domain(session, "tax_law")
        law = taxonomy.get_domain(session, "law")
        assert stored is not None and law is not None and stored.parent_id == law.id
        entry = session.query(AuditEntry).filter_by(action="domain.create").one()
        assert (entry.actor_id, entry.entity_id) == (admin.id, stored.id)


def test_add_domain_bad_or_taken_slug_names_the_field(client: Any, factory: Any) -> None:
    admin = factory.user("admin")
    cases = [
        ({"slug": "law", "name": "Law again"}, "slug", "the domain 'law' exists already"),
        ({"slug": "Tax Law", "name": "Tax"}, "slug", None),
        ({"slug": "ok_slug", "name": " "}, "name", "is required"),
        ({"slug": "ok_slug", "name": "x", "parent": "astrology"}, "parent", None),
    ]
    for body, field, message in cases:
        response = client.post("/api/v1/domains", json=body, headers=admin.headers)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "domain.invalid"
        assert response.json()["errors"][0]["field"] == field
        if message:
            assert response.json()["errors"][0]["message"] == message
