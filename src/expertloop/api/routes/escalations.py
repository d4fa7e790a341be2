"""The lead's escalation list: flagged rubric judgments and successful red-team attacks."""

from __future__ import annotations

from fastapi import APIRouter, Query

from expertloop.api.deps import CurrentActor, ReadSessionDep
from expertloop.api.schemas import EscalationPublic, EscalationsPublic
from expertloop.services import escalations

router = APIRouter(tags=["escalations"])


@router.get("/projects/{project_id}/escalations", response_model=EscalationsPublic)
def list_escalations(
    project_id: int,
    session: ReadSessionDep,
    actor: CurrentActor,
    limit: int = Query(default=escalations.DEFAULT_LIMIT, ge=1, le=1000),
) -> EscalationsPublic:
    found = escalations.list_escalations(
        session=session, actor=actor, project_id=project_id, limit=limit
    )
    data = [EscalationPublic.model_validate(e, from_attributes=True) for e in found]
    return EscalationsPublic(data=data, count=len(data))
