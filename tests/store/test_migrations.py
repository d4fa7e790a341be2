"""Migrations: one linear history that builds exactly the tables the code declares."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from expertloop.store.db import throwaway_engine
from expertloop.store.migrate import alembic_config, downgrade, heads, upgrade
from expertloop.store.tables import Base


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
def test_downgrade_then_upgrade(backend: str, tmp_path) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'cycle.db'}"
    else:
        base = os.environ.get("EXPERTLOOP_TEST_DATABASE_URL")
        if not base:
            pytest.skip("EXPERTLOOP_TEST_DATABASE_URL is not set")
        url = base.rsplit("/", 1)[0] + "/expertloop_migrations"
        _recreate_database(base, "expertloop_migrations")
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


def _recreate_database(base_url: str, name: str) -> None:
    engine = throwaway_engine(base_url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
