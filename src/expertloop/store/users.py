"""Users, API tokens and expert profiles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from expertloop.store.tables import ApiToken, ExpertProfile, User


def add_user(
    session: Session, *, email: str, name: str, role: str, password_hash: str | None, now: datetime
) -> User:
    user = User(
        email=email, name=name, role=role, password_hash=password_hash, active=True, created_at=now
    )
    session.add(user)
    session.flush()
    return user


def add_profile(
    session: Session,
    *,
    user_id: int,
    domains: list[str],
    languages: list[str],
    attributes: dict[str, Any],
) -> ExpertProfile:
    profile = ExpertProfile(
        user_id=user_id, domains=domains, languages=languages, attributes=attributes
    )
    session.add(profile)
    session.flush()
    return profile


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email)).first()


def get_profile(session: Session, user_id: int) -> ExpertProfile | None:
    return session.get(ExpertProfile, user_id)


def add_token(
    session: Session,
    *,
    user_id: int,
    token_hash: str,
    kind: str,
    now: datetime,
    expires_at: datetime | None,
    csrf: str | None = None,
) -> ApiToken:
    token = ApiToken(
        user_id=user_id,
        token_hash=token_hash,
        kind=kind,
        created_at=now,
        expires_at=expires_at,
        csrf=csrf,
    )
    session.add(token)
    session.flush()
    return token


_TOKEN_WITH_USER = (
    select(ApiToken, User)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def get_token_with_user(session: Session, token_hash: str) -> tuple[ApiToken, User] | None:
    row = session.execute(_TOKEN_WITH_USER, {"token_hash": token_hash}).first()
    return None if row is None else (row[0], row[1])


def delete_token(session: Session, token_hash: str) -> None:
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()
    if token is not None:
        session.delete(token)
        session.flush()
