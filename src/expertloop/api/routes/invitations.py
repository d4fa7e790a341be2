"""Invitations: leads and admins invite by email; the invited person signs up with the link.

The two routes under ``/invitations/{token}`` are public: the link is the credential.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from expertloop.api.deps import CurrentActor, NowDep, ReadSessionDep, SessionDep
from expertloop.api.schemas.invitations import (
    InvitationAccept,
    InvitationCreate,
    InvitationCreatedPublic,
    InvitationOpenPublic,
    InvitationPublic,
    InvitationsPublic,
    SignedUpPublic,
)
from expertloop.services import invitations
from expertloop.services.invitations import InvitationRow, SignUp

router = APIRouter(tags=["invitations"])


def public(row: InvitationRow) -> InvitationPublic:
    invitation = row.invitation
    return InvitationPublic(
        id=invitation.id,
        email=invitation.email,
        role=invitation.role,
        note=invitation.note,
        status=row.status.value,
        invited_by=invitation.invited_by,
        invited_by_email=row.invited_by_email,
        user_id=invitation.user_id,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        used_at=invitation.used_at,
    )


@router.post(
    "/invitations", status_code=status.HTTP_201_CREATED, response_model=InvitationCreatedPublic
)
def create_invitation(
    body: InvitationCreate, request: Request, session: SessionDep, actor: CurrentActor, now: NowDep
) -> InvitationCreatedPublic:
    days = request.app.state.settings.invitation_days
    created = invitations.create_invitation(
        session=session, actor=actor, now=now, days=days, **body.model_dump()
    )
    invitation = created.invitation
    return InvitationCreatedPublic(
        id=invitation.id,
        email=invitation.email,
        role=invitation.role,
        note=invitation.note,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        url=invitations.signup_url(str(request.base_url), created.token),
        token=created.token,
    )


@router.get("/invitations", response_model=InvitationsPublic)
def list_invitations(
    session: ReadSessionDep, actor: CurrentActor, now: NowDep
) -> InvitationsPublic:
    rows = invitations.list_invitations(session=session, actor=actor, now=now)
    return InvitationsPublic(data=[public(row) for row in rows], count=len(rows))


@router.post("/invitations/{invitation_id}/revoke", response_model=InvitationPublic)
def revoke_invitation(
    invitation_id: int, session: SessionDep, actor: CurrentActor, now: NowDep
) -> InvitationPublic:
    row = invitations.revoke_invitation(
        session=session, actor=actor, invitation_id=invitation_id, now=now
    )
    return public(row)


@router.get("/invitations/{token}", response_model=InvitationOpenPublic)
def open_invitation(token: str, session: ReadSessionDep, now: NowDep) -> InvitationOpenPublic:
    invitation = invitations.get_open_invitation(session=session, token=token, now=now)
    return InvitationOpenPublic(
        email=invitation.email, role=invitation.role, expires_at=invitation.expires_at
    )


@router.post(
    "/invitations/{token}/accept",
    status_code=status.HTTP_201_CREATED,
    response_model=SignedUpPublic,
)
def accept_invitation(
    token: str, body: InvitationAccept, session: SessionDep, now: NowDep
) -> SignedUpPublic:
    accepted = invitations.accept_invitation(
        session=session, token=token, sign_up=SignUp(**body.model_dump()), now=now
    )
    user = accepted.user
    return SignedUpPublic(
        id=user.id, email=user.email, name=user.name, role=user.role, token=accepted.token
    )
