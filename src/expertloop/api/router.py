"""All the JSON API's routes under ``/api/v1``, the lease queue's first."""

from __future__ import annotations

from fastapi import APIRouter

from expertloop.api.routes import (
    adjudication,
    assessments,
    assignments,
    escalations,
    experts,
    exports,
    gold,
    invitations,
    projects,
    quality,
    reviews,
    users,
)
from expertloop.api.schemas import ErrorPublic

PREFIX = "/api/v1"
ERRORS = {code: {"model": ErrorPublic} for code in (401, 403, 404, 409, 422)}


def api_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX, responses=ERRORS)  # type: ignore[arg-type]
    # The lease queue's routes first: Starlette tries routes in order, and they are the hot ones.
    for module in (
        assignments,
        projects,
        escalations,
        users,
        experts,
        assessments,
        invitations,
        gold,
        quality,
        reviews,
        adjudication,
        exports,
    ):
        router.include_router(module.router)
    return router
