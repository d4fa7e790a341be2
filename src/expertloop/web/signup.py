"""Signing up with an invitation link (public), and the managers' invitations page.

``/signup/{token}`` asks the invited person for a name, a password (twice), domains and
languages; on success they are logged in and sent home. A used, expired or unknown link shows
what to do instead. ``/invitations`` lets leads and admins invite by email and revoke links.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from expertloop.core.errors import Conflict, DomainError, Invalid, NotFound
from expertloop.core.lifecycles import Role
from expertloop.core.profiles import split_language_tags
from expertloop.services import invitations
from expertloop.services.invitations import SignUp
from expertloop.web.auth import logged_in_redirect
from expertloop.web.deps import (
    NowDep,
    OptionalLogin,
    PageLogin,
    ReadSessionDep,
    WriteSessionDep,
    check_csrf,
)
from expertloop.web.errors import field_errors
from expertloop.web.render import render

router = APIRouter(include_in_schema=False)
CLOSED_TITLES = {
    "invitation.used": "This invitation was already used",
    "invitation.expired": "This invitation has expired",
    "invitation.not_found": "This invitation link is not valid",
}


def closed_page(request: Request, error: DomainError, login: Any = None) -> Response:
    """What a used, expired or unknown link shows (to whoever is logged in, if anyone)."""
    status = 404 if isinstance(error, NotFound) else 409
    title = CLOSED_TITLES.get(error.code, "This invitation cannot be used")
    return render(
        request,
        "signup.html",
        status_code=status,
        login=login,
        closed=True,
        title=title,
        error=error,
    )


def signup_form(
    request: Request,
    session: Any,
    invitation: Any,
    *,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "signup.html",
        status_code=status_code,
        closed=False,
        title="Sign up",
        invitation=invitation,
        domains=invitations.list_domains(session=session),
        values=values,
        errors=errors or {},
        profile=invitation.role in (Role.EXPERT, Role.REVIEWER),
    )


@router.get("/signup/{token}")
def signup_page(
    token: str, request: Request, session: ReadSessionDep, now: NowDep, login: OptionalLogin
) -> Response:
    try:
        invitation = invitations.get_open_invitation(session=session, token=token, now=now)
    except (NotFound, Conflict) as error:
        return closed_page(request, error, login)
    values = {"name": "", "domains": [], "languages": ""}
    return signup_form(request, session, invitation, values=values)


@router.post("/signup/{token}")
def sign_up(
    token: str,
    request: Request,
    session: WriteSessionDep,
    now: NowDep,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_again: Annotated[str, Form()] = "",
    domains: Annotated[list[str] | None, Form()] = None,
    languages: Annotated[str, Form()] = "",
) -> Response:
    typed = SignUp(
        name=name,
        password=password,
        password_again=password_again,
        domains=domains or [],
        languages=split_language_tags(languages),
    )
    days = request.app.state.settings.session_days
    try:
        accepted = invitations.accept_invitation(
            session=session, token=token, sign_up=typed, now=now, browser_days=days
        )
    except (NotFound, Conflict) as error:
        return closed_page(request, error)
    except Invalid as error:
        values = {"name": name, "domains": typed.domains, "languages": languages}
        return signup_again(request, session, token, now, values=values, error=error)
    assert accepted.browser is not None
    return logged_in_redirect(request, accepted.browser, "/")


def signup_again(
    request: Request, session: Any, token: str, now: Any, *, values: dict[str, Any], error: Invalid
) -> Response:
    """The form again with what was typed (never the passwords) and each field's problem."""
    invitation = invitations.get_open_invitation(session=session, token=token, now=now)
    errors = field_errors(error)
    return signup_form(request, session, invitation, values=values, errors=errors, status_code=422)


def roles_for(login: Any) -> list[str]:
    """The roles this manager may invite, experts first."""
    if login.actor.role is Role.ADMIN:
        return [Role.EXPERT, Role.REVIEWER, Role.LEAD, Role.ADMIN]
    return [Role.EXPERT, Role.REVIEWER]


def invitations_page(
    request: Request,
    session: Any,
    login: Any,
    now: Any,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    created: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    rows = invitations.list_invitations(session=session, actor=login.actor, now=now)
    return render(
        request,
        "invitations.html",
        status_code=status_code,
        login=login,
        rows=rows,
        roles=roles_for(login),
        values=values or {"email": "", "role": "expert", "note": ""},
        errors=errors or {},
        created=created,
        days=request.app.state.settings.invitation_days,
    )


@router.get("/invitations")
def invitations_list(
    request: Request, session: ReadSessionDep, login: PageLogin, now: NowDep
) -> Response:
    return invitations_page(request, session, login, now)


@router.post("/invitations")
def invite(
    request: Request,
    session: WriteSessionDep,
    login: PageLogin,
    now: NowDep,
    email: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "expert",
    note: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(login, csrf)
    days = request.app.state.settings.invitation_days
    try:
        made = invitations.create_invitation(
            session=session,
            actor=login.actor,
            email=email,
            role=role,
            note=note,
            now=now,
            days=days,
        )
    except Invalid as error:
        values = {"email": email, "role": role, "note": note}
        return invitations_page(
            request, session, login, now, values=values, errors=field_errors(error), status_code=422
        )
    url = invitations.signup_url(str(request.base_url), made.token)
    created = {"invitation": made.invitation, "url": url}
    return invitations_page(request, session, login, now, created=created)


@router.post("/invitations/{invitation_id}/revoke")
def revoke(
    invitation_id: int,
    session: WriteSessionDep,
    login: PageLogin,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(login, csrf)
    invitations.revoke_invitation(
        session=session, actor=login.actor, invitation_id=invitation_id, now=now
    )
    return RedirectResponse("/invitations", 303)
