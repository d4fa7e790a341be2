"""Fixtures: a migrated database per backend (SQLite always, PostgreSQL when
EXPERTLOOP_TEST_DATABASE_URL is set), an app on it with a controllable clock, factories.

Under pytest-xdist every worker has its own databases: SQLite files in its own temporary
directory, and on PostgreSQL the database ``<db>_gw0``, ``<db>_gw1``... next to the one named
in EXPERTLOOP_TEST_DATABASE_URL (created when missing); without xdist that database itself."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from expertloop.app import create_app
from expertloop.config import Settings
from expertloop.services import projects, users
from expertloop.store import Database
from expertloop.store.migrate import upgrade
from expertloop.store.tables import Base

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "master")


def worker_database_url(url: str, worker: str) -> str:
    """The PostgreSQL database of one xdist worker: ``<db>_gw0`` for ``gw0``; ``url`` itself
    when tests run in one process (worker ``master``)."""
    if worker == "master":
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


_BASE_PG_URL = os.environ.get("EXPERTLOOP_TEST_DATABASE_URL")
PG_URL = worker_database_url(_BASE_PG_URL, WORKER) if _BASE_PG_URL else None
if PG_URL:  # whatever reads the variable directly (or a subprocess) gets this worker's database
    os.environ["EXPERTLOOP_TEST_DATABASE_URL"] = PG_URL
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
KEEP = {"tracks", "domains", "instance_secrets"}  # seeded by migrations; wipe() restores them
SEEDS: dict[str, dict[str, list[dict[str, Any]]]] = {}


def create_postgresql_database(url: str) -> None:
    """Create the database of ``url`` unless it exists, through the server's ``postgres``
    maintenance database (two workers may race: a duplicate is fine)."""
    from expertloop.store.db import normalise_url

    target = make_url(normalise_url(url))
    name = target.database
    assert name, f"no database named in {url}"
    engine = create_engine(
        target.set(database="postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as connection:
            query = text("SELECT 1 FROM pg_database WHERE datname = :name")
            if connection.execute(query, {"name": name}).first() is None:
                quoted = connection.dialect.identifier_preparer.quote_identifier(name)
                try:
                    connection.execute(text(f"CREATE DATABASE {quoted}"))
                except DBAPIError:
                    if connection.execute(query, {"name": name}).first() is None:
                        raise
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgresql_url() -> str:
    """This worker's PostgreSQL test database (created when missing; not wiped here)."""
    if PG_URL is None:
        pytest.skip("EXPERTLOOP_TEST_DATABASE_URL is not set")
    create_postgresql_database(PG_URL)
    return PG_URL


def reset_postgresql(url: str) -> None:
    from expertloop.store.db import throwaway_engine

    engine = throwaway_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A freshly migrated database for the whole session, one per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = request.getfixturevalue("postgresql_url")
        reset_postgresql(url)
    upgrade(url)
    snapshot_seeds(url)
    return url


def snapshot_seeds(url: str) -> None:
    """Remember the rows the migrations seed (tracks, domains) so tests can edit them."""
    database = Database(url)
    with database.writer.begin() as connection:
        SEEDS[database.url] = {
            name: [
                dict(row._mapping)
                for row in connection.execute(Base.metadata.tables[name].select())
            ]
            for name in KEEP
        }
    database.dispose()


def restore_seeds(connection: Any, url: str) -> None:
    for name, rows in SEEDS.get(url, {}).items():
        table = Base.metadata.tables[name]
        key = next(iter(table.primary_key.columns))
        connection.execute(table.delete().where(key.not_in([row[key.name] for row in rows])))
        for row in rows:
            connection.execute(table.update().where(key == row[key.name]).values(**row))


