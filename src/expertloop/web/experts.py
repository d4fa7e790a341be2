"""Expert pages: ``/profile`` (an expert's own), ``/experts`` (the roster, for managers) and
``/experts/{id}`` (one expert: credentials to verify, qualifications to change).

Every form posts with the session's CSRF token; on an error the page comes back with what was
typed and the field named. Tracks and domains have their pages in ``web.tracks``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from expertloop.core.errors import Conflict, FieldError, Invalid, invalid
from expertloop.core.lifecycles import QUALIFICATION_TRANSITIONS, QualificationAction
from expertloop.core.policies import ExpertPolicy, QualificationPolicy, is_allowed
from expertloop.core.profiles import BACKGROUND_ATTRIBUTES, CredentialKind, split_language_tags
from expertloop.services import experts, qualifications, tracks
from expertloop.services.experts import ExpertView
from expertloop.web import tracks as track_pages
from expertloop.web.deps import NowDep, PageLogin, ReadSessionDep, WriteSessionDep, check_csrf
from expertloop.web.errors import by_list_field, field_errors
from expertloop.web.render import render

router = APIRouter(include_in_schema=False)
router.include_router(track_pages.router)
EMPTY_CLAIM = {"kind": "degree", "title": "", "issuer": "", "year": "", "years_of_practice": ""}
FormText = Annotated[str, Form()]
SAVED = {"profile": "Profile saved.", "credential": "Credential added.", "withdrawn": "Withdrawn."}


def profile_values(view: ExpertView) -> dict[str, Any]:
    """What the profile form shows for a stored profile."""
    named = {key: str(view.attributes.get(key, "")) for key in BACKGROUND_ATTRIBUTES}
    other = [f"{k}: {v}" for k, v in view.attributes.items() if k not in BACKGROUND_ATTRIBUTES]
    return {
        "domains": view.domains,
        "languages": ", ".join(view.languages),
        **named,
        "other": "\n".join(other),
    }


def _profile_field(problem: FieldError) -> tuple[str, str]:
    """``domains[1]`` goes to ``domains``, ``attributes.region`` to ``region``, any other
    attribute to ``other`` (named in the message)."""
    field, message = by_list_field(problem)
    if not field.startswith("attributes"):
        return field, message
    key = field.partition(".")[2]
    if key in BACKGROUND_ATTRIBUTES:
        return key, message
    return "other", f"{key}: {message}" if key else message


def form_errors(error: Invalid) -> dict[str, str]:
    """Messages per field of the profile and qualification forms."""
    return field_errors(error, _profile_field)


def parse_other(text: str) -> dict[str, str]:
    """``key: value`` lines of the free attributes box.

    Raises:
        Invalid: ``profile.invalid`` naming ``other`` when a line has no colon.
    """
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon:
            message = f"line {number} must read key: value"
            raise invalid("profile.invalid", [FieldError("other", message)])
        found[key.strip()] = value.strip()
    return found


def profile_page(
    request: Request,
    session: Any,
    login: Any,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    claim: dict[str, Any] | None = None,
    claim_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    view = experts.get_own_profile(session=session, actor=login.actor)
    return render(
        request,
        "profile.html",
        status_code=status_code,
        login=login,
        expert=view,
        domains=tracks.list_domains(session=session),
        values=values or profile_values(view),
        errors=errors or {},
        claim=claim or EMPTY_CLAIM,
        claim_errors=claim_errors or {},
        kinds=[k.value for k in CredentialKind],
        saved=SAVED.get(request.query_params.get("saved", "")),
    )


@router.get("/profile")
def own_profile(request: Request, session: ReadSessionDep, login: PageLogin) -> Response:
    return profile_page(request, session, login)


@router.post("/profile")
def save_profile(
    request: Request,
    session: WriteSessionDep,
    login: PageLogin,
    now: NowDep,
    domains: Annotated[list[str] | None, Form()] = None,
    languages: FormText = "",
    region: FormText = "",
    sector: FormText = "",
    years_of_practice: FormText = "",
    school_of_thought: FormText = "",
    other: FormText = "",
    csrf: FormText = "",
) -> Response:
    check_csrf(login, csrf)
    named = {
        "region": region,
        "sector": sector,
        "years_of_practice": years_of_practice,
        "school_of_thought": school_of_thought,
    }
    typed = {"domains": domains or [], "languages": languages, **named, "other": other}
    try:
        experts.update_own_profile(
            session=session,
            actor=login.actor,
            domains=domains or [],
            languages=split_language_tags(languages),
            attributes={**parse_other(other), **named},
            now=now,
        )
    except Invalid as error:
        session.rollback()
        errors = form_errors(error)
        return profile_page(request, session, login, values=typed, errors=errors, status_code=422)
    return RedirectResponse("/profile?saved=profile", 303)


@router.post("/profile/credentials")
def add_credential(
    request: Request,
    session: WriteSessionDep,
    login: PageLogin,
    now: NowDep,
    kind: FormText = "",
    title: FormText = "",
    issuer: FormText = "",
    year: FormText = "",
    years_of_practice: FormText = "",
    csrf: FormText = "",
) -> Response:
    check_csrf(login, csrf)
    claim = {
        "kind": kind,
        "title": title,
        "issuer": issuer,
        "year": year or None,
        "years_of_practice": years_of_practice or None,
    }
    try:
        experts.add_own_credential(session=session, actor=login.actor, claim=claim, now=now)
    except Invalid as error:
        session.rollback()
        typed = {**claim, "year": year, "years_of_practice": years_of_practice}
        errors = form_errors(error)
        return profile_page(
            request, session, login, claim=typed, claim_errors=errors, status_code=422
        )
    return RedirectResponse("/profile?saved=credential#credentials", 303)


@router.post("/profile/credentials/{credential_id}/delete")
def withdraw_credential(
    credential_id: int,
    session: WriteSessionDep,
    login: PageLogin,
    now: NowDep,
    csrf: FormText = "",
) -> Response:
    check_csrf(login, csrf)
    experts.delete_own_credential(
        session=session, actor=login.actor, credential_id=credential_id, now=now
    )
    return RedirectResponse("/profile?saved=withdrawn#credentials", 303)


@router.get("/experts")
def roster_page(
    request: Request,
    session: ReadSessionDep,
    login: PageLogin,
    domain: str = "",
    track: str = "",
    status: str = "",
) -> Response:
    where = experts.roster_filter(session=session, domain=domain, track=track, status=status)
    found = experts.list_roster(session=session, actor=login.actor, where=where)
    return render(
        request,
        "experts.html",
        login=login,
        experts=found,
        domains=tracks.list_domains(session=session),
        tracks=tracks.list_tracks(session=session),
        chosen={"domain": domain, "track": track, "status": status},
        statuses=["granted", "suspended", "revoked"],
    )


APPLIES = frozenset((s.value if s else None, a) for s, a in QUALIFICATION_TRANSITIONS)
"""(status or None, action) pairs where the action applies."""


def allowed_actions(login: Any, status: str | None) -> list[str]:
    """The actions this manager may take on a qualification in ``status`` (None: none yet)."""
    return [
        action.value
        for action in QualificationAction
        if (status, action) in APPLIES
        and is_allowed(login.actor, QualificationPolicy.change(action))
    ]


def expert_page(
    request: Request,
    session: Any,
    login: Any,
    expert_id: int,
    *,
    failed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    view = experts.get_expert(session=session, actor=login.actor, expert_id=expert_id)
    return render(
        request,
        "expert.html",
        status_code=status_code,
        login=login,
        expert=view,
        can_verify=is_allowed(login.actor, ExpertPolicy.verify_credential()),
        actions={q.id: allowed_actions(login, q.status) for q in view.qualifications},
        can_grant=bool(allowed_actions(login, None)),
        tracks=tracks.list_tracks(session=session),
        domains=tracks.list_domains(session=session),
        failed=failed or {"form": "", "errors": {}, "values": {}},
        saved=request.query_params.get("saved"),
    )


@router.get("/experts/{expert_id}")
def one_expert(
    expert_id: int, request: Request, session: ReadSessionDep, login: PageLogin
) -> Response:
    return expert_page(request, session, login, expert_id)


@router.post("/experts/{expert_id}/credentials/{credential_id}/verification")
def verify_credential(
    expert_id: int,
    credential_id: int,
    request: Request,
    session: WriteSessionDep,
    login: PageLogin,
    now: NowDep,
    status: FormText = "",
    note: FormText = "",
    csrf: FormText = "",
) -> Response:
    check_csrf(login, csrf)
    try:
        experts.verify_credential(
            session=session,
            actor=login.actor,
            expert_id=expert_id,
            credential_id=credential_id,
            status=status,
            note=note,
            now=now,
        )
    except Invalid as error:
        session.rollback()
        failed = {
            "form": f"credential-{credential_id}",
            "errors": form_errors(error),
            "values": {"note": note, "status": status},
        }
        return expert_page(request, session, login, expert_id, failed=failed, status_code=422)
    return RedirectResponse(f"/experts/{expert_id}?saved=credential#credentials", 303)


@router.post("/experts/{expert_id}/qualifications")
def change_qualification(
    expert_id: int,
    request: Request,
    session: WriteSessionDep,
    login: PageLogin,
    now: NowDep,
    track: FormText = "",
    domain: FormText = "",
    action: FormText = "",
    reason: FormText = "",
    form: FormText = "grant",
    csrf: FormText = "",
) -> Response:
    check_csrf(login, csrf)
    try:
        qualifications.change_qualification(
            session=session,
            actor=login.actor,
            expert_id=expert_id,
            track=track,
            domain=domain or None,
            action=action,
            reason=reason,
            now=now,
        )
    except (Invalid, Conflict) as error:
        session.rollback()
        errors = form_errors(error) if isinstance(error, Invalid) else {"action": error.message}
        values = {"track": track, "domain": domain, "action": action, "reason": reason}
        failed = {"form": form, "errors": errors, "values": values}
        status_code = 422 if isinstance(error, Invalid) else 409
        return expert_page(
            request, session, login, expert_id, failed=failed, status_code=status_code
        )
    return RedirectResponse(f"/experts/{expert_id}?saved=qualification#qualifications", 303)
