"""Adjudication pages: ``/adjudications`` (the queue of disputed items) and
``/adjudications/{item_id}`` (the item, every judgment and rationale side by side, and the form
that decides it).

The form posts with the session's CSRF token; the answer is read from the fields of the
project's kind (labels, a pairwise choice and strength, a verify verdict, else JSON). On an error
the page comes back with what was chosen and typed, and the field named.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from expertloop.core.errors import Conflict, FieldError, Invalid, invalid
from expertloop.services import adjudication
from expertloop.web.deps import NowDep, PageLogin, ReadSessionDep, WriteSessionDep, check_csrf
from expertloop.web.render import render

router = APIRouter(include_in_schema=False)


async def form_lists(request: Request) -> dict[str, list[str]]:
    """Every field of the posted form with all its values (labels may be several)."""
    form = await request.form()
    return {name: [str(v) for v in form.getlist(name)] for name in form}


FormLists = Annotated[dict[str, list[str]], Depends(form_lists)]


def first(form: Mapping[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


def value_from_form(kind: str, form: Mapping[str, list[str]]) -> dict[str, Any]:
    """The answer the form describes, in the shape of the kind's judgment value; the service
    checks it against the project (an option not chosen is simply absent).

    Raises:
        Invalid: ``judgment.invalid_value`` naming ``value`` when the JSON does not parse.
    """
    if kind == "label":
        return {"labels": [label for label in form.get("label", []) if label]}
    if kind == "pairwise":
        value: dict[str, Any] = {"choice": first(form, "choice") or None}
        strength = first(form, "strength")
        if strength:
            value["strength"] = int(strength) if strength.isdigit() else strength
        return value
    if kind == "verify":
        verdict = first(form, "verdict") or None
        if verdict == "correct":
            return {"verdict": verdict, "correction": first(form, "correction")}
        return {"verdict": verdict}
    return _json_value(first(form, "value_json"))


def _json_value(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        problem = FieldError("value", f"is not valid JSON ({error.msg}, line {error.lineno})")
        raise invalid("judgment.invalid_value", [problem]) from None
    if not isinstance(value, dict):
        raise invalid("judgment.invalid_value", [FieldError("value", "must be a JSON object")])
    return value


def pretty(value: Any) -> str:
    """A value as indented JSON, for kinds without a form of their own."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


def dispute_page(
    request: Request,
    login: Any,
    dispute: adjudication.Dispute,
    *,
    status: int = 200,
    confirmed: bool = False,
    problem: Invalid | Conflict | None = None,
    sent: Mapping[str, list[str]] | None = None,
) -> Response:
    """The adjudication screen; after a refused decision, with the problem and what was sent
    (``marks`` are the fields to outline: ``value.labels[0]`` outlines ``value.labels``)."""
    marks = {e.field.split("[")[0] for e in problem.errors} if problem else set()
    return render(
        request,
        "adjudicate.html",
        status_code=status,
        login=login,
        dispute=dispute,
        confirmed=confirmed,
        problem=problem,
        sent=sent or {},
        marks=marks,
        pretty=pretty,
    )


@router.get("/adjudications")
def adjudications_page(
    request: Request, session: ReadSessionDep, login: PageLogin, project_id: int | None = None
) -> Response:
    entries = adjudication.adjudication_queue(
        session=session, actor=login.actor, project_id=project_id
    )
    return render(
        request, "adjudications.html", login=login, entries=entries, project_id=project_id
    )


@router.get("/adjudications/{item_id}")
def adjudicate_page(
    item_id: int,
    request: Request,
    session: ReadSessionDep,
    login: PageLogin,
    adjudicated: int | None = None,
) -> Response:
    dispute = adjudication.get_dispute(session=session, actor=login.actor, item_id=item_id)
    return dispute_page(request, login, dispute, confirmed=bool(adjudicated))


@router.post("/adjudications/{item_id}")
def adjudicate_form(
    item_id: int,
    request: Request,
    session: WriteSessionDep,
    login: PageLogin,
    now: NowDep,
    form: FormLists,
) -> Response:
    check_csrf(login, first(form, "csrf"))
    try:
        value = value_from_form(first(form, "kind"), form)
        adjudication.adjudicate(
            session=session,
            actor=login.actor,
            item_id=item_id,
            value=value,
            reason=first(form, "reason"),
            now=now,
        )
    except (Invalid, Conflict) as error:
        session.rollback()
        dispute = adjudication.get_dispute(session=session, actor=login.actor, item_id=item_id)
        status = 422 if isinstance(error, Invalid) else 409
        return dispute_page(request, login, dispute, status=status, problem=error, sent=form)
    return RedirectResponse(f"/adjudications/{item_id}?adjudicated=1", 303)
