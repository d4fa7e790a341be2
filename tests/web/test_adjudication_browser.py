"""A reviewer adjudicates a disputed pairwise item in a real Chromium, by keyboard.

The app runs under uvicorn in a background thread on the test database, with the real clock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from test_workbench_browser import (  # the live server and browser fixtures, shared
    browser,
    live_server,
    log_in,
    open_page,
)

from dispute_kit import Vote, disputed_item
from expertloop.store.tables import Consensus

pytestmark = pytest.mark.browser
__all__ = ["browser", "live_server"]

RATIONALES = [
    "B gives the guideline dose: 1 g three times daily for 5 days.",
    "A covers resistant strains;\nthe duration is long but safe.",
    "Both are defensible for a fit adult.",
]
REASON = "B matches the guideline; A's dose is toxic."


def test_reviewer_adjudicates_a_disputed_pairwise_item_by_keyboard(
    live_server: str, browser: Any, database: Any, factory: Any, screenshots_dir: Path
) -> None:
    lead, reviewer = factory.user("lead"), factory.user("reviewer")
    votes = [
        Vote(factory.user("expert"), {"choice": "B", "strength": 2}, RATIONALES[0]),
        Vote(factory.user("expert"), {"choice": "A", "strength": 1}, RATIONALES[1]),
        Vote(factory.user("expert"), {"choice": "tie"}, RATIONALES[2]),
    ]
    _, item_id = disputed_item(
        factory, lead=lead, kind="pairwise", votes=votes, leading={"choice": "B", "strength": 2}
    )
    dialogs: list[str] = []
    page = open_page(browser, dialogs)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    refused: list[tuple[int, str]] = []
    page.on("response", lambda r: refused.append((r.status, r.url)) if r.status >= 400 else None)
    log_in(page, live_server, reviewer)

    with page.expect_navigation():
        page.click("#nav-adjudications")
    row = page.locator(f"#dispute-{item_id}")
    expect(row).to_contain_text("dose-7")
    expect(row).to_contain_text("B is better (strength 2)")
    expect(row).to_contain_text("55%")
    page.screenshot(path=str(screenshots_dir / "adjudication-queue.png"), full_page=True)
    with page.expect_navigation():
        row.get_by_role("link", name="Adjudicate").click()

    # Every judgment, side by side, with its rationale; the item's Markdown rendered.
    expect(page.locator("#consensus-state")).to_have_text("disputed")
    expect(page.locator(".pair strong").first).to_have_text("1 g three times daily")
    columns = page.locator(".judgment-column")
    expect(columns).to_have_count(3)
    for index, rationale in enumerate(RATIONALES, start=1):
        column = page.locator(f"#judgment-{index}")
        expect(column.locator("h3")).to_have_text(f"Expert {index}")
        expect(column.locator(".rationale")).to_have_text(rationale)
    expect(page.locator("#judgment-3 .judgment-answer")).to_have_text("Tie")
    boxes = [columns.nth(i).bounding_box() for i in range(3)]
    assert all(box is not None for box in boxes)
    assert len({round(box["y"]) for box in boxes}) == 1  # one row
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]
    expect(page.locator("#leading-value")).to_have_text("B is better (strength 2)")
    expect(page.locator("#leading-confidence")).to_have_text("55%")

    # The reason first, no answer chosen: refused, and the typed reason stays.
    page.keyboard.press("r")
    expect(page.locator("#reason")).to_be_focused()
    page.keyboard.type(REASON)
    page.keyboard.press("Escape")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#form-status")).to_contain_text("value.choice: must be one of A, B, tie")
    expect(page.locator("#reason")).to_have_value(REASON)
    page.screenshot(path=str(screenshots_dir / "adjudication-error.png"), full_page=True)

    # Choose with the keys (a tie first, then B, much better), then Enter.
    page.keyboard.press("t")
    page.keyboard.press("b")
    page.keyboard.press("3")
    expect(page.locator('input[name="choice"][value="B"]')).to_be_checked()
    expect(page.locator('input[name="strength"][value="3"]')).to_be_checked()
    page.screenshot(path=str(screenshots_dir / "adjudication-screen.png"), full_page=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    confirmed = page.locator("#adjudicated")
    expect(confirmed).to_contain_text("B is better (strength 3)")
    expect(page.locator("#adjudicated-reason")).to_have_text(REASON)
    expect(page.locator("#consensus-state")).to_have_text("adjudicated")
    expect(page.locator("#adjudication-form")).to_have_count(0)
    page.screenshot(path=str(screenshots_dir / "adjudication-done.png"), full_page=True)

    with database.scoped(write=False) as session:
        row_ = session.get(Consensus, item_id)
        assert row_ is not None
        stored = (row_.state, row_.value, row_.confidence, row_.adjudicated_by, row_.reason)
    assert stored == ("adjudicated", {"choice": "B", "strength": 3}, 1.0, reviewer.id, REASON)

    with page.expect_navigation():
        page.click("#next-dispute")
    expect(page.locator("#queue-empty")).to_be_visible()
    assert dialogs == []
    # The only refused request is the first decision (422); no script error, no CSP refusal.
    assert [status for status, url in refused if "favicon" not in url] == [422]
    assert [p for p in problems if not p.startswith("Failed to load resource")] == []
