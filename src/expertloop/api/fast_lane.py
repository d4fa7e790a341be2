"""A fast lane for the lease queue's two hottest calls, claim and submit.

Every expert's cycle is one claim and one submit. On those two calls FastAPI spent about half of
the event loop's time in its own machinery (matching the path against every route, solving
dependencies, reading the body through its parameter model) around work that is small. This
ASGI middleware answers exactly ``POST /api/v1/projects/{id}/claims`` and ``POST
/api/v1/assignments/{id}/judgment`` with the routes' own functions
(``routes.assignments.claim_answer`` and ``submit_answer``), the same authentication
(``deps.current_login``: bearer token, or session cookie plus CSRF header), the same body model
(``JudgmentCreate``) and the same error bodies (``api.errors``). Any other request, a path that
does not match exactly included, goes on to FastAPI, where both routes stay declared (OpenAPI).
"""

from __future__ import annotations

import re

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from expertloop.api.deps import current_login
from expertloop.api.errors import domain_response, validation_response
from expertloop.api.router import PREFIX
from expertloop.api.routes.assignments import claim_answer, submit_answer
from expertloop.api.schemas import JudgmentCreate
from expertloop.core.errors import DomainError

CLAIM = re.compile(rf"{PREFIX}/projects/([0-9]+)/claims")
SUBMIT = re.compile(rf"{PREFIX}/assignments/([0-9]+)/judgment")


class QueueFastLane:
    """ASGI middleware: claim and submit answered directly, everything else passed on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            path = scope["path"]
            claim = CLAIM.fullmatch(path)
            submit = None if claim else SUBMIT.fullmatch(path)
            if claim is not None or submit is not None:
                request = Request(scope, receive)
                if claim is not None:
                    response = await _claim(request, int(claim[1]))
                else:
                    assert submit is not None
                    response = await _submit(request, int(submit[1]))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _claim(request: Request, project_id: int) -> Response:
    try:
        login = await current_login(request)
        return await claim_answer(request, login.actor, project_id)
    except DomainError as error:
        return domain_response(error)


async def _submit(request: Request, assignment_id: int) -> Response:
    try:
        login = await current_login(request)
        body = JudgmentCreate.model_validate_json(await request.body())
        return await submit_answer(request, login.actor, assignment_id, body)
    except DomainError as error:
        return domain_response(error)
    except ValidationError as error:
        return validation_response(error.errors())
