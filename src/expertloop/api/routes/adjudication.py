"""Adjudication: the queue of disputed items, one dispute side by side, the decision."""

from __future__ import annotations

from fastapi import APIRouter, Query

from expertloop.api.deps import CurrentActor, NowDep, ReadSessionDep, SessionDep
from expertloop.api.routes.assignments import item_public
from expertloop.api.schemas.adjudication import (
    AdjudicationCreate,
    ConsensusPublic,
    DisputedPublic,
    DisputeJudgmentPublic,
    DisputeProjectPublic,
    DisputePublic,
    DisputesPublic,
)
from expertloop.services import adjudication

router = APIRouter(tags=["adjudication"])


@router.get("/adjudications", response_model=DisputesPublic)
def list_adjudications(
    session: ReadSessionDep,
    actor: CurrentActor,
    project_id: int | None = None,
    limit: int = Query(default=adjudication.DEFAULT_LIMIT, ge=1, le=1000),
) -> DisputesPublic:
    """Disputed items the caller may adjudicate, oldest item first."""
    found = adjudication.adjudication_queue(
        session=session, actor=actor, project_id=project_id, limit=limit
    )
    data = [DisputedPublic.model_validate(entry) for entry in found]
    return DisputesPublic(data=data, count=len(data))


@router.get("/items/{item_id}/dispute", response_model=DisputePublic)
def get_dispute(item_id: int, session: ReadSessionDep, actor: CurrentActor) -> DisputePublic:
    """The item, its consensus and every judgment with its rationale, pseudonymously."""
    dispute = adjudication.get_dispute(session=session, actor=actor, item_id=item_id)
    return DisputePublic(
        item=item_public(dispute.item),
        project=DisputeProjectPublic.model_validate(dispute.project),
        consensus=ConsensusPublic.model_validate(dispute.consensus),
        judgments=[DisputeJudgmentPublic.model_validate(j) for j in dispute.judgments],
        may_adjudicate=dispute.may_adjudicate,
    )


@router.post("/items/{item_id}/adjudication", response_model=ConsensusPublic)
def adjudicate(
    item_id: int, body: AdjudicationCreate, session: SessionDep, actor: CurrentActor, now: NowDep
) -> ConsensusPublic:
    """Decide a disputed item: the answer and its reason become the consensus."""
    consensus = adjudication.adjudicate(
        session=session,
        actor=actor,
        item_id=item_id,
        value=body.value,
        reason=body.reason,
        now=now,
    )
    return ConsensusPublic.model_validate(consensus)
