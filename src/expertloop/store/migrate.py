"""Run Alembic migrations programmatically (``expertloop db upgrade`` and the app's start-up)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from expertloop.store.db import normalise_url, reachable

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision``.

    Raises:
        Invalid: ``database.invalid_url``; Unavailable: ``database.unavailable``.
    """
    with reachable(url):
        command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def heads(url: str = "sqlite://") -> list[str]:
    """The head revisions of the migration history (one, for a linear history)."""
    return list(ScriptDirectory.from_config(alembic_config(url)).get_heads())
