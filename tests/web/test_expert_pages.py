"""The profile, roster, expert and tracks pages: forms, errors that keep what was typed,
privacy, policy-driven forms and escaping of hostile profile values."""

from __future__ import annotations

from typing import Any

from web_cases import HOSTILE

from expertloop.store import experts as expert_store
from expertloop.store import taxonomy
from expertloop.store import users as user_store

CLAIM = {
    "kind": "licence",
    "title": "Licensed physician",
    "issuer": "GMC",
    "year": "2009",
    "years_of_practice": "",
}


def post(pages: Any, path: str, csrf: str, data: dict[str, Any]) -> Any:
    return pages.client.post(path, data={**data, "csrf": csrf}, follow_redirects=False)


def test_expert_edits_own_profile_on_the_page(pages: Any, factory: Any, database: Any) -> None:
    expert = factory.user("expert")
    csrf = pages.log_in(expert)
    page = pages.get("/profile")
    assert page.status_code == 200
    assert 'id="nav-profile"' in page.text and 'id="nav-experts"' not in page.text
    assert 'name="domains" value="medicine"' in page.text
    form = {
        "domains": ["medicine", "biology"],
        "languages": "en, PT-br",
        "region": "West Africa",
        "sector": "hospital",
        "years_of_practice": "14",
        "school_of_thought": "",
        "other": "specialty: cardiology\n\n",
    }
    saved = post(pages, "/profile", csrf, form)
    assert saved.status_code == 303 and saved.headers["location"] == "/profile?saved=profile"
    with database.scoped() as session:
        profile = user_store.get_profile(session, expert.id)
        assert profile is not None
        assert (profile.domains, profile.languages) == (["medicine", "biology"], ["en", "pt-BR"])
        assert profile.attributes == {
            "specialty": "cardiology",
            "region": "West Africa",
            "sector": "hospital",
            "years_of_practice": 14,
        }
    again = pages.get("/profile?saved=profile")
    assert "Profile saved." in again.text
    assert 'value="en, pt-BR"' in again.text and "specialty: cardiology" in again.text
    assert 'value="medicine" checked' in again.text and 'value="law" checked' not in again.text


def test_profile_error_keeps_what_was_typed_and_names_the_field(
    pages: Any, factory: Any, database: Any
) -> None:
    expert = factory.user("reviewer")
    csrf = pages.log_in(expert)
    form = {
        "domains": ["law"],
        "languages": "english",
        "region": "Andes",
        "years_of_practice": "many",
        "other": "specialty: tax",
    }
    response = post(pages, "/profile", csrf, form)
    assert response.status_code == 422
    text = response.text
    assert 'id="profile-errors"' in text
    assert "Languages: must be a language tag" in text
    assert "Years of practice: must be a whole number" in text
    assert 'value="english" aria-invalid="true"' in text
    assert 'value="Andes"' in text and "specialty: tax" in text
    assert 'value="law" checked' in text
    with database.scoped() as session:
        profile = user_store.get_profile(session, expert.id)
        assert profile is not None and profile.domains == []
    broken = post(pages, "/profile", csrf, {**form, "languages": "en", "other": "no colon here"})
    assert broken.status_code == 422
    assert "Other: line 1 must read key: value" in broken.text
    assert "no colon here</textarea>" in broken.text


def test_credential_added_withdrawn_and_bad_one_kept(
    pages: Any, factory: Any, database: Any
) -> None:
    expert = factory.user("expert")
    csrf = pages.log_in(expert)
    bad = post(pages, "/profile/credentials", csrf, {**CLAIM, "kind": "experience", "year": "1700"})
    assert bad.status_code == 422
    assert "The credential was not added" in bad.text
    assert "Year: must be a year from 1900" in bad.text
    assert "Years of practice: is required for experience" in bad.text
    assert 'value="Licensed physician"' in bad.text and 'value="1700"' in bad.text
    added = post(pages, "/profile/credentials", csrf, CLAIM)
    assert added.status_code == 303
    page = pages.get("/profile")
    assert "Licensed physician" in page.text and "claimed" in page.text
    with database.scoped() as session:
        (credential,) = expert_store.list_credentials(session, [expert.id])[expert.id]
    withdrawn = post(pages, f"/profile/credentials/{credential.id}/delete", csrf, {})
    assert withdrawn.status_code == 303
    with database.scoped() as session:
        assert expert_store.list_credentials(session, [expert.id]) == {}
    forged = pages.client.post("/profile/credentials", data=CLAIM, follow_redirects=False)
    assert forged.status_code == 403


def test_experts_cannot_see_each_other_on_pages(pages: Any, factory: Any) -> None:
    alice, bob, lead = factory.user("expert"), factory.user("expert"), factory.user("lead")
    pages.log_in(alice)
    other = pages.get(f"/experts/{bob.id}")
    assert other.status_code == 404 and "expert.not_found" in other.text
    assert bob.email not in other.text
    assert pages.get("/experts").status_code == 403
    assert pages.get(f"/experts/{alice.id}").status_code == 200
    pages.log_in(lead)
    home = pages.get("/")
    assert 'id="nav-experts"' in home.text and 'id="nav-tracks"' in home.text
    assert 'id="nav-profile"' not in home.text
    assert pages.get("/profile").status_code == 403
    roster = pages.get("/experts")
    assert roster.status_code == 200
    assert bob.email in roster.text and alice.email in roster.text
    assert pages.get(f"/experts/{bob.id}").status_code == 200


