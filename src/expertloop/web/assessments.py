"""Assessment pages: the list, one assessment with its Start button, an attempt (questions with
a countdown, then the result) and the reviewers' grading queue.

The attempt page's script submits through the JSON API; the pages never receive an answer key
(the services build what an expert sees from a whitelist).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from expertloop.core.errors import Conflict, Invalid
from expertloop.core.lifecycles import Role
from expertloop.core.policies import AssessmentPolicy, is_allowed
from expertloop.services import assessments, attempts
from expertloop.web.deps import NowDep, PageLogin, ReadSessionDep, WriteSessionDep, check_csrf
from expertloop.web.render import render

router = APIRouter(include_in_schema=False)


def _grader(login: Any) -> bool:
    return is_allowed(login.actor, AssessmentPolicy.grade())


@router.get("/assessments")
def assessments_page(
    request: Request, session: ReadSessionDep, login: PageLogin, now: NowDep
) -> Response:
    views = assessments.list_assessments(session=session, actor=login.actor, now=now)
    author = login.actor.role in (Role.ADMIN, Role.LEAD)
    return render(
        request,
        "assessments.html",
        login=login,
        views=views,
        author=author,
        grader=_grader(login),
    )


@router.get("/assessments/{assessment_id}")
def assessment_page(
    assessment_id: int, request: Request, session: ReadSessionDep, login: PageLogin, now: NowDep
) -> Response:
    view = assessments.get_assessment(
        session=session, actor=login.actor, assessment_id=assessment_id, now=now
    )
    return render(request, "assessment.html", login=login, view=view, error=None)


@router.post("/assessments/{assessment_id}/start")
def start_attempt(
    assessment_id: int,
    request: Request,
    session: WriteSessionDep,
    login: PageLogin,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(login, csrf)
    try:
        view = attempts.start_attempt(
            session=session, actor=login.actor, assessment_id=assessment_id, now=now
        )
    except Conflict as error:
        again = assessments.get_assessment(
            session=session, actor=login.actor, assessment_id=assessment_id, now=now
        )
        return render(
            request, "assessment.html", status_code=409, login=login, view=again, error=error
        )
    return RedirectResponse(f"/attempts/{view.attempt.id}", 303)


@router.get("/attempts/{attempt_id}")
def attempt_page(
    attempt_id: int, request: Request, session: WriteSessionDep, login: PageLogin, now: NowDep
) -> Response:
    view = attempts.get_attempt(session=session, actor=login.actor, attempt_id=attempt_id, now=now)
    if view.attempt.expert_id != login.actor.id:
        return RedirectResponse(f"/reviews/attempts#attempt-{attempt_id}", 303)
    template = "attempt.html" if view.attempt.status == "in_progress" else "attempt_result.html"
    return render(request, template, login=login, view=view)


@router.get("/reviews/attempts")
def grading_page(
    request: Request, session: ReadSessionDep, login: PageLogin, graded: int | None = None
) -> Response:
    views = attempts.list_attempts(session=session, actor=login.actor)
    return render(
        request, "grading.html", login=login, views=views, graded=graded, problem=None, sent={}
    )


async def form_fields(request: Request) -> dict[str, str]:
    """Every field of a posted form (the grading form names its inputs per question)."""
    form = await request.form()
    return {name: str(value) for name, value in form.items()}


FormFields = Annotated[dict[str, str], Depends(form_fields)]


@router.post("/reviews/attempts/{attempt_id}/grade")
def grade_attempt(
    attempt_id: int,
    request: Request,
    session: WriteSessionDep,
    login: PageLogin,
    now: NowDep,
    form: FormFields,
) -> Response:
    check_csrf(login, form.get("csrf", ""))
    points = {
        name.removeprefix("points."): _number(value)
        for name, value in form.items()
        if name.startswith("points.")
    }
    feedback = form.get("feedback", "")
    try:
        attempts.grade_attempt(
            session=session,
            actor=login.actor,
            attempt_id=attempt_id,
            points=points,
            feedback=feedback,
            now=now,
        )
    except Invalid as error:
        session.rollback()
        views = attempts.list_attempts(session=session, actor=login.actor)
        sent = {"attempt_id": attempt_id, "points": form, "feedback": feedback}
        return render(
            request,
            "grading.html",
            status_code=422,
            login=login,
            views=views,
            graded=None,
            problem=error,
            sent=sent,
        )
    return RedirectResponse(f"/reviews/attempts?graded={attempt_id}", 303)


def _number(text: str) -> Any:
    """A number typed in a form, or the text itself (the service then names the field)."""
    try:
        return float(text) if text.strip() else None
    except ValueError:
        return text
