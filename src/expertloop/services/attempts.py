"""Use cases on attempts: start (or resume), read, submit, list for grading, grade.

One attempt per expert per assessment, plus one per admin grant. The time limit is enforced
here, on the server: a submission after the deadline (and a short grace) is refused and the
attempt expires. Passing grants the qualification through ``qualifications.apply_action``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from expertloop.core import assessments as rules
from expertloop.core.errors import Conflict, FieldError, Forbidden, NotFound, invalid
from expertloop.core.lifecycles import (
    AttemptStatus,
    QualificationAction,
    check_attempt_transition,
)
from expertloop.core.policies import Actor, AssessmentPolicy, authorize, is_allowed
from expertloop.services.assessments import load_assessment
from expertloop.services.qualifications import apply_action
from expertloop.store import IntegrityError, Session, audit
from expertloop.store import assessments as store
from expertloop.store import qualifications as qualification_store
from expertloop.store import users as user_store
from expertloop.store.tables import Assessment, AssessmentAttempt

IN_PROGRESS = AttemptStatus.IN_PROGRESS
MAX_FEEDBACK = 20_000


@dataclass(frozen=True)
class AttemptView:
    """An attempt as one actor may see it. The owner gets the questions without the key and,
    once graded, the score; a grader also gets the rubric of free-text questions, the points
    per question and the expert's name."""

    attempt: AssessmentAttempt
    assessment: Assessment
    track: str
    questions: list[dict[str, Any]]
    seconds_left: int
    score: float | None
    passed: bool | None
    message: str
    points: dict[str, Any] | None = None
    expert_name: str | None = None
    resumed: bool = False


def start_attempt(
    *, session: Session, actor: Actor, assessment_id: int, now: datetime
) -> AttemptView:
    """Start an attempt, or resume the one in progress (two tabs get the same attempt).

    Raises:
        NotFound: ``assessment.not_found`` (absent, or not published).
        Conflict: ``attempt.limit_reached`` when every allowed attempt is used.
    """
    authorize(actor, AssessmentPolicy.take())
    assessment, track = load_assessment(session, actor, assessment_id)
    attempts = store.list_attempts_of(session, expert_id=actor.id, assessment_id=assessment.id)
    resumable = _resumable(attempts, now)
    if resumable is not None:
        session.commit()
        return _owner_view(session, resumable, assessment, track, now, resumed=True)
    grants = store.count_grants(session, expert_id=actor.id, assessment_id=assessment.id)
    if rules.attempts_left(used=len(attempts), grants=grants.get(assessment.id, 0)) == 0:
        session.commit()  # keeps an attempt just marked expired
        raise _limit_reached()
    try:
        attempt = store.add_attempt(session, values=_new_attempt(assessment, actor, attempts, now))
        session.commit()
    except IntegrityError:
        # Another request of this expert started the same attempt first: resume it.
        session.rollback()
        latest = store.list_attempts_of(session, expert_id=actor.id, assessment_id=assessment.id)
        winner = _resumable(latest, now)
        session.commit()
        if winner is None:
            raise _limit_reached() from None
        return _owner_view(session, winner, assessment, track, now, resumed=True)
    return _owner_view(session, attempt, assessment, track, now)


def _resumable(attempts: list[AssessmentAttempt], now: datetime) -> AssessmentAttempt | None:
    """The latest attempt if it is in progress and in time; one past its time is expired."""
    latest = attempts[-1] if attempts else None
    if latest is None or not _expire_if_late(latest, now):
        return None
    return latest if latest.status == IN_PROGRESS.value else None


def _expire_if_late(attempt: AssessmentAttempt, now: datetime) -> bool:
    """Mark an in-progress attempt past its deadline expired; True when it is still live."""
    if attempt.status != IN_PROGRESS.value:
        return True
    if rules.in_time(now, attempt.deadline):
        return True
    attempt.status = AttemptStatus.EXPIRED.value
    return False


def _new_attempt(
    assessment: Assessment, actor: Actor, attempts: list[AssessmentAttempt], now: datetime
) -> dict[str, Any]:
    return {
        "assessment_id": assessment.id,
        "expert_id": actor.id,
        "number": len(attempts) + 1,
        "status": IN_PROGRESS.value,
        "started_at": now,
        "deadline": rules.deadline(now, assessment.time_limit_seconds),
        "answers": {},
        "points": {},
    }


def _limit_reached() -> Conflict:
    return Conflict(
        "attempt.limit_reached",
        "you have used every attempt at this assessment; an admin can grant another",
    )


def _load(session: Session, attempt_id: int, *, lock: bool) -> AssessmentAttempt:
    attempt = store.get_attempt(session, attempt_id, lock=lock)
    if attempt is None:
        raise NotFound("attempt.not_found", f"attempt {attempt_id} does not exist")
    return attempt


