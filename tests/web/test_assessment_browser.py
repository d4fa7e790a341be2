"""An expert takes an assessment in a real Chromium, keyboard only, and is qualified.

The app runs under uvicorn in a background thread on the test database, with the real clock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from test_workbench_browser import (  # the live server and browser fixtures, shared
    browser,
    live_server,
    log_in,
)

from assessment_kit import SENTINEL_NUMBER, make_assessment
from expertloop.store.tables import Qualification, Track

pytestmark = pytest.mark.browser
__all__ = ["browser", "live_server"]


def qualifications(database: Any, expert_id: int) -> list[tuple[str, str, str, str]]:
    with database.scoped() as session:
        rows = session.execute(
            select(Track.name, Qualification.domain, Qualification.status, Qualification.source)
            .join(Track, Track.id == Qualification.track_id)
            .where(Qualification.expert_id == expert_id)
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]


def test_expert_takes_an_assessment_by_keyboard_and_is_qualified(
    live_server: str, browser: Any, database: Any, factory: Any, screenshots_dir: Path
) -> None:
    base = live_server
    assessment_id = make_assessment(database, factory.clock)
    expert = factory.user("expert")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    log_in(page, base, expert)
    page.goto(f"{base}/assessments")
    expect(page.locator("main")).to_contain_text("Clinical pharmacology")
    page.screenshot(path=str(screenshots_dir / "assessments-expert.png"), full_page=True)
    page.goto(f"{base}/assessments/{assessment_id}")
    expect(page.locator("#start-button")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#question-q1")).to_be_focused()
    expect(page.locator("#countdown")).to_have_text("9:59", timeout=5_000)

    page.keyboard.press("2")  # a wrong choice first, then the right one
    page.keyboard.press("1")
    page.keyboard.press("j")
    page.keyboard.press("1")
    page.keyboard.press("3")
    page.keyboard.press("2")
    page.keyboard.press("2")  # toggled on and off again
    page.keyboard.press("ArrowDown")
    expect(page.locator("#answer-q3")).to_be_focused()
    page.keyboard.type(str(SENTINEL_NUMBER))

    page.reload()  # the draft brings every answer back
    expect(page.locator('input[name="q-q1"][value="a"]')).to_be_checked()
    expect(page.locator('input[name="q-q2"][value="a"]')).to_be_checked()
    expect(page.locator('input[name="q-q2"][value="b"]')).not_to_be_checked()
    expect(page.locator('input[name="q-q2"][value="c"]')).to_be_checked()
    expect(page.locator("#answer-q3")).to_have_value(str(SENTINEL_NUMBER))
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator("#question-q1")).to_be_focused()
    page.screenshot(path=str(screenshots_dir / "assessment-attempt.png"), full_page=True)

    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    expect(page.locator("#attempt-status")).to_have_text("passed")
    expect(page.locator("#result")).to_contain_text("Score 100%")
    page.screenshot(path=str(screenshots_dir / "assessment-result.png"), full_page=True)
    assert qualifications(database, expert.id) == [("stem", "", "granted", "assessment")]
    assert page.evaluate("Object.keys(localStorage)") == []
