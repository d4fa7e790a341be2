"""Assessments through the JSON API: authoring, one attempt per expert, the time limit on the
server, grading, grants of another attempt, qualification on a pass, and no key leaks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from assessment_kit import (
    CHOICE,
    FREE,
    MULTIPLE,
    NUMERIC,
    RIGHT,
    SENTINEL_RUBRIC,
    WRONG,
    add_domain,
    body,
    key_fields,
    leaks,
    make_assessment,
)
from expertloop.core.lifecycles import QualificationAction
from expertloop.services.qualifications import apply_action
from expertloop.store.tables import AuditEntry, Qualification, QualificationEvent, Track

API = "/api/v1"


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def start(client: Any, assessment_id: int, person: Any) -> Any:
    return client.post(f"{API}/assessments/{assessment_id}/attempts", headers=person.headers)


def submit(client: Any, attempt_id: int, person: Any, answers: dict[str, Any]) -> Any:
    return client.post(
        f"{API}/attempts/{attempt_id}/submit", json={"answers": answers}, headers=person.headers
    )


def qualifications(database: Any) -> list[tuple[str, str, str, str]]:
    with database.scoped() as session:
        rows = session.execute(
            select(Track.name, Qualification.domain, Qualification.status, Qualification.source)
            .join(Track, Track.id == Qualification.track_id)
            .order_by(Qualification.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_create_assessment_returns_the_authors_view_with_the_key(client: Any, factory: Any) -> None:
    lead = factory.user("lead")
    response = client.post(f"{API}/assessments", json=body(), headers=lead.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {
        "id": created["id"],
        "track": "stem",
        "domain": None,
        "title": "Clinical pharmacology",
        "instructions": "Answer **alone**; 10 minutes.",
        "pass_mark": 0.75,
        "time_limit_seconds": 600,
        "status": "draft",
        "question_count": 3,
        "total_points": 3.0,
        "questions": [{**CHOICE, "points": 1}, {**MULTIPLE, "points": 1}, {**NUMERIC, "points": 1}],
        "attempts_left": None,
        "my_status": None,
        "created_at": created["created_at"],
    }


def test_create_assessment_with_bad_fields_names_each(client: Any, factory: Any) -> None:
    lead = factory.user("lead")
    bad_option = {
        **CHOICE,
        "id": "q9",
        "options": [{"id": "a", "text": "A"}, {"id": "", "text": "B"}],
    }
    sent = body([CHOICE, MULTIPLE, bad_option], track="astrology", domain="tarot", pass_mark=0)
    response = client.post(f"{API}/assessments", json=sent, headers=lead.headers)
    assert response.status_code == 422
    found = response.json()
    assert found["code"] == "assessment.invalid"
    assert [e["field"] for e in found["errors"]] == [
        "pass_mark",
        "track",
        "domain",
        "questions[2].options[1].id",
    ]


def test_create_assessment_for_a_known_domain(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    add_domain(database, clock, "pharmacology")
    lead = factory.user("lead")
    response = client.post(
        f"{API}/assessments", json=body(domain="pharmacology"), headers=lead.headers
    )
    assert response.status_code == 201
    assert response.json()["domain"] == "pharmacology"


def test_list_assessments_experts_see_published_ones_without_questions(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    published = make_assessment(database, clock)
    make_assessment(database, clock, publish=False, title="Draft")
    expert, lead = factory.user("expert"), factory.user("lead")
    seen = client.get(f"{API}/assessments", headers=expert.headers).json()
    assert seen["count"] == 1
    assert seen["data"][0]["id"] == published
    assert seen["data"][0]["questions"] is None
    assert (seen["data"][0]["attempts_left"], seen["data"][0]["my_status"]) == (1, None)
    managed = client.get(f"{API}/assessments", headers=lead.headers).json()
    assert [a["title"] for a in managed["data"]] == ["Clinical pharmacology", "Draft"]
    assert managed["data"][0]["questions"][2]["answer"] == 8675.309


def test_get_assessment_hides_drafts_from_experts(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    draft = make_assessment(database, clock, publish=False)
    expert = factory.user("expert")
    response = client.get(f"{API}/assessments/{draft}", headers=expert.headers)
    assert response.status_code == 404
    assert response.json() == {
        "code": "assessment.not_found",
        "message": f"assessment {draft} does not exist",
    }
    assert start(client, draft, expert).status_code == 404


def test_update_assessment_publishes_and_archives(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock, publish=False)
    admin = factory.user("admin")
    path = f"{API}/assessments/{assessment_id}"
    for status in ("published", "published", "archived"):
        response = client.patch(path, json={"status": status}, headers=admin.headers)
        assert (response.status_code, response.json()["status"]) == (200, status)
    back = client.patch(path, json={"status": "draft"}, headers=admin.headers)
    assert back.status_code == 409
    assert back.json() == {
        "code": "assessment.archived",
        "message": "a archived assessment cannot become draft",
    }
    unknown = client.patch(path, json={"status": "open"}, headers=admin.headers)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "status"


def test_start_attempt_returns_the_questions_and_the_deadline(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    expert = factory.user("expert")
    response = start(client, assessment_id, expert)
    assert response.status_code == 201, response.text
    attempt = response.json()
    assert attempt == {
        "id": attempt["id"],
        "assessment_id": assessment_id,
        "assessment_title": "Clinical pharmacology",
        "track": "stem",
        "domain": None,
        "expert_id": expert.id,
        "expert_name": None,
        "number": 1,
        "status": "in_progress",
        "started_at": iso(clock.now),
        "deadline": iso(clock.now + timedelta(seconds=600)),
        "seconds_left": 600,
        "submitted_at": None,
        "questions": [
            {
                k: v
                for k, v in {**q, "points": 1}.items()
                if k not in ("answer", "answers", "tolerance")
            }
            for q in (CHOICE, MULTIPLE, NUMERIC)
        ],
        "my_answers": {},
        "score": None,
        "passed": None,
        "feedback": "",
        "message": "In progress.",
        "points": None,
    }


def test_start_attempt_again_resumes_the_same_attempt(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    expert = factory.user("expert")
    first = start(client, assessment_id, expert).json()
    clock.advance(100)
    again = start(client, assessment_id, expert)
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["seconds_left"]) == (first["id"], 500)


def test_submit_attempt_right_answers_passes_and_grants_the_qualification(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    expert = factory.user("expert")
    attempt = start(client, assessment_id, expert).json()
    clock.advance(30)
    response = submit(client, attempt["id"], expert, RIGHT)
    assert response.status_code == 200, response.text
    result = response.json()
    assert {
        k: result[k] for k in ("status", "score", "passed", "seconds_left", "submitted_at")
    } == {
        "status": "passed",
        "score": 1.0,
        "passed": True,
        "seconds_left": 0,
        "submitted_at": iso(clock.now),
    }
    assert result["message"] == "Passed with 100%; you are qualified for this track."
    assert qualifications(database) == [("stem", "", "granted", "assessment")]
    with database.scoped() as session:
        event = session.scalars(select(QualificationEvent)).one()
        assert (event.action, event.actor_id, event.from_status, event.to_status) == (
            "grant",
            None,
            None,
            "granted",
        )
        assert event.reason == "passed assessment 'Clinical pharmacology' with 100%"
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert "qualification.grant" in actions


def test_submit_attempt_wrong_answers_fails_without_qualification(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    expert = factory.user("expert")
    attempt = start(client, assessment_id, expert).json()
    result = submit(client, attempt["id"], expert, {**WRONG, "q1": "a"}).json()
    assert (result["status"], result["score"], result["passed"]) == ("failed", 0.333333, False)
    assert result["message"] == "Scored 33%, below the pass mark of 75%."
    assert qualifications(database) == []


def test_submit_attempt_for_a_domain_grants_the_domain_qualification(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    add_domain(database, clock, "pharmacology")
    assessment_id = make_assessment(database, clock, domain="pharmacology")
    expert = factory.user("expert")
    attempt = start(client, assessment_id, expert).json()
    assert submit(client, attempt["id"], expert, RIGHT).json()["status"] == "passed"
    assert qualifications(database) == [("stem", "pharmacology", "granted", "assessment")]


def test_submit_attempt_leaves_a_suspended_qualification_alone(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    expert = factory.user("expert")
    with database.scoped() as session:
        track_id = session.scalar(select(Track.id).where(Track.name == "stem"))
        for action in (QualificationAction.GRANT, QualificationAction.SUSPEND):
            apply_action(
                session,
                expert_id=expert.id,
                track_id=track_id,
                domain=None,
                action=action,
                actor_id=None,
                reason="quality below the bar",
                source="admin",
                now=clock(),
            )
        session.commit()
    attempt = start(client, assessment_id, expert).json()
    result = submit(client, attempt["id"], expert, RIGHT).json()
    assert result["status"] == "passed"
    assert "is suspended; passing does not change it" in result["message"]
    assert qualifications(database) == [("stem", "", "suspended", "admin")]


def test_submit_attempt_twice_answers_409(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    expert = factory.user("expert")
    attempt = start(client, assessment_id, expert).json()
    assert submit(client, attempt["id"], expert, RIGHT).status_code == 200
    again = submit(client, attempt["id"], expert, WRONG)
    assert again.status_code == 409
    assert again.json() == {"code": "attempt.passed", "message": "this attempt is already passed"}


def test_submit_attempt_of_another_expert_is_not_found(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    owner, other = factory.user("expert"), factory.user("expert")
    attempt = start(client, assessment_id, owner).json()
    response = submit(client, attempt["id"], other, RIGHT)
    assert response.status_code == 404
    assert response.json()["code"] == "attempt.not_found"
    assert client.get(f"{API}/attempts/{attempt['id']}", headers=other.headers).status_code == 404


def test_submit_attempt_with_bad_answers_names_the_question_and_keeps_it_open(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    expert = factory.user("expert")
    attempt = start(client, assessment_id, expert).json()
    response = submit(client, attempt["id"], expert, {"q1": "z", "q3": "many"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["answers.q1", "answers.q3"]
    assert submit(client, attempt["id"], expert, RIGHT).json()["status"] == "passed"


def test_submit_attempt_after_the_time_limit_expires_it(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    expert = factory.user("expert")
    attempt = start(client, assessment_id, expert).json()
    clock.advance(600 + 6)
    response = submit(client, attempt["id"], expert, RIGHT)
    assert response.status_code == 409
    assert response.json() == {
        "code": "attempt.time_up",
        "message": "the time limit ran out; this attempt has expired",
    }
    read = client.get(f"{API}/attempts/{attempt['id']}", headers=expert.headers).json()
    assert (read["status"], read["seconds_left"], read["score"]) == ("expired", 0, None)
    assert submit(client, attempt["id"], expert, RIGHT).json()["code"] == "attempt.expired"
    assert start(client, assessment_id, expert).json()["code"] == "attempt.limit_reached"
    assert qualifications(database) == []


def test_submit_attempt_within_the_grace_after_the_deadline_counts(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    expert = factory.user("expert")
    attempt = start(client, assessment_id, expert).json()
    clock.advance(600 + 5)
    assert submit(client, attempt["id"], expert, RIGHT).json()["status"] == "passed"


def test_get_attempt_past_its_deadline_shows_it_expired(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    expert = factory.user("expert")
    attempt = start(client, assessment_id, expert).json()
    clock.advance(300)
    assert (
        client.get(f"{API}/attempts/{attempt['id']}", headers=expert.headers).json()["seconds_left"]
        == 300
    )
    clock.advance(400)
    read = client.get(f"{API}/attempts/{attempt['id']}", headers=expert.headers).json()
    assert (read["status"], read["message"]) == (
        "expired",
        "The time limit ran out before this attempt was submitted.",
    )
    listed = client.get(f"{API}/assessments", headers=expert.headers).json()["data"][0]
    assert (listed["attempts_left"], listed["my_status"]) == (0, "expired")


def test_start_attempt_after_an_unsubmitted_expiry_is_refused(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    expert = factory.user("expert")
    start(client, assessment_id, expert)
    clock.advance(700)
    refused = start(client, assessment_id, expert)
    assert refused.status_code == 409
    assert refused.json() == {
        "code": "attempt.limit_reached",
        "message": "you have used every attempt at this assessment; an admin can grant another",
    }


def test_grant_attempt_lets_the_expert_try_again(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    expert, admin = factory.user("expert"), factory.user("admin")
    first = start(client, assessment_id, expert).json()
    submit(client, first["id"], expert, WRONG)
    assert start(client, assessment_id, expert).status_code == 409
    sent = {"expert_id": expert.id, "reason": "power cut during the first attempt"}
    granted = client.post(
        f"{API}/assessments/{assessment_id}/grants", json=sent, headers=admin.headers
    )
    assert granted.status_code == 201, granted.text
    grant = granted.json()
    assert grant == {
        "id": grant["id"],
        "assessment_id": assessment_id,
        "expert_id": expert.id,
        "granted_by": admin.id,
        "reason": "power cut during the first attempt",
        "created_at": iso(clock.now),
        "attempts_left": 1,
    }
    second = start(client, assessment_id, expert)
    assert (second.status_code, second.json()["number"]) == (201, 2)
    assert submit(client, second.json()["id"], expert, RIGHT).json()["status"] == "passed"
    assert start(client, assessment_id, expert).status_code == 409
    with database.scoped() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "assessment.grant_attempt")
        ).one()
        assert (entry.actor_id, entry.entity_id, entry.detail["reason"]) == (
            admin.id,
            assessment_id,
            "power cut during the first attempt",
        )


def test_grant_attempt_needs_a_reason_and_an_expert(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    expert, admin = factory.user("expert"), factory.user("admin")
    path = f"{API}/assessments/{assessment_id}/grants"
    blank = client.post(path, json={"expert_id": expert.id, "reason": " "}, headers=admin.headers)
    assert blank.status_code == 422
    assert blank.json()["errors"][0]["field"] == "reason"
    nobody = client.post(path, json={"expert_id": admin.id, "reason": "x"}, headers=admin.headers)
    assert nobody.status_code == 404 and nobody.json()["code"] == "user.not_found"


def free_text_attempt(client: Any, factory: Any, database: Any, clock: Any) -> tuple[int, Any]:
    assessment_id = make_assessment(database, clock, questions=[CHOICE, FREE], pass_mark=0.6)
    expert = factory.user("expert")
    attempt = start(client, assessment_id, expert).json()
    answers = {"q1": "a", "q4": "Adrenaline acts on alpha-1 and beta receptors."}
    result = submit(client, attempt["id"], expert, answers).json()
    assert (result["status"], result["score"], result["passed"]) == ("pending_review", None, None)
    assert result["message"] == "Submitted; a reviewer will grade the free-text answers."
    return attempt["id"], expert


def test_grade_attempt_passes_it_and_the_expert_sees_score_and_feedback(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    attempt_id, expert = free_text_attempt(client, factory, database, clock)
    reviewer = factory.user("reviewer")
    pending = client.get(f"{API}/attempts?status=pending_review", headers=reviewer.headers).json()
    assert pending["count"] == 1
    listed = pending["data"][0]
    assert (listed["id"], listed["expert_name"], listed["points"]) == (
        attempt_id,
        "Expert 1",
        {"q1": 1.0},
    )
    assert listed["questions"][1]["rubric"] == FREE["rubric"]
    assert "answer" not in listed["questions"][0]
    assert listed["my_answers"]["q4"] == "Adrenaline acts on alpha-1 and beta receptors."
    graded = client.post(
        f"{API}/attempts/{attempt_id}/grade",
        json={"points": {"q4": 1}, "feedback": "Name the receptor subtypes."},
        headers=reviewer.headers,
    )
    assert graded.status_code == 200, graded.text
    assert (graded.json()["status"], graded.json()["score"]) == ("passed", round(2 / 3, 6))
    seen = client.get(f"{API}/attempts/{attempt_id}", headers=expert.headers).json()
    assert {k: seen[k] for k in ("status", "score", "passed", "feedback", "points")} == {
        "status": "passed",
        "score": round(2 / 3, 6),
        "passed": True,
        "feedback": "Name the receptor subtypes.",
        "points": None,
    }
    assert qualifications(database) == [("stem", "", "granted", "assessment")]
    assert client.get(f"{API}/attempts", headers=reviewer.headers).json()["count"] == 0


def test_grade_attempt_with_bad_points_names_the_question(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    attempt_id, _expert = free_text_attempt(client, factory, database, clock)
    lead = factory.user("lead")
    response = client.post(
        f"{API}/attempts/{attempt_id}/grade", json={"points": {"q4": 3}}, headers=lead.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": None, "field": "points.q4", "message": "must be from 0 to 2"}
    ]


def test_grade_attempt_again_with_other_points_answers_409(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    attempt_id, _expert = free_text_attempt(client, factory, database, clock)
    lead = factory.user("lead")
    path = f"{API}/attempts/{attempt_id}/grade"
    assert client.post(path, json={"points": {"q4": 0}}, headers=lead.headers).json()["status"] == (
        "failed"
    )
    assert client.post(path, json={"points": {"q4": 0}}, headers=lead.headers).status_code == 200
    again = client.post(path, json={"points": {"q4": 2}}, headers=lead.headers)
    assert again.status_code == 409 and again.json()["code"] == "attempt.failed"


def test_grade_attempt_of_ones_own_is_forbidden(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock, questions=[CHOICE, FREE])
    reviewer = factory.user("reviewer")
    attempt = start(client, assessment_id, reviewer).json()
    submit(client, attempt["id"], reviewer, {"q1": "a", "q4": "My own answer"})
    assert client.get(f"{API}/attempts", headers=reviewer.headers).json()["count"] == 0
    response = client.post(
        f"{API}/attempts/{attempt['id']}/grade",
        json={"points": {"q4": 2}},
        headers=reviewer.headers,
    )
    assert response.status_code == 403
    assert response.json() == {
        "code": "attempt.own_attempt",
        "message": "nobody grades their own attempt",
    }


def test_list_attempts_with_an_unknown_status_names_it(client: Any, factory: Any) -> None:
    lead = factory.user("lead")
    response = client.get(f"{API}/attempts?status=lost", headers=lead.headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "status"


def test_answer_key_never_reaches_the_expert(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    """Every body an expert receives, from listing to the graded result: no key field at any
    depth, and neither the numeric answer nor the rubric text anywhere."""
    questions = [CHOICE, MULTIPLE, NUMERIC, FREE]
    assessment_id = make_assessment(database, clock, questions=questions, pass_mark=0.5)
    expert, reviewer = factory.user("expert"), factory.user("reviewer")
    bodies = [
        client.get(f"{API}/assessments", headers=expert.headers),
        client.get(f"{API}/assessments/{assessment_id}", headers=expert.headers),
    ]
    started = start(client, assessment_id, expert)
    attempt_id = started.json()["id"]
    bodies += [started, start(client, assessment_id, expert)]
    answers = {**WRONG, "q4": "Beta-2 agonism"}
    bodies += [
        submit(client, attempt_id, expert, answers),
        client.get(f"{API}/attempts/{attempt_id}", headers=expert.headers),
    ]
    grade = {"points": {"q4": 2}, "feedback": "Good."}
    client.post(f"{API}/attempts/{attempt_id}/grade", json=grade, headers=reviewer.headers)
    bodies += [
        client.get(f"{API}/attempts/{attempt_id}", headers=expert.headers),
        client.get(f"{API}/assessments", headers=expert.headers),
        client.get(f"{API}/attempts", headers=expert.headers),
    ]
    assert [r.status_code for r in bodies] == [200, 200, 201, 200, 200, 200, 200, 200, 403]
    for response in bodies:
        assert leaks(response.text) == [], response.text
        assert key_fields(response.json()) == [], response.text
    grader_view = client.get(f"{API}/attempts/{attempt_id}", headers=reviewer.headers)
    assert SENTINEL_RUBRIC in grader_view.text  # the sentinel is really there to be found


def test_list_assessments_shows_an_attempt_past_its_deadline_as_expired(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    expert = factory.user("expert")
    start(client, assessment_id, expert)
    clock.advance(606)
    listed = client.get(f"{API}/assessments", headers=expert.headers).json()["data"][0]
    assert (listed["attempts_left"], listed["my_status"]) == (0, "expired")
    one = client.get(f"{API}/assessments/{assessment_id}", headers=expert.headers).json()
    assert one["my_status"] == "expired"
