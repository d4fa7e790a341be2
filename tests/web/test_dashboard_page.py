"""The expert's home page: work open now with its terms, and work to unlock."""

from __future__ import annotations

import re
from typing import Any

from expertloop.core.lifecycles import QualificationAction
from expertloop.services.qualifications import apply_action
from expertloop.store.tables import Assessment
from expertloop.store.taxonomy import get_track_by_name


def track_id(session: Any, name: str) -> int:
    track = get_track_by_name(session, name)
    assert track is not None
    return track.id


def test_expert_home_shows_terms_and_the_assessment_that_unlocks(
    client: Any, factory: Any, pages: Any, database: Any, clock: Any
) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    body = {
        "name": "Contract clauses <b>",
        "kind": "label",
        "spec": {"labels": ["fair", "unfair"]},
        "requirements": {"tracks": ["professional"], "domains": ["law"]},
        "minutes_per_item": 7,
    }
    locked = client.post("/api/v1/projects", json=body, headers=lead.headers).json()
    factory.items(locked["id"], 2)
    with database.scoped() as session:
        assessment = Assessment(
            track_id=track_id(session, "professional"),
            domain="law",
            title="Contract law basics",
            questions=[],
            pass_mark=0.7,
            time_limit_seconds=900,
            status="published",
            created_at=clock(),
        )
        session.add(assessment)
        session.commit()
        assessment_id = assessment.id

    pages.log_in(expert)
    html = pages.get("/").text
    card = re.search(rf'data-locked="{locked["id"]}">(.*?)</div>\s*</li>', html, re.S)
    assert card, html
    assert "Contract clauses &lt;b&gt;" in card.group(1)
    assert "<strong>$50.00</strong>/hour" in card.group(1)
    assert "about 7 min per item (lead's estimate)" in card.group(1)
    assert "Needs a qualification in the law domain (professional track)" in card.group(1)
    assert f'href="/assessments/{assessment_id}">Take “Contract law basics”' in card.group(1)

    with database.scoped() as session:
        apply_action(
            session,
            expert_id=expert.id,
            track_id=track_id(session, "professional"),
            domain="law",
            action=QualificationAction.GRANT,
            actor_id=None,
            reason="passed",
            source="test",
            now=clock(),
        )
        session.commit()
    html = pages.get("/").text
    assert f'data-locked="{locked["id"]}"' not in html
    opened = re.search(rf'data-project="{locked["id"]}">(.*?)</li>', html, re.S)
    assert opened and re.search(r'class="count">2</strong> items waiting', opened.group(1))
    assert f'href="/projects/{locked["id"]}/work">Start' in opened.group(1)


def test_workbench_of_a_locked_project_says_why(client: Any, factory: Any, pages: Any) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    body = {"name": "Code review", "kind": "label", "spec": {"labels": ["ok", "bug"]}}
    body["requirements"] = {"tracks": ["coding"]}
    project = client.post("/api/v1/projects", json=body, headers=lead.headers).json()
    factory.items(project["id"], 1)
    pages.log_in(expert)
    page = pages.get(f"/projects/{project['id']}/work")
    assert page.status_code == 403
    assert "needs a qualification in the coding track" in page.text


def test_project_page_shows_requirements_and_terms(client: Any, factory: Any, pages: Any) -> None:
    lead = factory.user("lead")
    body = {"name": "Tax memos", "kind": "label", "spec": {"labels": ["ok", "wrong"]}}
    body |= {"requirements": {"tracks": ["professional"], "domains": ["law", "finance"]}}
    project = client.post("/api/v1/projects", json=body, headers=lead.headers).json()
    pages.log_in(lead)
    html = pages.get(f"/projects/{project['id']}").text
    terms = re.search(r'id="project-terms">(.*?)</p>', html, re.S)
    assert terms is not None
    text = " ".join(re.sub(r"<[^>]+>", " ", terms.group(1)).split())
    assert (
        text == "Experts need: professional track law finance · pays the professional track's rate"
    )
    client.patch(
        f"/api/v1/projects/{project['id']}",
        json={"requirements": {}, "hourly_rate": "72.5", "minutes_per_item": 9},
        headers=lead.headers,
    )
    html = pages.get(f"/projects/{project['id']}").text
    terms = re.search(r'id="project-terms">(.*?)</p>', html, re.S)
    assert terms is not None
    text = " ".join(re.sub(r"<[^>]+>", " ", terms.group(1)).split())
    assert text == (
        "Open to every expert · $72.50/hour (the project's own rate) · estimate 9 min per item"
    )
