"""Users and the caller's own identity."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from expertloop.api.deps import CurrentActor, CurrentLogin, NowDep, SessionDep
from expertloop.api.schemas import UserCreate, UserCreatedPublic, UserPublic
from expertloop.api.schemas.dashboard import (
    DashboardPublic,
    LockedProjectPublic,
    OpenProjectPublic,
    TermsPublic,
    UnlockingAssessmentPublic,
)
from expertloop.core.eligibility import AssessmentRef
from expertloop.services import dashboard, users

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


@router.get("/me/dashboard", response_model=DashboardPublic)
def my_dashboard(session: SessionDep, actor: CurrentActor, now: NowDep) -> DashboardPublic:
    """Projects the caller can work on now, and those they could unlock (experts, reviewers)."""
    found = dashboard.get_dashboard(session=session, actor=actor, now=now)
    return DashboardPublic(
        available=[
            OpenProjectPublic(
                **_project_fields(card.project, card.terms),
                waiting=card.waiting,
                waiting_more=card.waiting_more,
                in_progress=card.in_progress,
            )
            for card in found.available
        ],
        locked=[
            LockedProjectPublic(
                **_project_fields(card.project, card.terms),
                reasons=card.reasons,
                assessments=None
                if card.assessments is None
                else [_assessment(a) for a in card.assessments],
            )
            for card in found.locked
        ],
    )


def _project_fields(project: Any, terms: dashboard.Terms) -> dict[str, Any]:
    return {
        "project_id": project.id,
        "name": project.name,
        "kind": project.kind,
        "terms": TermsPublic(
            hourly_rate=terms.rate,
            minutes_per_item=terms.minutes_per_item,
            minutes_measured=terms.measured,
        ),
    }


def _assessment(found: AssessmentRef) -> UnlockingAssessmentPublic:
    return UnlockingAssessmentPublic(
        assessment_id=found.id,
        title=found.title,
        track=found.track,
        domain=found.domain,
        attempts_left=found.attempts_left,
    )
