"""Expert profiles, credentials and the roster through the JSON API, with the database checked."""

from __future__ import annotations

from typing import Any

from expertloop.store import experts as expert_store
from expertloop.store import users as user_store
from expertloop.store.tables import AuditEntry

PROFILE = {
    "domains": ["medicine", "law"],
    "languages": ["en", "PT-br"],
    "attributes": {
        "region": "West Africa",
        "sector": "public hospital",
        "years_of_practice": 14,
        "school_of_thought": "evidence-based medicine",
    },
}
CLAIM = {
    "kind": "licence",
    "title": "Licensed physician",
    "issuer": "Medical and Dental Council of Nigeria",
    "year": 2010,
    "years_of_practice": 14,
}


def test_update_own_profile_stores_and_returns_it(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    expert = factory.user("expert")
    response = client.put("/api/v1/me/profile", json=PROFILE, headers=expert.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": expert.id,
        "email": expert.email,
        "name": "Expert 1",
        "role": "expert",
        "active": True,
        "domains": ["medicine", "law"],
        "languages": ["en", "pt-BR"],
        "attributes": PROFILE["attributes"],
        "credentials": [],
        "qualifications": [],
    }
    assert client.get("/api/v1/me/profile", headers=expert.headers).json() == response.json()
    with database.scoped() as session:
        profile = user_store.get_profile(session, expert.id)
        assert profile is not None
        assert (profile.domains, profile.languages) == (["medicine", "law"], ["en", "pt-BR"])
        assert profile.attributes["years_of_practice"] == 14
        entries = session.query(AuditEntry).filter_by(action="profile.update").all()
        assert [(e.actor_id, e.entity_id) for e in entries] == [(expert.id, expert.id)]


def test_update_own_profile_with_unknown_domain_names_field(client: Any, factory: Any) -> None:
    reviewer = factory.user("reviewer")
    body = {**PROFILE, "domains": ["medicine", "astrology"]}
    response = client.put("/api/v1/me/profile", json=body, headers=reviewer.headers)
    assert response.status_code == 422
    assert response.json() == {
        "code": "profile.invalid",
        "message": "domains[1]: 'astrology' is not a domain of the taxonomy",
        "errors": [
            {
                "row": None,
                "field": "domains[1]",
                "message": "'astrology' is not a domain of the taxonomy",
            }
        ],
    }
    bad = {**PROFILE, "languages": ["english"], "attributes": {"years_of_practice": "many"}}
    response = client.put("/api/v1/me/profile", json=bad, headers=reviewer.headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [
        "languages[0]",
        "attributes.years_of_practice",
    ]
    missing = client.put("/api/v1/me/profile", json={"domains": []}, headers=reviewer.headers)
    assert missing.status_code == 422 and missing.json()["code"] == "request.invalid"
    assert {e["field"] for e in missing.json()["errors"]} == {"languages", "attributes"}


def test_managers_have_no_own_profile(client: Any, factory: Any) -> None:
    for role in ("lead", "admin"):
        manager = factory.user(role)
        response = client.get("/api/v1/me/profile", headers=manager.headers)
        assert response.status_code == 403
        assert response.json()["code"] == "auth.forbidden"


def test_experts_never_see_each_others_profiles(client: Any, factory: Any) -> None:
    alice, bob = factory.user("expert"), factory.user("expert")
    reviewer, lead = factory.user("reviewer"), factory.user("lead")
    for viewer in (alice, reviewer):
        response = client.get(f"/api/v1/experts/{bob.id}", headers=viewer.headers)
        assert response.status_code == 404
        assert response.json() == {
            "code": "expert.not_found",
            "message": f"expert {bob.id} does not exist",
        }
    assert client.get(f"/api/v1/experts/{alice.id}", headers=alice.headers).status_code == 200
    seen = client.get(f"/api/v1/experts/{bob.id}", headers=lead.headers)
    assert seen.status_code == 200 and seen.json()["email"] == bob.email
    roster = client.get("/api/v1/experts", headers=alice.headers)
    assert roster.status_code == 403 and roster.json()["code"] == "auth.forbidden"
    not_expert = client.get(f"/api/v1/experts/{lead.id}", headers=lead.headers)
    assert not_expert.status_code == 404 and not_expert.json()["code"] == "expert.not_found"


def test_admin_verifies_credential_with_note_and_expert_sees_it(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    expert, admin, lead = factory.user("expert"), factory.user("admin"), factory.user("lead")
    created = client.post("/api/v1/me/credentials", json=CLAIM, headers=expert.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body == {
        **CLAIM,
        "id": body["id"],
        "status": "claimed",
        "note": "",
        "verified_by": None,
        "verified_at": None,
        "created_at": body["created_at"],
    }
    path = f"/api/v1/experts/{expert.id}/credentials/{body['id']}/verification"
    no_note = client.post(path, json={"status": "verified"}, headers=admin.headers)
    assert no_note.status_code == 422 and no_note.json()["errors"][0]["field"] == "note"
    blank = client.post(path, json={"status": "verified", "note": "  "}, headers=admin.headers)
    assert blank.status_code == 422
    assert blank.json()["code"] == "credential.invalid"
    assert blank.json()["errors"] == [{"row": None, "field": "note", "message": "is required"}]
    verdict = {"status": "verified", "note": "Checked the MDCN register, entry 4471"}
    assert client.post(path, json=verdict, headers=lead.headers).status_code == 403
    clock.advance(60)
    verified = client.post(path, json=verdict, headers=admin.headers)
    assert verified.status_code == 200, verified.text
    assert verified.json()["status"] == "verified"
    assert verified.json()["note"] == verdict["note"]
    assert verified.json()["verified_by"] == admin.id
    own = client.get("/api/v1/me/profile", headers=expert.headers).json()
    assert own["credentials"] == [verified.json()]
    with database.scoped() as session:
        stored = expert_store.get_credential(session, body["id"])
        assert stored is not None and (stored.status, stored.verified_by) == ("verified", admin.id)
        assert stored.verified_at == clock.now
        actions = [e.action for e in session.query(AuditEntry).filter_by(entity="credential")]
        assert actions == ["credential.add", "credential.verify"]
    withdraw = client.delete(f"/api/v1/me/credentials/{body['id']}", headers=expert.headers)
    assert withdraw.status_code == 409
    assert withdraw.json()["code"] == "credential.verified"


def test_verification_of_another_experts_credential_is_not_found(client: Any, factory: Any) -> None:
    owner, other, admin = factory.user("expert"), factory.user("expert"), factory.user("admin")
    credential = client.post("/api/v1/me/credentials", json=CLAIM, headers=owner.headers).json()
    path = f"/api/v1/experts/{other.id}/credentials/{credential['id']}/verification"
    response = client.post(path, json={"status": "rejected", "note": "x"}, headers=admin.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "credential.not_found"


def test_expert_withdraws_only_own_claimed_credential(
    client: Any, factory: Any, database: Any
) -> None:
    owner, other = factory.user("expert"), factory.user("reviewer")
    credential = client.post("/api/v1/me/credentials", json=CLAIM, headers=owner.headers).json()
    path = f"/api/v1/me/credentials/{credential['id']}"
    stolen = client.delete(path, headers=other.headers)
    assert stolen.status_code == 404 and stolen.json()["code"] == "credential.not_found"
    response = client.delete(path, headers=owner.headers)
    assert response.status_code == 204 and response.content == b""
    with database.scoped() as session:
        assert expert_store.get_credential(session, credential["id"]) is None
    assert client.delete(path, headers=owner.headers).status_code == 404


def test_add_credential_bad_fields_are_named(client: Any, factory: Any) -> None:
    expert = factory.user("expert")
    bad = {"kind": "diploma", "title": "", "year": 1850}
    response = client.post("/api/v1/me/credentials", json=bad, headers=expert.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "credential.invalid"
    assert [e["field"] for e in response.json()["errors"]] == ["kind", "title", "year"]
    experience = {"kind": "experience", "title": "Tax advice"}
    response = client.post("/api/v1/me/credentials", json=experience, headers=expert.headers)
    assert response.json()["errors"] == [
        {"row": None, "field": "years_of_practice", "message": "is required for experience"}
    ]


def qualify(client: Any, admin: Any, expert: Any, track: str, domain: str | None = None) -> None:
    body = {"track": track, "domain": domain, "action": "grant", "reason": "passed"}
    response = client.post(
        f"/api/v1/experts/{expert.id}/qualifications", json=body, headers=admin.headers
    )
    assert response.status_code == 201, response.text


def test_roster_lists_experts_and_filters(client: Any, factory: Any) -> None:
    admin, lead = factory.user("admin"), factory.user("lead")
    lawyer, tax, medic = factory.user("expert"), factory.user("reviewer"), factory.user("expert")
    client.post("/api/v1/domains", json={"slug": "tax_law", "name": "Tax"}, headers=admin.headers)
    for person, domains in ((lawyer, ["law"]), (tax, ["tax_law"]), (medic, ["medicine"])):
        body = {**PROFILE, "domains": domains}
        assert (
            client.put("/api/v1/me/profile", json=body, headers=person.headers).status_code == 200
        )
    client.post("/api/v1/me/credentials", json=CLAIM, headers=medic.headers)
    qualify(client, admin, lawyer, "professional", "law")
    qualify(client, admin, medic, "coding")

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/experts{query}", headers=lead.headers)
        assert response.status_code == 200, response.text
        assert response.json()["count"] == len(response.json()["data"])
        return [e["id"] for e in response.json()["data"]]

    assert ids("") == [lawyer.id, tax.id, medic.id]
    assert ids("?domain=law") == [lawyer.id]
    assert ids("?domain=tax_law") == [tax.id]
    assert ids("?track=coding&status=granted") == [medic.id]
    assert ids("?status=suspended") == []
    full = client.get("/api/v1/experts?domain=medicine", headers=admin.headers).json()["data"][0]
    assert full["credentials"][0]["title"] == CLAIM["title"]
    assert [(q["track"], q["domain"], q["status"]) for q in full["qualifications"]] == [
        ("coding", None, "granted")
    ]
    assert "history" not in full["qualifications"][0]
    unknown = client.get("/api/v1/experts?track=poetry", headers=lead.headers)
    assert unknown.status_code == 404 and unknown.json()["code"] == "track.not_found"
    bad = client.get("/api/v1/experts?status=lost", headers=lead.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
