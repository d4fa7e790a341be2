"""Assessment pages: the list, the Start form, the attempt with its countdown, the result, the
grading queue, and no answer key in any page an expert loads."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from assessment_kit import CHOICE, FREE, MULTIPLE, NUMERIC, RIGHT, SENTINEL_RUBRIC, leaks
from assessment_kit import make_assessment as build
from expertloop.store.tables import AssessmentAttempt


def start_by_form(pages: Any, assessment_id: int, csrf: str) -> int:
    response = pages.client.post(
        f"/assessments/{assessment_id}/start", data={"csrf": csrf}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/attempts/(\d+)", response.headers["location"])
    assert found
    return int(found.group(1))


def test_assessments_page_lists_what_the_expert_can_take(
    pages: Any, factory: Any, database: Any, clock: Any
) -> None:
    build(database, clock)
    build(database, clock, publish=False, title="Hidden draft")
    expert = factory.user("expert")
    pages.log_in(expert)
    page = pages.get("/assessments")
    assert page.status_code == 200
    assert 'href="/assessments" id="nav-assessments"' in page.text
    for text in ("Clinical pharmacology", "stem", "any", "10 min", "75%", "not taken"):
        assert text in page.text
    assert "Hidden draft" not in page.text
    assert leaks(page.text) == []


def test_assessment_page_start_form_needs_the_csrf_token(
    pages: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = build(database, clock)
    expert = factory.user("expert")
    csrf = pages.log_in(expert)
    page = pages.get(f"/assessments/{assessment_id}")
    assert f'action="/assessments/{assessment_id}/start"' in page.text
    assert f'name="csrf" value="{csrf}"' in page.text
    assert "Answer <strong>alone</strong>" in page.text
    forged = pages.client.post(f"/assessments/{assessment_id}/start", data={"csrf": "forged"})
    assert forged.status_code == 403
    with database.scoped() as session:
        assert session.scalars(select(AssessmentAttempt)).all() == []


def test_attempt_page_shows_the_questions_and_the_countdown(
    pages: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = build(database, clock)
    expert = factory.user("expert")
    csrf = pages.log_in(expert)
    attempt_id = start_by_form(pages, assessment_id, csrf)
    clock.advance(61)
    page = pages.get(f"/attempts/{attempt_id}")
    assert page.status_code == 200
    assert 'data-seconds-left="539"' in page.text
    assert '<strong id="countdown" role="timer">8:59</strong>' in page.text
    assert page.text.count('class="question card"') == 3
    assert 'type="radio" name="q-q1" value="a" data-index="1"' in page.text
    assert 'type="checkbox" name="q-q2" value="c" data-index="3"' in page.text
    assert 'id="answer-q3"' in page.text
    assert "/static/assessment.js" in page.text
    assert "<kbd>Ctrl</kbd>+<kbd>Enter</kbd> submit" in page.text
    assert leaks(page.text) == []
    # Starting again from the form resumes the same attempt.
    assert start_by_form(pages, assessment_id, csrf) == attempt_id


def test_attempt_page_after_submitting_shows_the_result(
    pages: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = build(database, clock)
    expert = factory.user("expert")
    csrf = pages.log_in(expert)
    attempt_id = start_by_form(pages, assessment_id, csrf)
    sent = pages.client.post(
        f"/api/v1/attempts/{attempt_id}/submit",
        json={"answers": RIGHT},
        headers={"X-CSRF-Token": csrf},
    )
    assert sent.status_code == 200, sent.text
    page = pages.get(f"/attempts/{attempt_id}")
    assert '<span class="badge status-passed" id="attempt-status">passed</span>' in page.text
    assert "Score <strong>100%</strong>" in page.text
    assert "you are qualified for this track" in page.text
    assert leaks(page.text) == []
    again = pages.client.post(f"/assessments/{assessment_id}/start", data={"csrf": csrf})
    assert again.status_code == 409
    assert "You have used every attempt at this assessment" in again.text


def test_grading_page_keeps_what_was_typed_on_an_error_and_grades(
    pages: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = build(database, clock, questions=[CHOICE, FREE])
    expert, reviewer = factory.user("expert"), factory.user("reviewer")
    started = pages.client.post(
        f"/api/v1/assessments/{assessment_id}/attempts", headers=expert.headers
    ).json()
    pages.client.post(
        f"/api/v1/attempts/{started['id']}/submit",
        json={"answers": {"q1": "a", "q4": "It binds <b>alpha</b> receptors."}},
        headers=expert.headers,
    )
    csrf = pages.log_in(reviewer)
    queue = pages.get("/reviews/attempts")
    assert SENTINEL_RUBRIC in queue.text
    assert "It binds &lt;b&gt;alpha&lt;/b&gt; receptors." in queue.text
    path = f"/reviews/attempts/{started['id']}/grade"
    bad = pages.client.post(
        path, data={"csrf": csrf, "points.q4": "lots", "feedback": "Keep this feedback"}
    )
    assert bad.status_code == 422
    assert "points.q4: must be from 0 to 2" in bad.text
    assert 'value="lots"' in bad.text and "Keep this feedback</textarea>" in bad.text
    good = pages.client.post(
        path,
        data={"csrf": csrf, "points.q4": "2", "feedback": "Clear."},
        follow_redirects=False,
    )
    assert (good.status_code, good.headers["location"]) == (
        303,
        f"/reviews/attempts?graded={started['id']}",
    )
    assert "Nothing waits for grading." in pages.get(good.headers["location"]).text
    pages.client.cookies.clear()
    pages.log_in(expert)
    result = pages.get(f"/attempts/{started['id']}")
    assert "Score <strong>100%</strong>" in result.text and "Clear." in result.text
    assert leaks(result.text) == []


def test_no_page_an_expert_loads_carries_the_answer_key(
    pages: Any, factory: Any, database: Any, clock: Any
) -> None:
    questions = [CHOICE, MULTIPLE, NUMERIC, FREE]
    assessment_id = build(database, clock, questions=questions)
    expert, reviewer = factory.user("expert"), factory.user("reviewer")
    csrf = pages.log_in(expert)
    loaded = [pages.get("/assessments"), pages.get(f"/assessments/{assessment_id}")]
    attempt_id = start_by_form(pages, assessment_id, csrf)
    loaded.append(pages.get(f"/attempts/{attempt_id}"))
    pages.client.post(
        f"/api/v1/attempts/{attempt_id}/submit",
        json={"answers": {"q1": "b", "q4": "text"}},
        headers={"X-CSRF-Token": csrf},
    )
    loaded.append(pages.get(f"/attempts/{attempt_id}"))
    pages.client.post(
        f"/api/v1/attempts/{attempt_id}/grade",
        json={"points": {"q4": 1}, "feedback": "ok"},
        headers=reviewer.headers,
    )
    loaded += [pages.get(f"/attempts/{attempt_id}"), pages.get("/reviews/attempts")]
    assert [page.status_code for page in loaded] == [200, 200, 200, 200, 200, 403]
    for page in loaded:
        assert leaks(page.text) == [], page.text


def test_assessment_pages_for_a_lead_show_the_status_and_send_attempts_to_grading(
    pages: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = build(database, clock, publish=False)
    lead, expert = factory.user("lead"), factory.user("expert")
    pages.log_in(lead)
    listing = pages.get("/assessments")
    assert '<span class="badge status-draft">draft</span>' in listing.text
    assert 'href="/reviews/attempts"' in listing.text
    page = pages.get(f"/assessments/{assessment_id}")
    assert "Status: <span" in page.text and "start-button" not in page.text
    published_id = build(database, clock)
    started = pages.client.post(
        f"/api/v1/assessments/{published_id}/attempts", headers=expert.headers
    ).json()
    moved = pages.get(f"/attempts/{started['id']}")
    assert (moved.status_code, moved.headers["location"]) == (
        303,
        f"/reviews/attempts#attempt-{started['id']}",
    )
