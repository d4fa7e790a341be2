"""Migrations: one linear history that builds exactly the tables the code declares."""

from __future__ import annotations

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, make_url, text

from expertloop.store.db import throwaway_engine
from expertloop.store.migrate import alembic_config, downgrade, heads, upgrade
from expertloop.store.tables import Base

SCHEMA = "expertloop_migrations"


def test_history_is_linear() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    revisions = list(script.walk_revisions())
    assert len(heads()) == 1
    assert all(len(r._all_down_revisions) <= 1 for r in revisions)


def test_migrated_schema_matches_tables(database_url: str) -> None:
    engine = throwaway_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_default_tracks_are_seeded(database_url: str) -> None:
    engine = throwaway_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name, hourly_rate FROM tracks ORDER BY name")).all()
    engine.dispose()
    assert [(name, int(rate)) for name, rate in rows] == [
        ("coding", 40),
        ("general", 20),
        ("multilingual", 20),
        ("professional", 50),
        ("stem", 40),
    ]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_downgrade_then_upgrade(backend: str, tmp_path, request: pytest.FixtureRequest) -> None:
    url = _empty_database(backend, tmp_path, request)
    upgrade(url)
    downgrade(url, "base")
    engine = throwaway_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(url)
    engine = throwaway_engine(url)
    assert {"items", "assignments", "judgments", "audit_log"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_gives_existing_guideline_versions_the_project_spec(
    backend: str, tmp_path, request: pytest.FixtureRequest
) -> None:
    url = _empty_database(backend, tmp_path, request)
    upgrade(url, "0002")
    engine = throwaway_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO projects (id, name, kind, spec, guidelines, guidelines_version,"
                " overlap, lease_seconds, status, created_at) VALUES (7, 'p', 'label',"
                " :spec, 'g', 1, 1, 900, 'active', CURRENT_TIMESTAMP)"
            ),
            {"spec": '{"labels": ["a", "b"]}'},
        )
        connection.execute(
            text(
                "INSERT INTO guideline_versions (project_id, version, text, created_at)"
                " VALUES (7, 1, 'g', CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    upgrade(url)
    engine = throwaway_engine(url)
    with engine.connect() as connection:
        spec, note = connection.execute(text("SELECT spec, note FROM guideline_versions")).one()
    engine.dispose()
    assert (json.loads(spec) if isinstance(spec, str) else spec) == {"labels": ["a", "b"]}
    assert note == ""


def _empty_database(backend: str, tmp_path, request: pytest.FixtureRequest) -> str:
    """An empty database: a file on SQLite; on PostgreSQL a fresh schema inside this worker's
    test database (searched first), so that the tests never touch another database."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'data.db'}"
    base: str = request.getfixturevalue("postgresql_url")  # skips without PostgreSQL
    engine = throwaway_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    options = {"options": f"-csearch_path={SCHEMA}"}
    return make_url(base).update_query_dict(options).render_as_string(hide_password=False)
