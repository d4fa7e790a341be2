"""The server-rendered pages: login, home, workbench, project overview, error pages."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from expertloop.api.deps import SESSION_COOKIE as API_COOKIE
from expertloop.app import create_app
from expertloop.config import Settings
from expertloop.web.deps import SESSION_COOKIE


def claim(client: Any, project_id: int, person: Any) -> dict[str, Any]:
    response = client.post(f"/api/v1/projects/{project_id}/claims", headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


def judge(client: Any, project_id: int, person: Any, value: dict[str, Any], why: str = "") -> None:
    body = claim(client, project_id, person)
    response = client.post(
        f"/api/v1/assignments/{body['assignment_id']}/judgment",
        json={"value": value, "rationale": why},
        headers=person.headers,
    )
    assert response.status_code == 201, response.text


def test_cookie_name_is_the_one_the_api_reads() -> None:
    assert SESSION_COOKIE == API_COOKIE


def test_login_sets_an_http_only_lax_cookie_and_redirects_home(client, factory) -> None:
    expert = factory.user("expert")
    form = client.get("/login")
    assert form.status_code == 200
    assert 'name="email"' in form.text and 'name="password"' in form.text
    response = client.post(
        "/login",
        data={"email": expert.email.upper(), "password": expert.password},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # development settings
    home = client.get("/")
    assert home.status_code == 200
    assert "Expert 1" in home.text


def test_login_with_a_wrong_password_shows_the_form_again(client, factory) -> None:
    expert = factory.user("expert")
    response = client.post("/login", data={"email": expert.email, "password": "wrong password"})
    assert response.status_code == 401
    assert "The email or the password is wrong" in response.text
    assert f'value="{expert.email}"' in response.text  # what was typed stays
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_login_never_redirects_off_site(client, factory) -> None:
    expert = factory.user("expert")
    response = client.post(
        "/login",
        data={"email": expert.email, "password": expert.password, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_a_page_without_login_redirects_to_the_login_form(client, factory) -> None:
    project_id = factory.project(items=1)
    response = client.get(f"/projects/{project_id}/work", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/projects/{project_id}/work"


def test_logout_needs_the_csrf_token_and_ends_the_session(client, factory, pages) -> None:
    expert = factory.user("expert")
    csrf = pages.log_in(expert)
    forged = client.post("/logout", data={"csrf": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    assert "auth.csrf" in forged.text
    response = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    client.cookies.clear()
    assert pages.get("/").status_code == 303


def test_expert_home_lists_projects_with_the_items_waiting_for_them(client, factory, pages) -> None:
    lead, expert, other = factory.user("lead"), factory.user("expert"), factory.user("expert")
    first = factory.project(lead=lead, items=4)
    second = factory.project(lead=lead, items=2, kind="pairwise")
    judge(client, second, other, {"choice": "A", "strength": 1})  # overlap 1: complete
    claim(client, first, expert)  # one item in progress for this expert
    pages.log_in(expert)
    html = pages.get("/").text
    cards = dict(re.findall(r'data-project="(\d+)">(.*?)</li>', html, re.S))
    assert re.search(r'class="count">3</strong> items waiting', cards[str(first)])
    assert "1 in progress" in cards[str(first)]
    assert f'href="/projects/{first}/work">Resume' in cards[str(first)]
    assert re.search(r'class="count">1</strong> item waiting', cards[str(second)])
    assert f'href="/projects/{second}/work">Start' in cards[str(second)]
    assert f'href="/projects/{first}"' not in html  # experts get no overview link


def test_lead_home_shows_each_project_with_progress(client, factory, pages) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, items=3)
    judge(client, project_id, expert, {"labels": ["yes"]})
    pages.log_in(lead)
    html = pages.get("/").text
    assert f'<a href="/projects/{project_id}">label project</a>' in html
    numbers = re.findall(r'<td class="num">(\d+)</td>', html)
    assert numbers == ["3", "1", "1", "0"]  # items, complete, judgments, active leases
    assert "33%" in html


def test_lead_project_page_shows_progress_and_latest_judgments(client, factory, pages) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, items=3)
    judge(client, project_id, expert, {"labels": ["no"]}, "The trial <b>was</b> retracted.")
    claim(client, project_id, expert)
    pages.log_in(lead)
    response = pages.get(f"/projects/{project_id}")
    assert response.status_code == 200
    html = response.text
    assert '<dd id="stat-items">3</dd>' in html
    assert '<dd id="stat-complete">1</dd>' in html
    assert '<dd id="stat-judgments">1</dd>' in html
    assert '<dd id="stat-leases">1</dd>' in html
    row = re.search(r'<tr class="judgment-row">(.*?)</tr>', html, re.S)
    assert row is not None
    assert "Expert 2" in row.group(1) and "<code>q0</code>" in row.group(1)
    assert "<td>no</td>" in row.group(1)
    assert "The trial &lt;b&gt;was&lt;/b&gt; retracted." in row.group(1)  # escaped, not markup


def test_expert_may_not_see_the_project_page(client, factory, pages) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, items=1)
    pages.log_in(expert)
    refused = pages.get(f"/projects/{project_id}")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "auth.forbidden" in refused.text and "judgment-row" not in refused.text
    missing = pages.get("/projects/999999")
    assert missing.status_code == 404
    assert "project.not_found" in missing.text


def test_reviewer_may_see_the_project_page(client, factory, pages) -> None:
    lead, reviewer = factory.user("lead"), factory.user("reviewer")
    project_id = factory.project(lead=lead, items=1)
    pages.log_in(reviewer)
    assert pages.get(f"/projects/{project_id}").status_code == 200
    assert f'href="/projects/{project_id}">Overview' in pages.get("/").text


def test_workbench_claims_an_item_and_resumes_it_on_reload(client, factory, pages) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, items=2)
    csrf = pages.log_in(expert)
    first = pages.get(f"/projects/{project_id}/work")
    assert first.status_code == 200
    assert pages.csrf_of(first.text) == csrf
    assignment = re.search(r'data-assignment="(\d+)"', first.text)
    assert assignment is not None
    assert f'data-idempotency-key="web-{assignment.group(1)}"' in first.text
    assert 'data-heartbeat-seconds="20"' in first.text
    assert "Item <code>q0</code>" in first.text
    assert '<kbd aria-hidden="true">1</kbd>' in first.text and 'value="yes"' in first.text
    again = pages.get(f"/projects/{project_id}/work")
    assert f'data-assignment="{assignment.group(1)}"' in again.text  # resumed, not a new lease
    progress = client.get(f"/api/v1/projects/{project_id}/progress", headers=lead.headers)
    assert progress.json() == {"items": 2, "complete": 0, "judgments": 0, "active_leases": 1}


def test_browser_session_submits_through_the_api_with_its_csrf_header(
    client, factory, pages
) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, items=1)
    csrf = pages.log_in(expert)
    html = pages.get(f"/projects/{project_id}/work").text
    assignment_id = re.search(r'data-assignment="(\d+)"', html).group(1)
    url = f"/api/v1/assignments/{assignment_id}/judgment"
    body = {
        "value": {"labels": ["yes"]},
        "rationale": "",
        "idempotency_key": f"web-{assignment_id}",
    }
    assert client.post(url, json=body).status_code == 403  # cookie without CSRF header
    assert client.post(url, json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    assert client.post(url, json=body, headers={"X-CSRF-Token": csrf}).status_code == 200
    done = pages.get(f"/projects/{project_id}/work")
    assert done.status_code == 200
    assert "Nothing left for you here" in done.text


def test_lead_may_not_open_the_workbench(client, factory, pages) -> None:
    lead = factory.user("lead")
    project_id = factory.project(lead=lead, items=1)
    pages.log_in(lead)
    response = pages.get(f"/projects/{project_id}/work")
    assert response.status_code == 403
    assert "Not allowed" in response.text


def test_pages_carry_a_content_security_policy_without_inline_script(
    client, factory, pages
) -> None:
    expert = factory.user("expert")
    project_id = factory.project(items=1)
    responses = [pages.get("/login")]
    pages.log_in(expert)
    responses += [pages.get(p) for p in ("/", f"/projects/{project_id}/work", "/no-such-page")]
    for response in responses:
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text)  # no inline script


def test_unknown_pages_are_html_and_api_errors_stay_json(client, factory) -> None:
    expert = factory.user("expert")
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    api = client.get("/api/v1/projects/999999", headers=expert.headers)
    assert api.status_code == 404
    assert api.json() == {"code": "project.not_found", "message": "project 999999 does not exist"}
    unauthenticated = client.get("/api/v1/me")
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["code"] == "auth.missing_token"


def test_static_files_are_served(client) -> None:
    assert client.get("/static/workbench.js").status_code == 200
    script = client.get("/static/api.js")
    assert script.status_code == 200
    assert "X-CSRF-Token" in script.text
    assert client.get("/static/app.css").status_code == 200


def test_login_cookie_is_secure_in_production(database, clock, factory) -> None:
    expert = factory.user("expert")
    settings = Settings(database_url=database.url, migrate_on_start=False, environment="production")
    app = create_app(settings, database=database, clock=clock)
    with TestClient(app, base_url="https://testserver") as secure_client:
        response = secure_client.post(
            "/login",
            data={"email": expert.email, "password": expert.password},
            follow_redirects=False,
        )
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_kind_without_a_workbench_page_is_refused_before_any_lease(
    client, factory, pages, database, monkeypatch
) -> None:
    from expertloop.web import pages as web_pages

    monkeypatch.setattr(web_pages, "KINDS_WITH_PAGES", frozenset({"label", "pairwise"}))
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, kind="verify", spec={}, items=0)
    from expertloop.services.items import import_items

    with database.scoped() as session:
        row = {"prompt": "Is this review positive?", "data": {"prediction": {"label": "yes"}}}
        import_items(
            session=session, actor=None, project_id=project_id, rows=[row], now=factory.clock()
        )
    pages.log_in(expert)
    response = pages.get(f"/projects/{project_id}/work")
    assert response.status_code == 404
    assert "no workbench page yet" in response.text
    progress = client.get(f"/api/v1/projects/{project_id}/progress", headers=lead.headers)
    assert progress.json()["active_leases"] == 0  # the page leased nothing
