"""Qualifications changed by people through the JSON API: policy, transitions, history."""

from __future__ import annotations

from typing import Any

from expertloop.store.tables import AuditEntry, Qualification, QualificationEvent


def change(client: Any, actor: Any, expert: Any, action: str, **extra: Any) -> Any:
    body = {"track": "professional", "action": action, "reason": f"{action} by test", **extra}
    return client.post(
        f"/api/v1/experts/{expert.id}/qualifications", json=body, headers=actor.headers
    )


def test_history_keeps_who_when_why_through_every_action(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    admin, lead, expert = factory.user("admin"), factory.user("lead"), factory.user("expert")
    steps = [
        (admin, "grant", 201, None, "granted"),
        (lead, "suspend", 200, "granted", "suspended"),
        (lead, "reinstate", 200, "suspended", "granted"),
        (admin, "revoke", 200, "granted", "revoked"),
        (admin, "grant", 200, "revoked", "granted"),
    ]
    times = []
    for actor, action, status, _, to in steps:
        clock.advance(3600)
        times.append(clock.now)
        response = change(client, actor, expert, action, domain="medicine")
        assert response.status_code == status, response.text
        assert response.json()["status"] == to
    body = response.json()
    assert (body["track"], body["domain"], body["source"]) == ("professional", "medicine", "manual")
    assert body["created_at"] == times[0].isoformat().replace("+00:00", "Z")
    names = {admin.id: "Admin 1", lead.id: "Lead 2"}
    expected = [
        {
            "action": action,
            "from": before,
            "to": to,
            "who": {"id": actor.id, "name": names[actor.id]},
            "when": when.isoformat().replace("+00:00", "Z"),
            "why": f"{action} by test",
        }
        for (actor, action, _, before, to), when in zip(steps, times, strict=True)
    ]
    assert body["history"] == expected
    detail = client.get(f"/api/v1/experts/{expert.id}", headers=lead.headers).json()
    assert detail["qualifications"] == [body]
    own = client.get("/api/v1/me/profile", headers=expert.headers).json()
    assert own["qualifications"] == [body]
    with database.scoped() as session:
        stored = session.query(Qualification).one()
        assert (stored.expert_id, stored.status, stored.domain) == (
            expert.id,
            "granted",
            "medicine",
        )
        events = session.query(QualificationEvent).order_by(QualificationEvent.id).all()
        assert [(e.action, e.actor_id) for e in events] == [
            (action, actor.id) for actor, action, *_ in steps
        ]
        audits = session.query(AuditEntry).filter_by(entity="qualification").all()
        assert [a.action for a in audits] == [f"qualification.{s[1]}" for s in steps]


def test_lead_may_suspend_and_reinstate_but_not_grant_or_revoke(client: Any, factory: Any) -> None:
    admin, lead, expert = factory.user("admin"), factory.user("lead"), factory.user("expert")
    refused = change(client, lead, expert, "grant")
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "auth.forbidden",
        "message": "a user with the role lead may not do this",
    }
    assert change(client, admin, expert, "grant").status_code == 201
    assert change(client, lead, expert, "revoke").status_code == 403
    assert change(client, lead, expert, "suspend").status_code == 200
    for role in ("reviewer", "expert"):
        other = factory.user(role)
        assert change(client, other, expert, "reinstate").status_code == 403


def test_action_that_does_not_apply_is_a_conflict(client: Any, factory: Any) -> None:
    admin, expert = factory.user("admin"), factory.user("expert")
    missing = change(client, admin, expert, "suspend")
    assert missing.status_code == 409
    assert missing.json() == {
        "code": "qualification.missing",
        "message": "a qualification that is missing cannot be suspended",
    }
    assert change(client, admin, expert, "grant").status_code == 201
    again = change(client, admin, expert, "grant")
    assert again.status_code == 409 and again.json()["code"] == "qualification.granted"
    whole_track = change(client, admin, expert, "grant", domain="law")
    assert whole_track.status_code == 201, "a domain's qualification is its own"


def test_change_with_bad_input_names_the_field(client: Any, factory: Any) -> None:
    admin, expert, lead = factory.user("admin"), factory.user("expert"), factory.user("lead")
    cases = [
        ({"reason": "  "}, "reason", "is required"),
        ({"track": "poetry"}, "track", "there is no track 'poetry'"),
        ({"domain": "astrology"}, "domain", "'astrology' is not a domain of the taxonomy"),
    ]
    for extra, field, message in cases:
        response = change(client, admin, expert, "grant", **extra)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "qualification.invalid"
        assert response.json()["errors"] == [{"row": None, "field": field, "message": message}]
    no_reason = client.post(
        f"/api/v1/experts/{expert.id}/qualifications",
        json={"track": "general", "action": "grant"},
        headers=admin.headers,
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    for target in (lead.id, 999_999):
        body = {"track": "general", "action": "grant", "reason": "x"}
        response = client.post(
            f"/api/v1/experts/{target}/qualifications", json=body, headers=admin.headers
        )
        assert response.status_code == 404 and response.json()["code"] == "expert.not_found"
