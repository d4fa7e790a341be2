"""The whole expert journey in a real Chromium: an invited expert signs up, finds a project
locked, passes the assessment that unlocks it, sees it open and works one item."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from test_workbench_browser import browser, live_server  # the shared server and browser

from assessment_kit import RIGHT, SENTINEL_NUMBER, make_assessment
from expertloop.store.tables import Judgment, Qualification, User

pytestmark = pytest.mark.browser
__all__ = ["browser", "live_server"]
EMAIL = "ines.duarte@example.org"
PROJECT = {
    "name": "Dosing questions (qualified pharmacologists)",
    "kind": "label",
    "spec": {"labels": ["safe", "unsafe"]},
    "requirements": {"tracks": ["stem"]},
    "minutes_per_item": 2,
}


def invite(client: Any, lead: Any) -> str:
    response = client.post(
        "/api/v1/invitations", json={"email": EMAIL, "role": "expert"}, headers=lead.headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


def sign_up(page: Any, base: str, token: str) -> None:
    page.goto(f"{base}/signup/{token}")
    expect(page.locator("#name")).to_be_focused()
    page.keyboard.type("Inês Duarte")
    page.keyboard.press("Tab")
    page.keyboard.type("pharmacology rules")
    page.keyboard.press("Tab")
    page.keyboard.type("pharmacology rules")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/", page.locator("main").inner_text()


def pass_assessment(page: Any, assessment_id: int) -> None:
    """From the locked card's button to a passed result, keyboard only."""
    take = page.locator(f'a[href="/assessments/{assessment_id}"]')
    take.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#start-button")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#question-q1")).to_be_focused()
    page.keyboard.press("1")  # q1: a
    page.keyboard.press("j")
    page.keyboard.press("1")  # q2: a and c
    page.keyboard.press("3")
    page.keyboard.press("j")
    page.keyboard.type(str(SENTINEL_NUMBER))  # q3
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    expect(page.locator("#attempt-status")).to_have_text("passed")


def test_invited_expert_signs_up_qualifies_and_works_an_item(
    live_server: str, browser: Any, client: Any, database: Any, factory: Any, screenshots_dir: Any
) -> None:
    assert RIGHT == {"q1": "a", "q2": ["c", "a"], "q3": SENTINEL_NUMBER}  # what is typed below
    lead = factory.user("lead")
    project = client.post("/api/v1/projects", json=PROJECT, headers=lead.headers).json()
    factory.items(project["id"], 2)
    assessment_id = make_assessment(database, factory.clock)
    token = invite(client, lead)

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    sign_up(page, live_server, token)
    locked = page.locator(f'[data-locked="{project["id"]}"]')
    expect(locked).to_contain_text("Needs a qualification in the stem track")
    expect(locked).to_contain_text("$40.00/hour")
    page.screenshot(path=str(screenshots_dir / "journey-locked.png"), full_page=True)

    pass_assessment(page, assessment_id)
    page.goto(f"{live_server}/")
    opened = page.locator(f'[data-project="{project["id"]}"]')
    expect(opened).to_contain_text("2 items waiting")
    page.screenshot(path=str(screenshots_dir / "journey-unlocked.png"), full_page=True)
    opened.locator("a.button.primary").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.keyboard.press("1")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    with database.scoped(write=False) as session:
        user = session.scalars(select(User).where(User.email == EMAIL)).one()
        held = session.scalars(select(Qualification).where(Qualification.expert_id == user.id))
        assert [(q.status, q.source) for q in held] == [("granted", "assessment")]
        judgments = session.scalars(select(Judgment).where(Judgment.expert_id == user.id)).all()
        assert [(j.project_id, j.value) for j in judgments] == [
            (project["id"], {"labels": ["safe"]})
        ]
