"""Gold items: mark (or import) known answers, list them, unmark one."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from expertloop.api.deps import CurrentActor, NowDep, ReadSessionDep, SessionDep
from expertloop.api.schemas.quality import GoldBatch, GoldMarked, GoldPublic, GoldsPublic
from expertloop.services import gold

router = APIRouter(tags=["quality"])


@router.put("/projects/{project_id}/gold", response_model=GoldMarked)
def mark_gold(
    project_id: int, body: GoldBatch, session: SessionDep, actor: CurrentActor, now: NowDep
) -> GoldMarked:
    """Give items known answers; marking an item again replaces its answer."""
    drafts = [gold.GoldDraft(**row.model_dump()) for row in body.items]
    marked = gold.mark_gold(
        session=session, actor=actor, project_id=project_id, drafts=drafts, now=now
    )
    return GoldMarked(marked=marked)


@router.get("/projects/{project_id}/gold", response_model=GoldsPublic)
def list_gold(project_id: int, session: ReadSessionDep, actor: CurrentActor) -> GoldsPublic:
    found = gold.list_gold(session=session, actor=actor, project_id=project_id)
    data = [
        GoldPublic(
            item_id=item.id,
            external_id=item.external_id,
            answer=answer.answer,
            explanation=answer.explanation,
            created_at=answer.created_at,
        )
        for item, answer in found
    ]
    return GoldsPublic(data=data, count=len(data))


@router.delete("/projects/{project_id}/gold/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def unmark_gold(
    project_id: int, item_id: int, session: SessionDep, actor: CurrentActor, now: NowDep
) -> Response:
    gold.unmark_gold(session=session, actor=actor, project_id=project_id, item_id=item_id, now=now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
