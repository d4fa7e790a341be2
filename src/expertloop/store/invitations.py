"""Invitations (single-use sign-up links, stored as hashes) and the domain slugs a new expert
may pick when signing up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, aliased

from expertloop.store.tables import Invitation, User


def add_invitation(
    session: Session,
    *,
    email: str,
    role: str,
    note: str,
    token_hash: str,
    invited_by: int | None,
    now: datetime,
    expires_at: datetime,
) -> Invitation:
    invitation = Invitation(
        email=email,
        role=role,
        note=note,
        token_hash=token_hash,
        invited_by=invited_by,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(invitation)
    session.flush()
    return invitation


def get_invitation(session: Session, invitation_id: int) -> Invitation | None:
    return session.get(Invitation, invitation_id)


def get_invitation_by_token_hash(session: Session, token_hash: str) -> Invitation | None:
    return session.scalars(select(Invitation).where(Invitation.token_hash == token_hash)).first()


def list_invitations(
    session: Session, *, invitation_id: int | None = None
) -> list[tuple[Invitation, str | None, str | None]]:
    """Every invitation (or the one with ``invitation_id``), newest first, with the inviter's
    and the new user's email."""
    inviter, joined = aliased(User), aliased(User)
    query = (
        select(Invitation, inviter.email, joined.email)
        .outerjoin(inviter, inviter.id == Invitation.invited_by)
        .outerjoin(joined, joined.id == Invitation.user_id)
        .order_by(Invitation.id.desc())
    )
    if invitation_id is not None:
        query = query.where(Invitation.id == invitation_id)
    return [(invitation, by, user) for invitation, by, user in session.execute(query)]


def expire_pending(session: Session, *, email: str, now: datetime) -> int:
    """Expire, as of ``now``, every unused and unexpired invitation of ``email``."""
    result = session.execute(
        update(Invitation)
        .where(
            Invitation.email == email,
            Invitation.used_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


def claim(session: Session, *, invitation_id: int, now: datetime) -> bool:
    """Mark an invitation used, only if it is still unused and unexpired: one conditional
    update, so of two concurrent claims exactly one wins (the other waits on the row lock
    and then matches nothing)."""
    result = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.used_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def set_user(session: Session, *, invitation_id: int, user_id: int) -> None:
    session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id)
        .values(user_id=user_id)
        .execution_options(synchronize_session=False)
    )


def _rowcount(result: object) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)