def _assessment_of(session: Session, attempt: AssessmentAttempt) -> tuple[Assessment, str]:
    found = store.get_assessment(session, attempt.assessment_id)
    assert found is not None  # attempts cascade with their assessment
    return found


def get_attempt(*, session: Session, actor: Actor, attempt_id: int, now: datetime) -> AttemptView:
    """The owner's view, or a grader's; anyone else is told it does not exist. An attempt
    whose time ran out without a submission is marked expired here (lazily)."""
    attempt = _load(session, attempt_id, lock=True)
    grader = is_allowed(actor, AssessmentPolicy.grade())
    if attempt.expert_id != actor.id and not grader:
        raise NotFound("attempt.not_found", f"attempt {attempt_id} does not exist")
    _expire_if_late(attempt, now)
    session.commit()
    assessment, track = _assessment_of(session, attempt)
    if attempt.expert_id == actor.id:
        return _owner_view(session, attempt, assessment, track, now)
    return _grader_view(session, attempt, assessment, track, now)


def submit_attempt(
    *, session: Session, actor: Actor, attempt_id: int, answers: dict[str, Any], now: datetime
) -> AttemptView:
    """Grade the objective questions; free text waits for a reviewer; passing qualifies.

    Raises:
        NotFound: ``attempt.not_found`` (absent, or another expert's).
        Conflict: ``attempt.time_up`` (too late: the attempt is now expired),
            ``attempt.<status>`` when it was already submitted or expired.
        Invalid: ``attempt.invalid_answers`` naming ``answers.<question id>``.
    """
    attempt = _load(session, attempt_id, lock=True)  # concurrent submits take turns here
    if attempt.expert_id != actor.id:
        raise NotFound("attempt.not_found", f"attempt {attempt_id} does not exist")
    current = AttemptStatus(attempt.status)
    if current is not IN_PROGRESS:
        raise Conflict(f"attempt.{current.value}", f"this attempt is already {_words(current)}")
    if not _expire_if_late(attempt, now):
        session.commit()
        raise Conflict("attempt.time_up", "the time limit ran out; this attempt has expired")
    assessment, track = _assessment_of(session, attempt)
    given = rules.validate_answers(assessment.questions, answers)
    grading = rules.grade_answers(assessment.questions, given)
    attempt.answers, attempt.points, attempt.submitted_at = given, dict(grading.points), now
    if grading.needs_review:
        check_attempt_transition(current, AttemptStatus.PENDING_REVIEW)
        attempt.status = AttemptStatus.PENDING_REVIEW.value
    else:
        _finish(session, attempt, assessment, grading.points, now)
    session.commit()
    return _owner_view(session, attempt, assessment, track, now)


def _words(status: AttemptStatus) -> str:
    return status.value.replace("_", " ")


def _finish(
    session: Session,
    attempt: AssessmentAttempt,
    assessment: Assessment,
    points: dict[str, float],
    now: datetime,
) -> None:
    """Score the attempt, decide passed or failed, and grant the qualification on a pass."""
    value = rules.score(assessment.questions, points)
    passed = rules.passes(value, assessment.pass_mark)
    target = AttemptStatus.PASSED if passed else AttemptStatus.FAILED
    check_attempt_transition(AttemptStatus(attempt.status), target)
    attempt.points, attempt.score, attempt.status = dict(points), value, target.value
    if passed:
        _qualify(session, attempt, assessment, value, now)


def _qualify(
    session: Session,
    attempt: AssessmentAttempt,
    assessment: Assessment,
    value: float,
    now: datetime,
) -> None:
    """Grant the track's (and domain's) qualification unless the expert already has one:
    a granted one stays, a suspended or revoked one is not changed by passing."""
    held = qualification_store.get_qualification(
        session,
        expert_id=attempt.expert_id,
        track_id=assessment.track_id,
        domain=assessment.domain,
        lock=True,
    )
    if held is not None:
        return
    apply_action(
        session,
        expert_id=attempt.expert_id,
        track_id=assessment.track_id,
        domain=assessment.domain,
        action=QualificationAction.GRANT,
        actor_id=None,
        reason=f"passed assessment {assessment.title!r} with {round(100 * value)}%",
        source="assessment",
        now=now,
    )


def list_attempts(
    *, session: Session, actor: Actor, status: str = AttemptStatus.PENDING_REVIEW.value
) -> list[AttemptView]:
    """Attempts in one status for graders, oldest first, never the grader's own."""
    authorize(actor, AssessmentPolicy.grade())
    if status not in {s.value for s in AttemptStatus}:
        names = ", ".join(s.value for s in AttemptStatus)
        raise invalid("attempt.invalid", [FieldError("status", f"must be one of {names}")])
    rows = store.list_attempts_by_status(session, status=status)
    return [
        _grader_view(session, attempt, assessment, track, None, expert_name=user.name)
        for attempt, assessment, track, user in rows
        if attempt.expert_id != actor.id
    ]


