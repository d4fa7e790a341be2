"""The application factory: settings, database, API, web pages, error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI

from expertloop.api import PREFIX, api_router
from expertloop.api.deps import Clock
from expertloop.api.errors import install_api_errors
from expertloop.config import Settings
from expertloop.store import Database
from expertloop.store.migrate import upgrade


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings | None = None, *, database: Database | None = None, clock: Clock = utc_now
) -> FastAPI:
    """Build the ASGI app. ``uvicorn --factory expertloop.app:create_app`` calls it with none."""
    settings = settings or Settings()
    owns_database = database is None
    database = database or Database(
        settings.database_url, sqlite_synchronous=settings.sqlite_synchronous,
        pool_size=settings.db_pool_size,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start and owns_database:
            upgrade(settings.database_url)
        yield
        if owns_database:
            database.dispose()

    app = FastAPI(
        title="expertloop",
        version="1",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.clock = clock
    install_api_errors(app)
    app.include_router(api_router())
    return app
