"""Server-rendered web pages: log in, home, the workbench, a project's overview.

Jinja2 templates and a little vanilla JavaScript served from ``static/`` (no CDN; works
offline). Pages call the same services as the JSON API; the workbench's script calls the API.
"""

from __future__ import annotations

from fastapi import APIRouter

from expertloop.web import (
    adjudication,
    assessments,
    auth,
    experts,
    exports,
    pages,
    reviews,
    signup,
)
from expertloop.web.errors import error_page
from expertloop.web.render import STATIC_DIR, STATIC_PREFIX


def web_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.include_router(auth.router)
    router.include_router(pages.router)
    for module in (assessments, experts, signup, reviews, adjudication, exports):
        router.include_router(module.router)
    return router


__all__ = ["STATIC_DIR", "STATIC_PREFIX", "error_page", "web_router"]
