"""Use cases on users: create, authenticate by token, log in and out with a password."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from expertloop.core.errors import FieldError, Unauthenticated, invalid
from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor, UserPolicy, authorize
from expertloop.services import security
from expertloop.store import IntegrityError, Session, audit
from expertloop.store import users as store
from expertloop.store.tables import User

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class CreatedUser:
    """A new user and the API token shown this once."""

    user: User
    token: str


def create_user(
    *,
    session: Session,
    actor: Actor | None,
    email: str,
    name: str,
    role: str,
    password: str | None,
    now: datetime,
    profile: dict[str, Any] | None = None,
) -> CreatedUser:
    """Create a user with an API token. ``actor=None`` is the local CLI (trusted operator)."""
    if actor is not None:
        authorize(actor, UserPolicy.create())
    created = add_user(
        session=session,
        actor_id=actor.id if actor else None,
        email=email,
        name=name,
        role=role,
        password=password,
        now=now,
        profile=profile,
    )
    session.commit()
    return created


def add_user(
    *,
    session: Session,
    actor_id: int | None,
    email: str,
    name: str,
    role: str,
    password: str | None,
    now: datetime,
    profile: dict[str, Any] | None = None,
) -> CreatedUser:
    """Add a user, their profile (experts, reviewers) and API token without committing, for
    use cases that create a user inside a larger transaction (signing up by invitation).

    Raises:
        Invalid: ``user.invalid`` naming each bad field; ``user.email_taken`` (the session is
            rolled back, as the failed insert leaves it unusable).
    """
    role_value = _check_user_fields(email=email, role=role, password=password)
    password_hash = security.hash_password(password) if password else None
    try:
        user = store.add_user(
            session,
            email=email.strip().lower(),
            name=name.strip() or email,
            role=role_value,
            password_hash=password_hash,
            now=now,
        )
    except IntegrityError:
        session.rollback()
        raise invalid(
            "user.email_taken", [FieldError("email", "a user with this email exists")]
        ) from None
    if role_value in (Role.EXPERT, Role.REVIEWER):
        _add_profile(session, user.id, profile or {})
    token = security.new_token()
    store.add_token(
        session,
        user_id=user.id,
        token_hash=security.hash_token(token),
        kind="api",
        now=now,
        expires_at=None,
    )
    audit.record(
        session,
        actor_id=actor_id,
        action="user.create",
        entity="user",
        entity_id=user.id,
        now=now,
        detail={"role": role_value},
    )
    return CreatedUser(user=user, token=token)


def _add_profile(session: Session, user_id: int, profile: dict[str, Any]) -> None:
    store.add_profile(
        session,
        user_id=user_id,
        domains=list(profile.get("domains", [])),
        languages=list(profile.get("languages", [])),
        attributes=dict(profile.get("attributes", {})),
    )


def _check_user_fields(*, email: str, role: str, password: str | None) -> Role:
    errors = []
    if not EMAIL.match(email.strip()):
        errors.append(FieldError("email", "is not an email address"))
    if role not in {r.value for r in Role}:
        errors.append(FieldError("role", f"must be one of {', '.join(r.value for r in Role)}"))
    if password is not None and len(password) < MIN_PASSWORD:
        errors.append(FieldError("password", f"must be at least {MIN_PASSWORD} characters"))
    if errors:
        raise invalid("user.invalid", errors)
    return Role(role)


@dataclass(frozen=True)
class Authenticated:
    """Who a token belongs to, and the CSRF secret of a browser session."""

    user: User
    actor: Actor
    csrf: str | None
    kind: str


def authenticate(*, session: Session, token: str, now: datetime) -> Authenticated:
    """The user behind a bearer or session token.

    Raises:
        Unauthenticated: ``auth.invalid_token`` for an unknown, expired or disabled token.
    """
    found = store.get_token_with_user(session, security.hash_token(token))
    if found is None:
        raise Unauthenticated("auth.invalid_token", "the token is not valid")
    stored, user = found
    if not user.active or (stored.expires_at is not None and stored.expires_at <= now):
        raise Unauthenticated("auth.invalid_token", "the token expired or the user is disabled")
    return Authenticated(
        user=user, actor=Actor(user.id, Role(user.role)), csrf=stored.csrf, kind=stored.kind
    )


@dataclass(frozen=True)
class BrowserSession:
    token: str
    csrf: str
    expires_at: datetime


def log_in(
    *, session: Session, email: str, password: str, now: datetime, days: int
) -> BrowserSession:
    """Check a password and open a browser session.

    Raises:
        Unauthenticated: ``auth.bad_credentials`` (the same for unknown email and bad password).
    """
    user = store.get_user_by_email(session, email.strip().lower())
    if (
        user is None
        or not user.active
        or not security.verify_password(user.password_hash, password)
    ):
        raise Unauthenticated("auth.bad_credentials", "the email or the password is wrong")
    opened = add_browser_session(session=session, user_id=user.id, now=now, days=days)
    session.commit()
    return opened


def add_browser_session(
    *, session: Session, user_id: int, now: datetime, days: int
) -> BrowserSession:
    """Open a browser session for a user whose identity is established, without committing."""
    token, csrf = security.new_token(), secrets.token_urlsafe(24)
    expires_at = now + timedelta(days=days)
    store.add_token(
        session,
        user_id=user_id,
        token_hash=security.hash_token(token),
        kind="session",
        now=now,
        expires_at=expires_at,
        csrf=csrf,
    )
    return BrowserSession(token=token, csrf=csrf, expires_at=expires_at)


def log_out(*, session: Session, token: str) -> None:
    store.delete_token(session, security.hash_token(token))
    session.commit()
