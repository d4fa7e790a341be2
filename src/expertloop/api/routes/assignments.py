"""The lease queue over HTTP: claim, heartbeat, release, submit, and a red-team model reply.

These are the hot routes, so each is ``async`` and makes exactly one hop to the thread pool
for its (blocking) service call; FastAPI would otherwise hop for the handler and again to
validate the response.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from starlette.concurrency import run_in_threadpool

from expertloop.api.deps import ConnectorDep, CurrentActor, NowDep, ReadSessionDep, SessionDep
from expertloop.api.schemas import (
    ClaimPublic,
    ErrorPublic,
    HeartbeatCreate,
    ItemPublic,
    JudgmentCreate,
    JudgmentPublic,
    LeasePublic,
    ModelReplyCreate,
    ModelReplyPublic,
)
from expertloop.services import judgments, queue, red_team
from expertloop.store.tables import Assignment, Item

router = APIRouter(tags=["queue"])


@router.post(
    "/projects/{project_id}/claims",
    response_model=ClaimPublic,
    responses={204: {"description": "Nothing is left for this expert"}},
)
async def claim_next(
    project_id: int, session: SessionDep, actor: CurrentActor, now: NowDep
) -> ClaimPublic | Response:
    claim = await run_in_threadpool(
        queue.claim_next, session=session, actor=actor, project_id=project_id, now=now
    )
    if claim is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return ClaimPublic(
        assignment_id=claim.assignment.id,
        item=item_public(claim.item),
        lease_expires_at=claim.assignment.expires_at,
    )


@router.post("/assignments/{assignment_id}/heartbeat", response_model=LeasePublic)
async def heartbeat(
    assignment_id: int,
    session: SessionDep,
    actor: CurrentActor,
    now: NowDep,
    body: HeartbeatCreate | None = None,
) -> LeasePublic:
    active = body.active if body else True
    lease = await run_in_threadpool(
        queue.heartbeat,
        session=session,
        actor=actor,
        assignment_id=assignment_id,
        now=now,
        active=active,
    )
    return lease_public(lease)


@router.post("/assignments/{assignment_id}/release", response_model=LeasePublic)
async def release(
    assignment_id: int, session: SessionDep, actor: CurrentActor, now: NowDep
) -> LeasePublic:
    lease = await run_in_threadpool(
        queue.release, session=session, actor=actor, assignment_id=assignment_id, now=now
    )
    return lease_public(lease)


@router.post(
    "/assignments/{assignment_id}/judgment",
    status_code=status.HTTP_201_CREATED,
    response_model=JudgmentPublic,
    responses={200: {"model": JudgmentPublic, "description": "Replay of the same key"}},
)
async def submit_judgment(
    assignment_id: int,
    body: JudgmentCreate,
    response: Response,
    session: SessionDep,
    actor: CurrentActor,
    now: NowDep,
) -> JudgmentPublic:
    result = await run_in_threadpool(
        judgments.submit_judgment,
        session=session,
        actor=actor,
        assignment_id=assignment_id,
        value=body.value,
        rationale=body.rationale,
        idempotency_key=body.idempotency_key,
        now=now,
    )
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return JudgmentPublic.model_validate(result.judgment)


@router.post(
    "/assignments/{assignment_id}/model-reply",
    response_model=ModelReplyPublic,
    responses={503: {"model": ErrorPublic, "description": "The model endpoint is down"}},
)
async def fetch_model_reply(
    assignment_id: int,
    body: ModelReplyCreate,
    session: ReadSessionDep,
    actor: CurrentActor,
    now: NowDep,
    connector: ConnectorDep,
) -> ModelReplyPublic:
    """The target model's live reply to the lease owner's attack prompt (red_team only)."""
    reply = await run_in_threadpool(
        red_team.fetch_model_reply,
        session=session,
        actor=actor,
        assignment_id=assignment_id,
        prompt=body.prompt,
        system=body.system,
        now=now,
        connector=connector,
    )
    return ModelReplyPublic(content=reply.content, model=reply.model, latency_ms=reply.latency_ms)


def item_public(item: Item) -> ItemPublic:
    return ItemPublic(
        id=item.id,
        project_id=item.project_id,
        external_id=item.external_id,
        prompt=item.prompt,
        context=item.context,
        responses=item.responses,
        data=item.data,
        metadata=item.metadata_,
    )


def lease_public(lease: Assignment) -> LeasePublic:
    return LeasePublic(
        assignment_id=lease.id,
        status=lease.status,
        lease_expires_at=lease.expires_at,
        active_seconds=lease.active_seconds,
    )
