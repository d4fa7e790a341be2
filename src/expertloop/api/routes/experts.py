"""Expert profiles and credentials, the roster, qualifications, tracks and domains."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from expertloop.api.deps import CurrentActor, NowDep, ReadSessionDep, SessionDep
from expertloop.api.schemas.experts import (
    CredentialCreate,
    CredentialPublic,
    DomainCreate,
    DomainPublic,
    DomainsPublic,
    ExpertDetailPublic,
    ExpertPublic,
    ExpertsPublic,
    ProfileUpdate,
    QualificationChange,
    QualificationDetailPublic,
    TrackPublic,
    TracksPublic,
    TrackUpdate,
    VerificationCreate,
)
from expertloop.services import experts, qualifications, tracks
from expertloop.services.experts import ExpertView, QualificationView

router = APIRouter(tags=["experts"])
Filter = Annotated[str | None, Query()]


def qualification_public(view: QualificationView) -> dict[str, Any]:
    history = [
        {
            "action": e.action,
            "from": e.from_status,
            "to": e.to_status,
            "who": {"id": e.actor_id, "name": e.actor_name} if e.actor_id else None,
            "when": e.created_at,
            "why": e.reason,
        }
        for e in view.history
    ]
    return {**view.__dict__, "history": history}


def expert_public(view: ExpertView) -> dict[str, Any]:
    return {
        **view.__dict__,
        "credentials": [CredentialPublic.model_validate(c) for c in view.credentials],
        "qualifications": [qualification_public(q) for q in view.qualifications],
    }


@router.get("/me/profile", response_model=ExpertDetailPublic)
def get_own_profile(session: ReadSessionDep, actor: CurrentActor) -> ExpertDetailPublic:
    view = experts.get_own_profile(session=session, actor=actor)
    return ExpertDetailPublic.model_validate(expert_public(view))


@router.put("/me/profile", response_model=ExpertDetailPublic)
def update_own_profile(
    body: ProfileUpdate, session: SessionDep, actor: CurrentActor, now: NowDep
) -> ExpertDetailPublic:
    view = experts.update_own_profile(session=session, actor=actor, now=now, **body.model_dump())
    return ExpertDetailPublic.model_validate(expert_public(view))


@router.post(
    "/me/credentials", status_code=status.HTTP_201_CREATED, response_model=CredentialPublic
)
def add_own_credential(
    body: CredentialCreate, session: SessionDep, actor: CurrentActor, now: NowDep
) -> CredentialPublic:
    claim = body.model_dump()
    credential = experts.add_own_credential(session=session, actor=actor, claim=claim, now=now)
    return CredentialPublic.model_validate(credential)


@router.delete("/me/credentials/{credential_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_own_credential(
    credential_id: int, session: SessionDep, actor: CurrentActor, now: NowDep
) -> Response:
    experts.delete_own_credential(
        session=session, actor=actor, credential_id=credential_id, now=now
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/experts", response_model=ExpertsPublic)
def list_roster(
    session: ReadSessionDep,
    actor: CurrentActor,
    domain: Filter = None,
    track: Filter = None,
    status: Filter = None,
) -> ExpertsPublic:
    where = experts.roster_filter(session=session, domain=domain, track=track, status=status)
    found = experts.list_roster(session=session, actor=actor, where=where)
    data = [ExpertPublic.model_validate(expert_public(v)) for v in found]
    return ExpertsPublic(data=data, count=len(data))


@router.get("/experts/{expert_id}", response_model=ExpertDetailPublic)
def get_expert(expert_id: int, session: ReadSessionDep, actor: CurrentActor) -> ExpertDetailPublic:
    view = experts.get_expert(session=session, actor=actor, expert_id=expert_id)
    return ExpertDetailPublic.model_validate(expert_public(view))


@router.post(
    "/experts/{expert_id}/credentials/{credential_id}/verification",
    response_model=CredentialPublic,
)
def verify_credential(
    expert_id: int,
    credential_id: int,
    body: VerificationCreate,
    session: SessionDep,
    actor: CurrentActor,
    now: NowDep,
) -> CredentialPublic:
    credential = experts.verify_credential(
        session=session,
        actor=actor,
        expert_id=expert_id,
        credential_id=credential_id,
        now=now,
        **body.model_dump(),
    )
    return CredentialPublic.model_validate(credential)


@router.post(
    "/experts/{expert_id}/qualifications",
    response_model=QualificationDetailPublic,
    responses={201: {"model": QualificationDetailPublic, "description": "Granted anew"}},
)
def change_qualification(
    expert_id: int,
    body: QualificationChange,
    response: Response,
    session: SessionDep,
    actor: CurrentActor,
    now: NowDep,
) -> QualificationDetailPublic:
    change = qualifications.change_qualification(
        session=session, actor=actor, expert_id=expert_id, now=now, **body.model_dump()
    )
    response.status_code = status.HTTP_201_CREATED if change.created else status.HTTP_200_OK
    return QualificationDetailPublic.model_validate(qualification_public(change.qualification))


@router.get("/tracks", response_model=TracksPublic)
def list_tracks(session: ReadSessionDep, actor: CurrentActor) -> TracksPublic:
    data = [TrackPublic.of(t) for t in tracks.list_tracks(session=session)]
    return TracksPublic(data=data, count=len(data))


@router.patch("/tracks/{track_name}", response_model=TrackPublic)
def update_track(
    track_name: str, body: TrackUpdate, session: SessionDep, actor: CurrentActor, now: NowDep
) -> TrackPublic:
    track = tracks.update_track(
        session=session, actor=actor, name=track_name, now=now, **body.model_dump()
    )
    return TrackPublic.of(track)


@router.get("/domains", response_model=DomainsPublic)
def list_domains(session: ReadSessionDep, actor: CurrentActor) -> DomainsPublic:
    data = [DomainPublic.model_validate(d) for d in tracks.list_domains(session=session)]
    return DomainsPublic(data=data, count=len(data))


@router.post("/domains", status_code=status.HTTP_201_CREATED, response_model=DomainPublic)
def add_domain(
    body: DomainCreate, session: SessionDep, actor: CurrentActor, now: NowDep
) -> DomainPublic:
    domain = tracks.add_domain(session=session, actor=actor, now=now, **body.model_dump())
    return DomainPublic.model_validate(domain)