def test_admin_verifies_credential_on_the_page_and_expert_sees_it(
    pages: Any, factory: Any, client: Any
) -> None:
    expert, admin = factory.user("expert"), factory.user("admin")
    claim = {"kind": "degree", "title": "MBBS", "issuer": "University of Ibadan"}
    created = client.post("/api/v1/me/credentials", json=claim, headers=expert.headers).json()
    csrf = pages.log_in(admin)
    path = f"/experts/{expert.id}/credentials/{created['id']}/verification"
    page = pages.get(f"/experts/{expert.id}")
    assert f'action="{path}"' in page.text
    missing = post(pages, path, csrf, {"status": "verified", "note": ""})
    assert missing.status_code == 422
    assert "Note: is required" in missing.text
    done = post(pages, path, csrf, {"status": "verified", "note": "Checked the register"})
    assert done.status_code == 303
    pages.log_in(expert)
    own = pages.get("/profile")
    assert "✓ verified" in own.text and "Checked the register" in own.text
    assert f"/profile/credentials/{created['id']}/delete" not in own.text


def test_qualification_forms_follow_the_policy(pages: Any, factory: Any) -> None:
    admin, lead, expert = factory.user("admin"), factory.user("lead"), factory.user("expert")
    csrf = pages.log_in(admin)
    path = f"/experts/{expert.id}/qualifications"
    no_reason = post(pages, path, csrf, {"form": "grant", "action": "grant", "track": "stem"})
    assert no_reason.status_code == 422
    assert 'id="grant-errors"' in no_reason.text and "Reason: is required" in no_reason.text
    grant = {"form": "grant", "action": "grant", "track": "stem", "domain": "physics"}
    assert post(pages, path, csrf, {**grant, "reason": "passed the assessment"}).status_code == 303
    twice = post(pages, path, csrf, {**grant, "reason": "again"})
    assert twice.status_code == 409 and "cannot be granted" in twice.text
    page = pages.get(f"/experts/{expert.id}")
    assert "passed the assessment" in page.text and "Admin 1" in page.text
    assert 'value="revoke"' in page.text and 'id="grant-form"' in page.text
    csrf = pages.log_in(lead)
    page = pages.get(f"/experts/{expert.id}")
    assert 'value="suspend"' in page.text
    assert 'value="revoke"' not in page.text and 'id="grant-form"' not in page.text
    form = {"form": "q-1", "track": "stem", "domain": "physics", "reason": "gold accuracy fell"}
    refused = post(pages, path, csrf, {**form, "action": "revoke"})
    assert refused.status_code == 403
    assert post(pages, path, csrf, {**form, "action": "suspend"}).status_code == 303
    page = pages.get(f"/experts/{expert.id}")
    assert "gold accuracy fell" in page.text and 'value="reinstate"' in page.text
    assert "granted → suspended" in page.text


def test_tracks_page_shows_rates_and_admin_edits_in_place(
    pages: Any, factory: Any, database: Any
) -> None:
    expert, admin = factory.user("expert"), factory.user("admin")
    pages.log_in(expert)
    page = pages.get("/tracks")
    assert page.status_code == 200
    assert '<td class="rate">50.00</td>' in page.text and 'name="hourly_rate"' not in page.text
    assert 'action="/domains"' not in page.text
    csrf = pages.log_in(admin)
    bad = post(pages, "/tracks/stem", csrf, {"hourly_rate": "12.345", "description": "Science"})
    assert bad.status_code == 422
    assert 'value="12.345"' in bad.text and "Hourly rate: must be an amount" in bad.text
    good = post(pages, "/tracks/stem", csrf, {"hourly_rate": "45.5", "description": "Science"})
    assert good.status_code == 303
    assert 'value="45.50"' in pages.get("/tracks").text
    taken = post(pages, "/domains", csrf, {"slug": "law", "name": "Law", "parent": ""})
    assert taken.status_code == 422 and "the domain &#39;law&#39; exists already" in taken.text
    added = post(pages, "/domains", csrf, {"slug": "tax_law", "name": "Tax law", "parent": "law"})
    assert added.status_code == 303
    with database.scoped() as session:
        assert taxonomy.get_domain(session, "tax_law") is not None


def test_hostile_profile_values_are_escaped(pages: Any, factory: Any, client: Any) -> None:
    hostile = HOSTILE[0]
    expert = factory.user("expert", attributes={"region": hostile, "sector": HOSTILE[6]})
    claim = {"kind": "degree", "title": hostile, "issuer": HOSTILE[1]}
    assert (
        client.post("/api/v1/me/credentials", json=claim, headers=expert.headers).status_code == 201
    )
    lead = factory.user("lead")
    pages.log_in(lead)
    for path in ("/experts", f"/experts/{expert.id}"):
        text = pages.get(path).text
        assert "<script>alert(1)</script>" not in text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, path
    pages.log_in(expert)
    text = pages.get("/profile").text
    assert "<script>alert(1)</script>" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
