"""Assessments, attempts at them, grading and grants of another attempt."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from expertloop.api.deps import CurrentActor, NowDep, ReadSessionDep, SessionDep
from expertloop.api.schemas.assessments import (
    AssessmentCreate,
    AssessmentPublic,
    AssessmentsPublic,
    AssessmentUpdate,
    AttemptGrade,
    AttemptGrantCreate,
    AttemptGrantPublic,
    AttemptPublic,
    AttemptsPublic,
    AttemptSubmit,
)
from expertloop.services import assessments, attempts

router = APIRouter(tags=["assessments"])


def assessment_public(view: assessments.AssessmentView) -> AssessmentPublic:
    a = view.assessment
    return AssessmentPublic(
        id=a.id,
        track=view.track,
        domain=a.domain,
        title=a.title,
        instructions=a.instructions,
        pass_mark=a.pass_mark,
        time_limit_seconds=a.time_limit_seconds,
        status=a.status,
        question_count=view.question_count,
        total_points=view.total_points,
        questions=view.questions,
        attempts_left=view.attempts_left,
        my_status=view.my_status,
        created_at=a.created_at,
    )


def attempt_public(view: attempts.AttemptView) -> AttemptPublic:
    a = view.attempt
    return AttemptPublic(
        id=a.id,
        assessment_id=a.assessment_id,
        assessment_title=view.assessment.title,
        track=view.track,
        domain=view.assessment.domain,
        expert_id=a.expert_id,
        expert_name=view.expert_name,
        number=a.number,
        status=a.status,
        started_at=a.started_at,
        deadline=a.deadline,
        seconds_left=view.seconds_left,
        submitted_at=a.submitted_at,
        questions=view.questions,
        my_answers=dict(a.answers),
        score=view.score,
        passed=view.passed,
        feedback=a.feedback if view.passed is not None else "",
        message=view.message,
        points=view.points,
    )


@router.post("/assessments", status_code=status.HTTP_201_CREATED, response_model=AssessmentPublic)
def create_assessment(
    body: AssessmentCreate, session: SessionDep, actor: CurrentActor, now: NowDep
) -> AssessmentPublic:
    draft = assessments.AssessmentDraft(**body.model_dump())
    view = assessments.create_assessment(session=session, actor=actor, draft=draft, now=now)
    return assessment_public(view)


@router.get("/assessments", response_model=AssessmentsPublic)
def list_assessments(
    session: ReadSessionDep, actor: CurrentActor, now: NowDep
) -> AssessmentsPublic:
    found = assessments.list_assessments(session=session, actor=actor, now=now)
    return AssessmentsPublic(data=[assessment_public(v) for v in found], count=len(found))


@router.get("/assessments/{assessment_id}", response_model=AssessmentPublic)
def get_assessment(
    assessment_id: int, session: ReadSessionDep, actor: CurrentActor, now: NowDep
) -> AssessmentPublic:
    view = assessments.get_assessment(
        session=session, actor=actor, assessment_id=assessment_id, now=now
    )
    return assessment_public(view)


@router.patch("/assessments/{assessment_id}", response_model=AssessmentPublic)
def update_assessment(
    assessment_id: int,
    body: AssessmentUpdate,
    session: SessionDep,
    actor: CurrentActor,
    now: NowDep,
) -> AssessmentPublic:
    view = assessments.set_status(
        session=session, actor=actor, assessment_id=assessment_id, status=body.status, now=now
    )
    return assessment_public(view)


@router.post(
    "/assessments/{assessment_id}/attempts",
    status_code=status.HTTP_201_CREATED,
    response_model=AttemptPublic,
)
def start_attempt(
    assessment_id: int, response: Response, session: SessionDep, actor: CurrentActor, now: NowDep
) -> AttemptPublic:
    view = attempts.start_attempt(
        session=session, actor=actor, assessment_id=assessment_id, now=now
    )
    if view.resumed:
        response.status_code = status.HTTP_200_OK
    return attempt_public(view)


@router.post(
    "/assessments/{assessment_id}/grants",
    status_code=status.HTTP_201_CREATED,
    response_model=AttemptGrantPublic,
)
def grant_attempt(
    assessment_id: int,
    body: AttemptGrantCreate,
    session: SessionDep,
    actor: CurrentActor,
    now: NowDep,
) -> AttemptGrantPublic:
    view = assessments.grant_attempt(
        session=session,
        actor=actor,
        assessment_id=assessment_id,
        expert_id=body.expert_id,
        reason=body.reason,
        now=now,
    )
    g = view.grant
    return AttemptGrantPublic(
        id=g.id,
        assessment_id=g.assessment_id,
        expert_id=g.expert_id,
        granted_by=g.granted_by,
        reason=g.reason,
        created_at=g.created_at,
        attempts_left=view.attempts_left,
    )


@router.get("/attempts", response_model=AttemptsPublic)
def list_attempts(
    session: ReadSessionDep, actor: CurrentActor, status: str = "pending_review"
) -> AttemptsPublic:
    found = attempts.list_attempts(session=session, actor=actor, status=status)
    return AttemptsPublic(data=[attempt_public(v) for v in found], count=len(found))


@router.get("/attempts/{attempt_id}", response_model=AttemptPublic)
def get_attempt(
    attempt_id: int, session: SessionDep, actor: CurrentActor, now: NowDep
) -> AttemptPublic:
    view = attempts.get_attempt(session=session, actor=actor, attempt_id=attempt_id, now=now)
    return attempt_public(view)


@router.post("/attempts/{attempt_id}/submit", response_model=AttemptPublic)
def submit_attempt(
    attempt_id: int, body: AttemptSubmit, session: SessionDep, actor: CurrentActor, now: NowDep
) -> AttemptPublic:
    view = attempts.submit_attempt(
        session=session, actor=actor, attempt_id=attempt_id, answers=body.answers, now=now
    )
    return attempt_public(view)


@router.post("/attempts/{attempt_id}/grade", response_model=AttemptPublic)
def grade_attempt(
    attempt_id: int, body: AttemptGrade, session: SessionDep, actor: CurrentActor, now: NowDep
) -> AttemptPublic:
    view = attempts.grade_attempt(
        session=session,
        actor=actor,
        attempt_id=attempt_id,
        points=body.points,
        feedback=body.feedback,
        now=now,
    )
    return attempt_public(view)
