"""Users and the caller's own identity."""

from __future__ import annotations

from fastapi import APIRouter, status

from expertloop.api.deps import CurrentActor, CurrentLogin, NowDep, SessionDep
from expertloop.api.schemas import UserCreate, UserCreatedPublic, UserPublic
from expertloop.services import users

router = APIRouter(tags=["users"])


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserCreatedPublic)
def create_user(
    body: UserCreate, session: SessionDep, actor: CurrentActor, now: NowDep
) -> UserCreatedPublic:
    created = users.create_user(session=session, actor=actor, now=now, **body.model_dump())
    return UserCreatedPublic(
        id=created.user.id,
        email=created.user.email,
        name=created.user.name,
        role=created.user.role,
        token=created.token,
    )


@router.get("/me", response_model=UserPublic)
def me(login: CurrentLogin) -> UserPublic:
    return UserPublic.model_validate(login.user)
