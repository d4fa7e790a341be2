"""A project's quality: the report, the consensus rows, and asking for a refresh."""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from fastapi import APIRouter, Query, status

from expertloop.api.deps import CurrentActor, NowDep, ReadSessionDep, SessionDep
from expertloop.api.schemas.adjudication import ConsensusPublic
from expertloop.api.schemas.quality import (
    ConsensusListPublic,
    ExpertQualitySummaryPublic,
    QualityPublic,
    RefreshRequested,
)
from expertloop.services import aggregation, quality

router = APIRouter(tags=["quality"])
StateQuery = Literal["open", "agreed", "disputed", "adjudicated"]


@router.get("/projects/{project_id}/quality", response_model=QualityPublic)
def get_quality(project_id: int, session: ReadSessionDep, actor: CurrentActor) -> QualityPublic:
    report = quality.get_quality_report(session=session, actor=actor, project_id=project_id)
    return QualityPublic.model_validate(asdict(report))


@router.post(
    "/projects/{project_id}/quality/refresh",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RefreshRequested,
)
def request_refresh(
    project_id: int, session: SessionDep, actor: CurrentActor, now: NowDep
) -> RefreshRequested:
    """Ask the background workers to recompute consensus and quality soon."""
    asked = aggregation.request_refresh(
        session=session, actor=actor, project_id=project_id, now=now
    )
    return RefreshRequested(requested_at=asked)


@router.get("/projects/{project_id}/consensus", response_model=ConsensusListPublic)
def list_consensus(
    project_id: int,
    session: ReadSessionDep,
    actor: CurrentActor,
    state: StateQuery | None = None,
    limit: int = Query(default=100, ge=1, le=10_000),
) -> ConsensusListPublic:
    rows = quality.list_consensus(
        session=session, actor=actor, project_id=project_id, state=state, limit=limit
    )
    data = [ConsensusPublic.model_validate(row) for row in rows]
    return ConsensusListPublic(data=data, count=len(data))


@router.get("/experts/{expert_id}/quality", response_model=ExpertQualitySummaryPublic)
def get_expert_quality(
    expert_id: int, session: ReadSessionDep, actor: CurrentActor
) -> ExpertQualitySummaryPublic:
    """An expert's measured quality per project and per track (managers, the expert)."""
    found = quality.get_expert_quality(session=session, actor=actor, expert_id=expert_id)
    return ExpertQualitySummaryPublic.model_validate(asdict(found))