def grade_attempt(
    *,
    session: Session,
    actor: Actor,
    attempt_id: int,
    points: dict[str, Any],
    feedback: str,
    now: datetime,
) -> AttemptView:
    """A grader's points for every free-text answer, and feedback; the attempt is then passed
    or failed. Sending the same grade again returns the graded attempt unchanged.

    Raises:
        Forbidden: ``attempt.own_attempt`` (nobody grades their own attempt).
        Conflict: ``attempt.<status>`` when it is not pending review.
        Invalid: ``attempt.invalid_points`` naming ``points.<question id>``, or ``feedback``.
    """
    authorize(actor, AssessmentPolicy.grade())
    attempt = _load(session, attempt_id, lock=True)
    if attempt.expert_id == actor.id:
        raise Forbidden("attempt.own_attempt", "nobody grades their own attempt")
    assessment, track = _assessment_of(session, attempt)
    given = rules.validate_review_points(assessment.questions, points)
    if len(feedback) > MAX_FEEDBACK:
        raise invalid(
            "attempt.invalid", [FieldError("feedback", f"must be at most {MAX_FEEDBACK} chars")]
        )
    current = AttemptStatus(attempt.status)
    if current is not AttemptStatus.PENDING_REVIEW:
        if _same_grade(attempt, given, feedback):
            return _grader_view(session, attempt, assessment, track, now)
        raise Conflict(f"attempt.{current.value}", f"this attempt is {_words(current)}")
    _finish(session, attempt, assessment, {**attempt.points, **given}, now)
    attempt.graded_by, attempt.graded_at, attempt.feedback = actor.id, now, feedback
    audit.record(
        session,
        actor_id=actor.id,
        action="attempt.grade",
        entity="assessment_attempt",
        entity_id=attempt.id,
        now=now,
        detail={"points": given, "score": attempt.score, "status": attempt.status},
    )
    session.commit()
    return _grader_view(session, attempt, assessment, track, now)


def _same_grade(attempt: AssessmentAttempt, given: dict[str, float], feedback: str) -> bool:
    """A repeated grade (a retry): already graded with exactly these points and feedback."""
    stored = {qid: float(attempt.points.get(qid, -1)) for qid in given}
    return attempt.graded_by is not None and stored == given and attempt.feedback == feedback


def _result(
    session: Session, attempt: AssessmentAttempt, assessment: Assessment
) -> tuple[float | None, bool | None, str]:
    final = attempt.status in (AttemptStatus.PASSED.value, AttemptStatus.FAILED.value)
    held = None
    if attempt.status == AttemptStatus.PASSED.value:
        qualification = qualification_store.get_qualification(
            session,
            expert_id=attempt.expert_id,
            track_id=assessment.track_id,
            domain=assessment.domain,
        )
        held = qualification.status if qualification else None
    score = attempt.score if final else None
    message = rules.result_message(
        status=attempt.status, score_value=score, pass_mark=assessment.pass_mark, qualification=held
    )
    passed = attempt.status == AttemptStatus.PASSED.value if final else None
    return score, passed, message


def _owner_view(
    session: Session,
    attempt: AssessmentAttempt,
    assessment: Assessment,
    track: str,
    now: datetime,
    *,
    resumed: bool = False,
) -> AttemptView:
    score, passed, message = _result(session, attempt, assessment)
    live = attempt.status == IN_PROGRESS.value
    return AttemptView(
        attempt=attempt,
        assessment=assessment,
        track=track,
        questions=rules.public_questions(assessment.questions),
        seconds_left=rules.seconds_left(now, attempt.deadline) if live else 0,
        score=score,
        passed=passed,
        message=message,
        resumed=resumed,
    )


def _grader_view(
    session: Session,
    attempt: AssessmentAttempt,
    assessment: Assessment,
    track: str,
    now: datetime | None,
    *,
    expert_name: str | None = None,
) -> AttemptView:
    """Questions without the objective keys; free-text questions with their rubric."""
    score, passed, message = _result(session, attempt, assessment)
    if expert_name is None:
        expert = user_store.get_user(session, attempt.expert_id)
        expert_name = expert.name if expert else ""
    questions = [
        {**rules.public_question(q), **({"rubric": q["rubric"]} if "rubric" in q else {})}
        for q in assessment.questions
    ]
    live = attempt.status == IN_PROGRESS.value and now is not None
    return AttemptView(
        attempt=attempt,
        assessment=assessment,
        track=track,
        questions=questions,
        seconds_left=rules.seconds_left(now, attempt.deadline) if live and now else 0,
        score=score,
        passed=passed,
        message=message,
        points=dict(attempt.points),
        expert_name=expert_name,
    )
