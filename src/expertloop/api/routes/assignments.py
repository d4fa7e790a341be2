"""The lease queue over HTTP: claim, heartbeat, release, submit, and a red-team model reply.

These are the hot routes, so each is ``async`` and makes exactly one hop off the event loop for
its (blocking) service call, in a session of its own (``run_write``: on SQLite the process's one
writer thread), with the fewest dependencies (the caller; the clock is read in the route), and
claim and submit return their JSON already serialised: the declared ``response_model`` still
documents them, but FastAPI skips validating and encoding the answer a second time.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from expertloop.api.deps import (
    ConnectorDep,
    CurrentActor,
    CurrentLogin,
    NowDep,
    ReadSessionDep,
    now_of,
    run_write,
)
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
from expertloop.core.policies import Actor
from expertloop.services import judgments, queue, red_team
from expertloop.store.tables import Assignment, Item

router = APIRouter(tags=["queue"])


@router.post(
    "/projects/{project_id}/claims",
    response_model=ClaimPublic,
    responses={204: {"description": "Nothing is left for this expert"}},
)
async def claim_next(project_id: int, request: Request, login: CurrentLogin) -> Response:
    return await claim_answer(request, login.actor, project_id)


async def claim_answer(request: Request, actor: Actor, project_id: int) -> Response:
    """The claim route's work, shared with ``api.fast_lane``."""
    claim = await run_write(
        request, queue.claim_next, actor=actor, project_id=project_id, now=now_of(request)
    )
    if claim is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    body = ClaimPublic(
        assignment_id=claim.assignment.id,
        item=item_public(claim.item, with_metadata=False),
        lease_expires_at=claim.assignment.expires_at,
    )
    return json_response(body, status.HTTP_200_OK)


@router.post("/assignments/{assignment_id}/heartbeat", response_model=LeasePublic)
async def heartbeat(
    assignment_id: int,
    request: Request,
    login: CurrentLogin,
    body: HeartbeatCreate | None = None,
) -> LeasePublic:
    lease = await run_write(
        request,
        queue.heartbeat,
        actor=login.actor,
        assignment_id=assignment_id,
        now=now_of(request),
        active=body.active if body else True,
    )
    return lease_public(lease)


@router.post("/assignments/{assignment_id}/release", response_model=LeasePublic)
async def release(assignment_id: int, request: Request, login: CurrentLogin) -> LeasePublic:
    lease = await run_write(
        request, queue.release, actor=login.actor, assignment_id=assignment_id, now=now_of(request)
    )
    return lease_public(lease)


@router.post(
    "/assignments/{assignment_id}/judgment",
    status_code=status.HTTP_201_CREATED,
    response_model=JudgmentPublic,
    responses={200: {"model": JudgmentPublic, "description": "Replay of the same key"}},
)
async def submit_judgment(
    assignment_id: int, body: JudgmentCreate, request: Request, login: CurrentLogin
) -> Response:
    return await submit_answer(request, login.actor, assignment_id, body)


async def submit_answer(
    request: Request, actor: Actor, assignment_id: int, body: JudgmentCreate
) -> Response:
    """The submit route's work, shared with ``api.fast_lane``."""
    result = await run_write(
        request,
        judgments.submit_judgment,
        actor=actor,
        assignment_id=assignment_id,
        value=body.value,
        rationale=body.rationale,
        idempotency_key=body.idempotency_key,
        now=now_of(request),
    )
    code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
    return json_response(JudgmentPublic.model_validate(result.judgment), code)


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


def json_response(body: BaseModel, status_code: int) -> Response:
    return Response(body.model_dump_json(), status_code, media_type="application/json")


def item_public(item: Item, *, with_metadata: bool = True) -> ItemPublic:
    """The item as the API shows it. Experts claiming it get no ``metadata``: it holds what
    leads keep about an item (sources, reference answers such as ``reference_choice``)."""
    return ItemPublic(
        id=item.id,
        project_id=item.project_id,
        external_id=item.external_id,
        prompt=item.prompt,
        context=item.context,
        responses=item.responses,
        data=item.data,
        metadata=item.metadata_ if with_metadata else {},
    )


def lease_public(lease: Assignment) -> LeasePublic:
    return LeasePublic(
        assignment_id=lease.id,
        status=lease.status,
        lease_expires_at=lease.expires_at,
        active_seconds=lease.active_seconds,
    )