def wipe(database: Database) -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEEP]
    with database.writer.begin() as connection:
        if database.sqlite:
            for table in tables:
                connection.execute(table.delete())
        else:
            names = ", ".join(t.name for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        restore_seeds(connection, database.url)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The migrated database, emptied after each test (services commit, threads need commits)."""
    db = Database(database_url)
    yield db
    try:
        assert_tallies_agree(db)
    finally:
        wipe(db)
        db.dispose()


def assert_tallies_agree(database: Database) -> None:
    """Every project's running counts equal a fresh count of its rows (after every test: the
    counters change in the transactions that change what they count, whatever a test did)."""
    from expertloop.store import tallies
    from expertloop.store.tables import Project

    with database.scoped(write=False) as session:
        wrong = {
            project_id: found
            for project_id in session.scalars(select(Project.id))
            if (found := tallies.disagreements(session, project_id))
        }
    assert not wrong, f"tallies (tally, counted) that disagree with the rows: {wrong}"


@dataclass
class FakeClock:
    """A clock tests move by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def app(database: Database, clock: FakeClock) -> Any:
    settings = Settings(database_url=database.url, migrate_on_start=False)
    return create_app(settings, database=database, clock=clock)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class Person:
    id: int
    email: str
    role: str
    token: str
    password: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Factory:
    """Builds users, projects and items straight through the services."""

    def __init__(self, database: Database, clock: FakeClock) -> None:
        self.database = database
        self.clock = clock
        self.count = 0

    def user(self, role: str = "expert", *, attributes: dict[str, Any] | None = None) -> Person:
        self.count += 1
        email = f"{role}{self.count}@example.org"
        password = "correct horse battery"
        with self.database.scoped() as session:
            created = users.create_user(
                session=session,
                actor=None,
                email=email,
                name=f"{role.title()} {self.count}",
                role=role,
                password=password,
                now=self.clock(),
                profile={"attributes": attributes or {}},
            )
        return Person(created.user.id, email, role, created.token, password)

    def project(
        self,
        *,
        lead: Person | None = None,
        kind: str = "label",
        overlap: int = 1,
        lease_seconds: int = 900,
        spec: dict[str, Any] | None = None,
        items: int = 0,
        quality: dict[str, Any] | None = None,
        requirements: dict[str, Any] | None = None,
    ) -> int:
        if spec is None:
            spec = {"labels": ["yes", "no"]} if kind == "label" else {}
        draft = projects.ProjectDraft(
            name=f"{kind} project",
            kind=kind,
            spec=spec,
            overlap=overlap,
            lease_seconds=lease_seconds,
            quality=quality,
            requirements=requirements,
        )
        actor = None
        if lead is not None:
            from expertloop.core.lifecycles import Role
            from expertloop.core.policies import Actor

            actor = Actor(lead.id, Role(lead.role))
        with self.database.scoped() as session:
            project = projects.create_project(
                session=session, actor=actor, draft=draft, now=self.clock()
            )
        if items:
            self.items(project.id, items, kind=kind)
        return project.id

    def items(self, project_id: int, count: int, *, kind: str = "label") -> None:
        from expertloop.services.items import import_items

        rows = [item_row(index, kind) for index in range(count)]
        with self.database.scoped() as session:
            import_items(
                session=session, actor=None, project_id=project_id, rows=rows, now=self.clock()
            )


def item_row(index: int, kind: str = "label") -> dict[str, Any]:
    responses = [
        {"id": "A", "text": f"Answer A to question {index}", "model": "model-a"},
        {"id": "B", "text": f"Answer B to question {index}", "model": "model-b"},
    ]
    return {
        "external_id": f"q{index}",
        "prompt": f"Question {index}: is this claim supported by the cited trial?",
        "responses": responses if kind == "pairwise" else responses[:1],
        "metadata": {"source": "test"},
    }


@pytest.fixture
def factory(database: Database, clock: FakeClock) -> Factory:
    return Factory(database, clock)


@pytest.fixture
def screenshots_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder of the test's own for its screenshots; afterwards each file is moved into
    ``test-screenshots/`` (or $EXPERTLOOP_SCREENSHOTS) in one atomic rename, so that two
    workers taking the same screenshot (one per backend) never leave a torn file."""
    shared = Path(os.environ.get("EXPERTLOOP_SCREENSHOTS", "test-screenshots"))
    shared.mkdir(parents=True, exist_ok=True)
    own = tmp_path_factory.mktemp("screenshots")
    yield own
    for shot in sorted(own.iterdir()):
        staged = shared / f".{shot.name}.{WORKER}.partial"
        shutil.copyfile(shot, staged)
        os.replace(staged, shared / shot.name)
