"""Engines and sessions. Nothing here runs at import time; ``Database`` is built by the app.

SQLite is the single-writer default: WAL mode, and every write transaction starts with
``BEGIN IMMEDIATE`` so writers queue on the database lock instead of failing half-way. Reads use
a second engine whose transactions start deferred, so they never wait for a writer.
PostgreSQL uses one engine; the claim query locks rows with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from expertloop.core.errors import FieldError, Unavailable, invalid
from expertloop.store import tallies
from expertloop.store.prepared import compile_all

SQLITE_BUSY_MS = 30_000


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver for them.

    Raises:
        Invalid: ``database.invalid_url`` for a URL SQLAlchemy cannot read.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        example = "sqlite:///path.db or postgresql://user@host/db"
        raise invalid(
            "database.invalid_url", [FieldError("db", f"{url!r} is not a database URL ({example})")]
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@contextmanager
def reachable(url: str) -> Iterator[None]:
    """Turn a failed connection into ``database.unavailable`` naming the URL (no password)."""
    try:
        yield
    except OperationalError as error:
        shown = make_url(url).render_as_string(hide_password=True)
        reason = str(error.orig or error).strip().splitlines()[0]
        raise Unavailable("database.unavailable", f"cannot reach {shown}: {reason}") from None


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_engine(url: str, *, immediate: bool, synchronous: str) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    if immediate:
        _queue_writers(engine)
    return engine


def _queue_writers(engine: Engine) -> None:
    """Let one thread of this process hold a writer connection at a time.

    SQLite admits one writer anyway; queueing threads on a Python lock is fair and wakes the
    next writer at once, where SQLite's busy handler would make them poll with growing sleeps
    (seconds-long tails under load). Other processes still meet SQLite's own lock.
    """
    lock = threading.Lock()

    @event.listens_for(engine, "checkout")
    def _on_checkout(_dbapi: Any, record: Any, _proxy: Any) -> None:
        if not lock.acquire(timeout=SQLITE_BUSY_MS / 1000):
            raise Unavailable("database.busy", "the database stayed busy; try again")
        record.info["writer_lock"] = True

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi: Any, record: Any) -> None:
        if record.info.pop("writer_lock", False):
            lock.release()


class Database:
    """A database the platform stores into: a writer engine and a reader engine."""

    def __init__(self, url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 10) -> None:
        self.url = normalise_url(url)
        self.sqlite = is_sqlite(self.url)
        self.pool_size = pool_size
        if self.sqlite:
            self.writer = _sqlite_engine(self.url, immediate=True, synchronous=sqlite_synchronous)
            self.reader = _sqlite_engine(self.url, immediate=False, synchronous=sqlite_synchronous)
        else:
            # No pre-ping: it costs a round trip per checkout; stale connections are recycled.
            self.writer = create_engine(
                self.url, pool_size=pool_size, max_overflow=pool_size * 2, pool_recycle=1800
            )
            self.reader = self.writer
        self._writes = sessionmaker(self.writer, expire_on_commit=False)
        event.listen(self._writes, "before_commit", tallies.write_notes)
        event.listen(self._writes, "after_rollback", tallies.drop_notes)
        self._reads = sessionmaker(self.reader, expire_on_commit=False)

    def session(self, *, write: bool = True) -> Session:
        """A new session; services commit it, callers close it."""
        return (self._writes if write else self._reads)()

    @contextmanager
    def scoped(self, *, write: bool = True) -> Iterator[Session]:
        """A session closed (and rolled back if uncommitted) when the block ends."""
        session = self.session(write=write)
        try:
            yield session
        finally:
            session.close()

    def warm(self) -> None:
        """Compile the prepared statements and open the pools' connections now rather than
        under the first requests (PostgreSQL: ``pool_size`` of them; SQLite: one writer and one
        reader), so a server just started answers its first burst like the rest."""
        compile_all(self.writer.dialect)
        engines = [self.writer] if self.reader is self.writer else [self.writer, self.reader]
        for engine in engines:
            held = [engine.connect() for _ in range(1 if self.sqlite else self.pool_size)]
            for connection in held:
                connection.close()

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()


def throwaway_engine(url: str) -> Engine:
    """An engine without pooling, for one-off admin work such as migrations."""
    return create_engine(normalise_url(url), poolclass=NullPool)
