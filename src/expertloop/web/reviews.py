"""Review pages: the reviewers' queue of judgments, one judgment's review form, and the
expert's page of reviews of their own work.

The review form is a plain form post (it works without script); ``review.js`` adds the keys
(A accept, R reject, V revise, 1-5 clarity, Enter submit) and keeps a draft of the feedback.
On an error the page comes back with everything the reviewer typed.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from expertloop.core.errors import Conflict, DomainError, FieldError, Invalid, invalid
from expertloop.services import reviews
from expertloop.web.deps import NowDep, PageLogin, ReadSessionDep, WriteSessionDep, check_csrf
from expertloop.web.errors import field_errors
from expertloop.web.render import render

router = APIRouter(include_in_schema=False)
CLARITY_WORDS = {
    1: "does not say why",
    2: "hints at why",
    3: "says why, loosely",
    4: "says why, clearly",
    5: "says why, clearly and completely",
}


@router.get("/reviews")
def queue_page(
    request: Request,
    session: ReadSessionDep,
    login: PageLogin,
    project_id: int | None = None,
    reviewed: int | None = None,
) -> Response:
    found = reviews.review_queue(session=session, actor=login.actor, project_id=project_id)
    return render(
        request,
        "reviews.html",
        login=login,
        pending=found,
        project_id=project_id,
        reviewed=reviewed,
    )


@router.get("/reviews/judgments/{judgment_id}")
def review_page(
    judgment_id: int, request: Request, session: ReadSessionDep, login: PageLogin
) -> Response:
    target = reviews.get_for_review(session=session, actor=login.actor, judgment_id=judgment_id)
    return _form_page(request, login, target, sent=None, problem=None)


@router.post("/reviews/judgments/{judgment_id}")
def post_review(
    judgment_id: int,
    request: Request,
    session: WriteSessionDep,
    login: PageLogin,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
    verdict: Annotated[str, Form()] = "",
    feedback: Annotated[str, Form()] = "",
    clarity: Annotated[str, Form()] = "",
    revised_value: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(login, csrf)
    sent = {
        "verdict": verdict,
        "feedback": feedback,
        "clarity": clarity,
        "revised_value": revised_value,
    }
    try:
        reviews.review_judgment(
            session=session,
            actor=login.actor,
            judgment_id=judgment_id,
            verdict=verdict,
            feedback=feedback,
            clarity=_clarity(clarity),
            revised_value=_revised_value(verdict, revised_value),
            now=now,
        )
    except (Invalid, Conflict) as error:
        session.rollback()
        target = reviews.get_for_review(
            session=session, actor=login.actor, judgment_id=judgment_id, pending_only=False
        )
        status = 409 if isinstance(error, Conflict) else 422
        return _form_page(request, login, target, sent=sent, problem=error, status=status)
    return RedirectResponse(f"/reviews?reviewed={judgment_id}", 303)


@router.get("/me/reviews")
def my_reviews_page(request: Request, session: ReadSessionDep, login: PageLogin) -> Response:
    found = reviews.my_reviews(session=session, actor=login.actor)
    return render(request, "my_reviews.html", login=login, found=found, words=CLARITY_WORDS)


def _form_page(
    request: Request,
    login: Any,
    target: reviews.PendingReview,
    *,
    sent: dict[str, str] | None,
    problem: DomainError | None,
    status: int = 200,
) -> Response:
    value_text = json.dumps(target.judgment.value, indent=2, ensure_ascii=False)
    fields = field_errors(problem, _by_form_field) if isinstance(problem, Invalid) else {}
    return render(
        request,
        "review.html",
        status_code=status,
        login=login,
        target=target,
        sent=sent or {"verdict": "", "feedback": "", "clarity": "", "revised_value": value_text},
        problem=problem,
        fields=fields,
        words=CLARITY_WORDS,
    )


def _by_form_field(problem: FieldError) -> tuple[str, str]:
    """``revised_value.labels[0]`` goes to the form field ``revised_value``, naming the rest."""
    name = problem.field.split(".", 1)[0].split("[", 1)[0]
    detail = problem.field[len(name) :].lstrip(".")
    return name, f"{detail}: {problem.message}" if detail else problem.message


def _clarity(text: str) -> Any:
    """A clarity picked in the form, or the text itself (the service then names the field)."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text


def _revised_value(verdict: str, text: str) -> dict[str, Any] | None:
    """The revised value typed as JSON; only read for the verdict revise.

    Raises:
        Invalid: ``review.invalid`` naming ``revised_value`` when it is not a JSON object.
    """
    if verdict != "revise" or not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        problem = FieldError(
            "revised_value", f"is not valid JSON ({error.msg}, line {error.lineno})"
        )
        raise invalid("review.invalid", [problem]) from None
    if not isinstance(value, dict):
        raise invalid("review.invalid", [FieldError("revised_value", "must be a JSON object")])
    return value
