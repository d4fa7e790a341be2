"""Typed dependencies: database sessions, the clock, the current actor."""

from __future__ import annotations

import asyncio
import functools
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from expertloop.api.auth_cache import TokenCache
from expertloop.config import Settings
from expertloop.connectors import ChatConnector
from expertloop.core.errors import Forbidden, Invalid, Unauthenticated
from expertloop.core.policies import Actor
from expertloop.services.users import Authenticated, authenticate
from expertloop.store import Database, Session

SESSION_COOKIE = "expertloop_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
Clock = Callable[[], datetime]


# Dependencies that do no I/O are ``async`` so FastAPI runs them on the event loop instead of
# hopping to the thread pool; the route itself (and authentication, which queries) run there.
def database_of(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _session_dependency(*, write: bool) -> Callable[[Request], AsyncIterator[Session]]:
    async def session_dependency(request: Request) -> AsyncIterator[Session]:
        """A session that connects on first use, in the route's thread; closed afterwards."""
        session = database_of(request).session(write=write)
        try:
            yield session
        finally:
            session.close()

    return session_dependency


write_session = _session_dependency(write=True)
read_session = _session_dependency(write=False)


async def get_now(request: Request) -> datetime:
    clock: Clock = request.app.state.clock
    return clock()


SessionDep = Annotated[Session, Depends(write_session)]
ReadSessionDep = Annotated[Session, Depends(read_session)]
NowDep = Annotated[datetime, Depends(get_now)]


class WriteRunner:
    """Runs the lease queue's write use cases off the event loop, each in a session of its own,
    on threads of their own: on SQLite one writer thread (SQLite admits one writer; a single
    thread that never waits for a lock costs less than forty that queue for one), on PostgreSQL
    ``queue_threads`` of them (more than the cores only add lock and GIL waits). Slow
    requests elsewhere (a model endpoint taking seconds) never hold these threads.

    The session is opened and closed in the thread that uses it, so the hot routes need no
    session dependency (FastAPI's generator dependencies cost as much as a query).
    """

    def __init__(self, database: Database, *, threads: int) -> None:
        self._database = database
        self._executor = ThreadPoolExecutor(
            max_workers=1 if database.sqlite else threads, thread_name_prefix="queue-writer"
        )

    async def __call__(self, func: Callable[..., Any], /, **kwargs: Any) -> Any:
        """``func(session=<a new write session>, **kwargs)``, off the event loop."""
        call = functools.partial(self._in_session, func, kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def _in_session(self, func: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        with self._database.scoped(write=True) as session:
            return func(session=session, **kwargs)

    def close(self) -> None:
        self._executor.shutdown(wait=True)


async def run_write(request: Request, func: Callable[..., Any], /, **kwargs: Any) -> Any:
    """Run a write use case through the app's ``WriteRunner`` (see there)."""
    runner: WriteRunner = request.app.state.write_runner
    return await runner(func, **kwargs)


def now_of(request: Request) -> datetime:
    """The app's clock, read without a dependency (for the hot routes)."""
    clock: Clock = request.app.state.clock
    return clock()


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def current_login(request: Request) -> Authenticated:
    """Who is calling: a bearer token, or a browser session cookie plus its CSRF header."""
    now = now_of(request)
    token = bearer_token(request)
    from_cookie = token is None
    token = token or request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthenticated("auth.missing_token", "send Authorization: Bearer <token>")
    cache: TokenCache = request.app.state.token_cache
    login = None if from_cookie else cache.get(token, now)
    if login is None:
        lookups: ThreadPoolExecutor = request.app.state.token_lookups
        login = await asyncio.get_running_loop().run_in_executor(
            lookups, _look_up, database_of(request), token, now
        )
        cache.put(token, login, now)
    sent = request.headers.get(CSRF_HEADER, "")
    csrf_ok = login.csrf is not None and secrets.compare_digest(sent, login.csrf)
    if from_cookie and request.method not in SAFE_METHODS and not csrf_ok:
        raise Forbidden("auth.csrf", "a browser request needs its CSRF token")
    return login


def _look_up(database: Database, token: str, now: datetime) -> Authenticated:
    with database.scoped(write=False) as session:
        return authenticate(session=session, token=token, now=now)


CurrentLogin = Annotated[Authenticated, Depends(current_login)]


async def current_actor(login: CurrentLogin) -> Actor:
    return login.actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


class ConnectorSlot:
    """The process's one model connector, built from the settings on first use.

    Kept on ``app.state.model_connector``; tests put in a connector of their own with
    :meth:`install`. Building again after a failure costs nothing, so a failure is not cached.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._connector: ChatConnector | None = None
        self._lock = threading.Lock()

    def get(self) -> ChatConnector:
        """The connector.

        Raises:
            Invalid: ``connector.not_configured``, naming the settings to set.
        """
        with self._lock:
            if self._connector is None:
                try:
                    self._connector = ChatConnector.from_settings(self._settings)
                except Invalid as error:
                    raise Invalid(
                        error.code,
                        f"no model endpoint is configured ({error.message}): set "
                        "EXPERTLOOP_MODEL_BASE_URL and EXPERTLOOP_MODEL_NAME, or paste the "
                        "model's reply",
                        error.errors,
                    ) from None
            return self._connector

    def install(self, connector: ChatConnector) -> None:
        """Use this connector from now on (the previous one is closed)."""
        with self._lock:
            if self._connector is not None:
                self._connector.close()
            self._connector = connector

    def close(self) -> None:
        with self._lock:
            if self._connector is not None:
                self._connector.close()
                self._connector = None


async def model_connector(request: Request) -> Callable[[], ChatConnector]:
    slot: ConnectorSlot = request.app.state.model_connector
    return slot.get


ConnectorDep = Annotated[Callable[[], ChatConnector], Depends(model_connector)]
