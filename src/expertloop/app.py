"""The application factory: settings, database, API, web pages, error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ExceptionHandler

from expertloop.api.auth_cache import TokenCache
from expertloop.api.deps import Clock, ConnectorSlot, WriteRunner
from expertloop.api.errors import HTTP_CODES, install_api_errors, status_for
from expertloop.api.fast_lane import QueueFastLane
from expertloop.api.router import PREFIX, api_router
from expertloop.config import Settings
from expertloop.core.errors import DomainError
from expertloop.store import Database
from expertloop.store.migrate import upgrade
from expertloop.web import STATIC_DIR, STATIC_PREFIX, error_page, web_router


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings | None = None, *, database: Database | None = None, clock: Clock = utc_now
) -> FastAPI:
    """Build the ASGI app. ``uvicorn --factory expertloop.app:create_app`` calls it with none."""
    settings = settings or Settings()
    owns_database = database is None
    database = database or Database(
        settings.database_url,
        sqlite_synchronous=settings.sqlite_synchronous,
        pool_size=settings.db_pool_size,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start and owns_database:
            upgrade(settings.database_url)
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        if owns_database:
            await to_thread.run_sync(database.warm)
        yield
        app.state.model_connector.close()
        app.state.write_runner.close()
        app.state.token_lookups.shutdown(wait=True)
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
    app.state.token_cache = TokenCache(settings.auth_cache_seconds)
    app.state.model_connector = ConnectorSlot(settings)
    app.state.write_runner = WriteRunner(database, threads=settings.queue_threads)
    # Token look-ups on a few threads of their own: a burst of new callers (every expert's first
    # call) queues there instead of waking forty threads that fight over the GIL.
    app.state.token_lookups = ThreadPoolExecutor(
        max_workers=settings.queue_threads, thread_name_prefix="token-lookup"
    )
    install_errors(app)
    app.add_middleware(QueueFastLane)
    app.include_router(api_router())
    app.include_router(web_router())
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="static")
    return app


def install_errors(app: FastAPI) -> None:
    """JSON error bodies under the API prefix, HTML error pages everywhere else."""
    install_api_errors(app)
    for error_type in (DomainError, StarletteHTTPException):
        app.add_exception_handler(error_type, _by_path(app.exception_handlers[error_type]))


def _by_path(api_handler: ExceptionHandler) -> ExceptionHandler:
    async def handle(request: Request, error: Exception) -> Response:
        if request.url.path.startswith(PREFIX + "/") or request.url.path == PREFIX:
            return await api_handler(request, error)  # type: ignore[arg-type,misc,no-any-return]
        if isinstance(error, DomainError):
            return error_page(
                request, status=status_for(error), code=error.code, message=error.message
            )
        assert isinstance(error, StarletteHTTPException)
        code = HTTP_CODES.get(error.status_code, f"http.{error.status_code}")
        return error_page(request, status=error.status_code, code=code, message=str(error.detail))

    return handle
