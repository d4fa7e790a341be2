"""Review pages: the reviewers' queue, one judgment's review form (keys, errors that keep what
was typed, inert hostile content), and the expert's page of reviews of their own work."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from test_workbench_browser import (  # the live server and browser fixtures, shared
    browser,
    live_server,
    log_in,
    open_page,
)

import judging
from expertloop.store.tables import Item, Judgment, Review

__all__ = ["browser", "live_server"]
EVERY = {"review": {"share": 1.0}}
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)
SCRIPT_SRC = re.compile(r'<script src="([^"?]*)[^"]*" defer>')


def scripts(html: str) -> list[str]:
    """Every script of a page by its path; an inline script (no src) fails the count."""
    found = SCRIPT_SRC.findall(html)
    assert len(SCRIPT_TAG.findall(html)) == len(found)
    return found


ACTIVE_LINK = re.compile(r"<[a-z]+\b[^>]*(?:href|src)=\"?\s*javascript:", re.I)


def judge(client: Any, project_id: int, person: Any, rationale: str = "The trial says so.") -> int:
    return judging.judge(client, person, project_id, "yes", rationale)


def world(client: Any, factory: Any, rationale: str = "The trial says so.") -> tuple[Any, ...]:
    lead, expert, reviewer = factory.user("lead"), factory.user("expert"), factory.user("reviewer")
    project_id = factory.project(lead=lead, items=2, quality=EVERY)
    return lead, expert, reviewer, project_id, judge(client, project_id, expert, rationale)


def post(pages: Any, judgment_id: int, **form: str) -> Any:
    return pages.client.post(f"/reviews/judgments/{judgment_id}", data=form, follow_redirects=False)


def test_queue_page_lists_pending_judgments_and_links_to_grading(
    client: Any, factory: Any, pages: Any
) -> None:
    _, _, reviewer, project_id, judgment_id = world(client, factory)
    pages.log_in(reviewer)
    page = pages.get("/reviews")
    assert page.status_code == 200
    assert 'href="/reviews" id="nav-reviews"' in page.text
    assert 'href="/reviews/attempts" id="link-attempts"' in page.text
    assert f'id="pending-{judgment_id}"' in page.text
    assert f'href="/reviews/judgments/{judgment_id}"' in page.text
    assert "The trial says so." in page.text and "label project" in page.text
    assert scripts(page.text) == ["/static/api.js", "/static/review.js"]
    grading = pages.get("/reviews/attempts")
    assert 'href="/reviews" id="link-judgment-reviews"' in grading.text
    filtered = pages.get(f"/reviews?project_id={project_id + 1}")
    assert filtered.status_code == 404


def test_review_page_shows_item_judgment_and_a_keyboard_form(
    client: Any, factory: Any, pages: Any
) -> None:
    _, _, reviewer, _, judgment_id = world(client, factory, "Because **the endpoint** was met.")
    csrf = pages.log_in(reviewer)
    page = pages.get(f"/reviews/judgments/{judgment_id}")
    assert page.status_code == 200
    assert "Question 0: is this claim supported by the cited trial?" in page.text
    assert "<strong>the endpoint</strong>" in page.text  # the rationale as sanitised Markdown
    assert '<p id="judged-value"><strong>yes</strong></p>' in page.text
    assert f'action="/reviews/judgments/{judgment_id}"' in page.text
    assert f'name="csrf" value="{csrf}"' in page.text
    for key, value in (("a", "accept"), ("r", "reject"), ("v", "revise")):
        assert f'name="verdict" value="{value}" data-key="{key}"' in page.text
    for n in range(1, 6):
        assert f'name="clarity" value="{n}" data-key="{n}"' in page.text
    assert "<kbd>Enter</kbd> submit" in page.text
    assert "&#34;labels&#34;: [" in page.text  # the value to revise, prefilled as JSON


def test_hostile_item_and_rationale_stay_inert_on_the_review_page(
    client: Any, factory: Any, pages: Any, hostile: Any
) -> None:
    lead, expert, reviewer = factory.user("lead"), factory.user("expert"), factory.user("reviewer")
    project_id = factory.project(lead=lead, quality=EVERY)
    created = client.post(
        f"/api/v1/projects/{project_id}/items",
        json={"items": hostile("label")},
        headers=lead.headers,
    )
    assert created.status_code == 201, created.text
    judgment_id = judge(client, project_id, expert, "<script>alert(1)</script> [x](javascript:y)")
    pages.log_in(reviewer)
    page = pages.get(f"/reviews/judgments/{judgment_id}")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert ACTIVE_LINK.search(page.text) is None
    assert scripts(page.text) == ["/static/api.js", "/static/review.js"]
    queue = pages.get("/reviews")
    assert "<script>alert(1)</script>" not in queue.text


def test_an_invalid_review_comes_back_with_everything_typed(
    client: Any, factory: Any, pages: Any, database: Any
) -> None:
    _, _, reviewer, _, judgment_id = world(client, factory)
    csrf = pages.log_in(reviewer)
    blank = post(pages, judgment_id, csrf=csrf, verdict="reject", feedback=" ", clarity="2")
    assert blank.status_code == 422
    assert "is required to reject" in blank.text
    assert 'name="verdict" value="reject" data-key="r" checked' in blank.text
    assert 'name="clarity" value="2" data-key="2" checked' in blank.text

    typed = "The trial was stopped early; say which endpoint you read."
    bad_json = post(
        pages,
        judgment_id,
        csrf=csrf,
        verdict="revise",
        feedback=typed,
        clarity="3",
        revised_value='{"labels": ["no"',
    )
    assert bad_json.status_code == 422
    assert f">{typed}</textarea>" in bad_json.text
    assert "is not valid JSON" in bad_json.text
    assert "{&#34;labels&#34;: [&#34;no&#34;</textarea>" in bad_json.text

    unknown = post(
        pages,
        judgment_id,
        csrf=csrf,
        verdict="revise",
        feedback=typed,
        revised_value='{"labels": ["maybe"]}',
    )
    assert unknown.status_code == 422
    assert "labels[0]: &#39;maybe&#39; is not one of the project&#39;s labels" in unknown.text
    assert f">{typed}</textarea>" in unknown.text
    with database.scoped() as session:
        assert session.scalars(select(Review)).all() == []
        assert session.get(Judgment, judgment_id).review_state == "pending"


def test_a_review_by_form_is_stored_and_the_queue_says_so(
    client: Any, factory: Any, pages: Any, database: Any
) -> None:
    _, _, reviewer, project_id, judgment_id = world(client, factory)
    csrf = pages.log_in(reviewer)
    forged = post(pages, judgment_id, csrf="forged", verdict="accept")
    assert forged.status_code == 403
    done = post(
        pages, judgment_id, csrf=csrf, verdict="reject", feedback="Wrong trial.", clarity="1"
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/reviews?reviewed={judgment_id}"
    with database.scoped() as session:
        review = session.scalars(select(Review)).one()
        assert (review.verdict, review.feedback, review.clarity) == ("reject", "Wrong trial.", 1)
        item = session.scalars(select(Item).where(Item.project_id == project_id)).first()
        assert item.judgments_count == 0 and item.state == "open"
    queue = pages.get(done.headers["location"])
    assert f'data-reviewed="{judgment_id}"' in queue.text
    assert f'id="pending-{judgment_id}"' not in queue.text

    # Another reviewer, on the page opened before: 409 with their feedback kept to copy.
    other = factory.user("reviewer")
    csrf = pages.log_in(other)
    late = post(pages, judgment_id, csrf=csrf, verdict="accept", feedback="Looks right to me.")
    assert late.status_code == 409
    assert "review.not_pending" in late.text
    assert ">Looks right to me.</textarea>" in late.text
    assert 'id="submit-button"' not in late.text


def test_experts_see_their_feedback_anonymously_and_no_queue(
    client: Any, factory: Any, pages: Any
) -> None:
    _, expert, reviewer, _, judgment_id = world(client, factory)
    response = client.post(
        f"/api/v1/judgments/{judgment_id}/review",
        json={"verdict": "accept", "feedback": "Say which endpoint.", "clarity": 3},
        headers=reviewer.headers,
    )
    assert response.status_code == 201
    pages.log_in(expert)
    dashboard = pages.get("/")
    assert 'href="/me/reviews" id="link-my-reviews"' in dashboard.text
    assert 'id="nav-reviews"' not in dashboard.text
    page = pages.get("/me/reviews")
    assert page.status_code == 200
    assert "Say which endpoint." in page.text
    assert "reviewed by a reviewer" in page.text
    assert "Clarity 3 of 5" in page.text
    assert "Reviewer " not in page.text  # the reviewer's name ("Reviewer 3") never shows
    assert pages.get("/reviews").status_code == 403
    assert pages.get(f"/reviews/judgments/{judgment_id}").status_code == 403


# ---- in a real browser, keyboard only -------------------------------------------------------


@pytest.mark.browser
def test_reviewer_reviews_by_keyboard_and_keeps_a_draft(
    live_server: str,
    browser: Any,
    client: Any,
    factory: Any,
    database: Any,
    screenshots_dir: Any,
) -> None:
    lead, expert, reviewer = factory.user("lead"), factory.user("expert"), factory.user("reviewer")
    project_id = factory.project(lead=lead, items=1, quality=EVERY)
    judgment_id = judge(client, project_id, expert, "Because the **trial** says so.")
    dialogs: list[str] = []
    page = open_page(browser, dialogs)
    log_in(page, live_server, reviewer)
    page.goto(f"{live_server}/reviews")
    expect(page.locator("#review-next")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server}/reviews/judgments/{judgment_id}"

    # R chooses reject and moves to the feedback; Enter with no feedback: the server refuses.
    page.keyboard.press("r")
    expect(page.locator("#feedback")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("4")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#review-errors")).to_contain_text("is required to reject")
    assert page.locator('input[name="verdict"][value="reject"]').is_checked()
    assert page.locator('input[name="clarity"][value="4"]').is_checked()

    # Typed feedback survives leaving the page.
    page.keyboard.press("r")
    page.keyboard.type("Name the trial's primary endpoint.")
    page.keyboard.press("Escape")
    page.goto(f"{live_server}/reviews/judgments/{judgment_id}")
    assert page.locator("#feedback").input_value() == "Name the trial's primary endpoint."
    assert page.locator('input[name="verdict"][value="reject"]').is_checked()
    page.keyboard.press("2")
    page.screenshot(path=str(screenshots_dir / "review-judgment.png"), full_page=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server}/reviews?reviewed={judgment_id}"
    draft = page.evaluate(f"localStorage.getItem('expertloop.review.{judgment_id}')")
    assert draft is None
    assert dialogs == []
    with database.scoped() as session:
        review = session.scalars(select(Review)).one()
        assert (review.verdict, review.clarity) == ("reject", 2)
        assert review.feedback == "Name the trial's primary endpoint."
