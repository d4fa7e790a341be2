"""Use cases on invitations: a lead or an admin invites an email address with a role; the
invited person opens the single-use link, signs up and becomes a user.

No email is sent: the inviter gets the link (``{base}/signup/{token}``) to pass on. Only the
token's hash is stored, so the link is shown once. An invitation's status is derived from its
``used_at`` and ``expires_at``, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from expertloop.core.errors import Conflict, FieldError, Invalid, NotFound, invalid
from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor, InvitationPolicy, authorize
from expertloop.core.profiles import Profile, check_profile
from expertloop.services import security, users
from expertloop.store import Session, audit, taxonomy
from expertloop.store import invitations as store
from expertloop.store import users as user_store
from expertloop.store.tables import Domain, Invitation, User

SIGNUP_PATH = "/signup/"
MAX_NOTE_CHARS = 2_000
MAX_NAME_CHARS = 200
ASK_AGAIN = "ask the person who invited you for a new link"


class InvitationStatus(StrEnum):
    """Where an invitation stands; derived from its timestamps, never stored."""

    PENDING = "pending"
    """Unused and unexpired: the link signs someone up."""
    USED = "used"
    """Someone signed up with it; it never works again."""
    EXPIRED = "expired"
    """Past its expiry, revoked, or replaced by a newer link to the same email."""


def status_of(invitation: Invitation, now: datetime) -> InvitationStatus:
    if invitation.used_at is not None:
        return InvitationStatus.USED
    if invitation.expires_at <= now:
        return InvitationStatus.EXPIRED
    return InvitationStatus.PENDING


def signup_url(base_url: str, token: str) -> str:
    """The link the invited person opens: ``{base}/signup/{token}``."""
    return base_url.rstrip("/") + SIGNUP_PATH + token


@dataclass(frozen=True)
class CreatedInvitation:
    """A new invitation and its token, shown this once."""

    invitation: Invitation
    token: str


def create_invitation(
    *,
    session: Session,
    actor: Actor | None,
    email: str,
    role: str = Role.EXPERT.value,
    note: str = "",
    now: datetime,
    days: int,
) -> CreatedInvitation:
    """Invite ``email`` as ``role`` for ``days``; older pending links to it stop working.

    ``actor=None`` is the local CLI (trusted operator).

    Raises:
        Invalid: ``invitation.invalid`` naming ``email``, ``role`` or ``note``.
        Forbidden: a lead inviting a lead or an admin; anyone but leads and admins.
    """
    email = email.strip().lower()
    role_value = _check_invitation_fields(email=email, role=role, note=note)
    if actor is not None:
        authorize(actor, InvitationPolicy.create(role_value))
    if user_store.get_user_by_email(session, email) is not None:
        raise invalid("invitation.invalid", [FieldError("email", "a user with this email exists")])
    replaced = store.expire_pending(session, email=email, now=now)
    token = security.new_token()
    invitation = store.add_invitation(
        session,
        email=email,
        role=role_value.value,
        note=note.strip(),
        token_hash=security.hash_token(token),
        invited_by=actor.id if actor else None,
        now=now,
        expires_at=now + timedelta(days=days),
    )
    _record(session, actor, "invitation.create", invitation, now, role=role, replaced=replaced)
    session.commit()
    return CreatedInvitation(invitation=invitation, token=token)


def _check_invitation_fields(*, email: str, role: str, note: str) -> Role:
    errors = []
    if not users.EMAIL.match(email) or len(email) > 320:
        errors.append(FieldError("email", "is not an email address"))
    if role not in {r.value for r in Role}:
        errors.append(FieldError("role", f"must be one of {', '.join(r.value for r in Role)}"))
    if len(note) > MAX_NOTE_CHARS:
        errors.append(FieldError("note", f"must be at most {MAX_NOTE_CHARS} characters"))
    if errors:
        raise invalid("invitation.invalid", errors)
    return Role(role)


@dataclass(frozen=True)
class InvitationRow:
    """An invitation as managers see it: its derived status and who is behind it."""

    invitation: Invitation
    status: InvitationStatus
    invited_by_email: str | None
    user_email: str | None


def list_invitations(
    *, session: Session, actor: Actor | None, now: datetime
) -> list[InvitationRow]:
    """Every invitation, newest first (leads and admins)."""
    if actor is not None:
        authorize(actor, InvitationPolicy.list())
    return _rows(session, now)


def _rows(session: Session, now: datetime, invitation_id: int | None = None) -> list[InvitationRow]:
    found = store.list_invitations(session, invitation_id=invitation_id)
    return [
        InvitationRow(invitation, status_of(invitation, now), by, joined)
        for invitation, by, joined in found
    ]


def revoke_invitation(
    *, session: Session, actor: Actor, invitation_id: int, now: datetime
) -> InvitationRow:
    """Expire a pending invitation now (the inviter or an admin); an expired one stays so.

    Raises:
        NotFound: ``invitation.not_found``.
        Forbidden: a lead revoking another lead's invitation; experts and reviewers.
        Conflict: ``invitation.used`` when someone already signed up with it.
    """
    authorize(actor, InvitationPolicy.list())
    invitation = store.get_invitation(session, invitation_id)
    if invitation is None:
        raise NotFound("invitation.not_found", f"invitation {invitation_id} does not exist")
    authorize(actor, InvitationPolicy.revoke(invitation.invited_by))
    status = status_of(invitation, now)
    if status is InvitationStatus.USED:
        raise Conflict("invitation.used", "the invitation was already used to sign up")
    if status is InvitationStatus.PENDING:
        invitation.expires_at = now
        _record(session, actor, "invitation.revoke", invitation, now)
        session.commit()
    return _rows(session, now, invitation_id)[0]


def get_open_invitation(*, session: Session, token: str, now: datetime) -> Invitation:
    """The invitation behind a sign-up link, if it still signs someone up.

    Raises:
        NotFound: ``invitation.not_found`` for a link that never existed.
        Conflict: ``invitation.used`` or ``invitation.expired``.
    """
    invitation = store.get_invitation_by_token_hash(session, security.hash_token(token))
    if invitation is None:
        raise NotFound("invitation.not_found", f"this invitation link is not valid; {ASK_AGAIN}")
    _raise_unless_pending(invitation, now)
    return invitation


def _raise_unless_pending(invitation: Invitation, now: datetime) -> None:
    status = status_of(invitation, now)
    if status is InvitationStatus.USED:
        raise Conflict("invitation.used", f"this invitation link was already used; {ASK_AGAIN}")
    if status is InvitationStatus.EXPIRED:
        raise Conflict("invitation.expired", f"this invitation link has expired; {ASK_AGAIN}")


@dataclass(frozen=True)
class SignUp:
    """What the invited person gives. ``password_again`` is checked when given (the form)."""

    name: str
    password: str
    domains: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    password_again: str | None = None


@dataclass(frozen=True)
class Accepted:
    """The new user, their API token (shown once) and, when asked for, a browser session."""

    user: User
    token: str
    browser: users.BrowserSession | None


def accept_invitation(
    *,
    session: Session,
    token: str,
    sign_up: SignUp,
    now: datetime,
    browser_days: int | None = None,
) -> Accepted:
    """Sign up through an invitation link: create the user with the invitation's email and
    role, and mark the invitation used, in one transaction.

    The link is claimed with one conditional update before the user is added, so of two
    concurrent sign-ups with one link exactly one creates a user.

    Raises:
        NotFound: ``invitation.not_found``.
        Conflict: ``invitation.used`` or ``invitation.expired``.
        Invalid: ``invitation.invalid`` naming ``name``, ``password``, ``password_again``,
            ``domains[i]`` or ``languages[i]``; ``user.email_taken``.
    """
    invitation = get_open_invitation(session=session, token=token, now=now)
    domains, languages = _check_sign_up(session, sign_up)
    invitation_id, email, role = invitation.id, invitation.email, invitation.role
    if not store.claim(session, invitation_id=invitation_id, now=now):
        session.rollback()
        get_open_invitation(session=session, token=token, now=now)
        raise Conflict("invitation.used", f"this invitation link was already used; {ASK_AGAIN}")
    created = users.add_user(
        session=session,
        actor_id=None,
        email=email,
        name=sign_up.name,
        role=role,
        password=sign_up.password,
        now=now,
        profile={"domains": domains, "languages": languages},
    )
    store.set_user(session, invitation_id=invitation_id, user_id=created.user.id)
    audit.record(
        session,
        actor_id=created.user.id,
        action="invitation.accept",
        entity="invitation",
        entity_id=invitation_id,
        now=now,
        detail={"user_id": created.user.id},
    )
    browser = None
    if browser_days is not None:
        browser = users.add_browser_session(
            session=session, user_id=created.user.id, now=now, days=browser_days
        )
    session.commit()
    return Accepted(user=created.user, token=created.token, browser=browser)


def _check_sign_up(session: Session, sign_up: SignUp) -> tuple[list[str], list[str]]:
    """The sign-up's domains and languages, cleaned; every bad field named at once."""
    errors = []
    if not sign_up.name.strip() or len(sign_up.name.strip()) > MAX_NAME_CHARS:
        errors.append(FieldError("name", f"must be 1 to {MAX_NAME_CHARS} characters"))
    if len(sign_up.password) < users.MIN_PASSWORD:
        errors.append(FieldError("password", f"must be at least {users.MIN_PASSWORD} characters"))
    if sign_up.password_again is not None and sign_up.password_again != sign_up.password:
        errors.append(FieldError("password_again", "does not match the password"))
    try:
        profile = check_profile(
            domains=list(sign_up.domains), languages=list(sign_up.languages), attributes={}
        )
    except Invalid as error:  # the profile page's own rules, reported with ours
        errors.extend(error.errors)
        profile = Profile(domains=[], languages=[], attributes={})
    named = {error.field for error in errors}
    known = taxonomy.existing_slugs(session, [d for d in sign_up.domains if isinstance(d, str)])
    for index, slug in enumerate(sign_up.domains):
        if slug not in known and f"domains[{index}]" not in named:
            errors.append(FieldError(f"domains[{index}]", f"{slug!r} is not a known domain"))
    if errors:
        raise invalid("invitation.invalid", errors)
    return profile.domains, profile.languages


def list_domains(*, session: Session) -> list[Domain]:
    """The domains of the taxonomy a new expert may pick, by name."""
    return taxonomy.list_domains(session)


def _record(
    session: Session,
    actor: Actor | None,
    action: str,
    invitation: Invitation,
    now: datetime,
    **detail: object,
) -> None:
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action=action,
        entity="invitation",
        entity_id=invitation.id,
        now=now,
        detail={"email": invitation.email, **detail},
    )
