"""Settings: one typed object, read from ``EXPERTLOOP_*`` environment variables when built.

Nothing reads the environment at import time; ``Settings()`` is built by the app factory or
the CLI. Every field is documented (``tests/test_docs.py`` checks the README lists them all).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    """Where the instance runs."""

    DEVELOPMENT = "development"
    """A laptop or a test run: plain-HTTP cookies are fine."""
    PRODUCTION = "production"
    """Served to real users behind HTTPS: cookies are marked Secure."""


def default_database_url() -> str:
    return f"sqlite:///{Path.cwd() / 'expertloop.db'}"


def default_export_dir() -> Path:
    return Path.cwd() / "exports"


class Settings(BaseSettings):
    """Instance settings. Each can be set by ``EXPERTLOOP_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="EXPERTLOOP_", extra="ignore")

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy-style URL: sqlite:///path.db or postgresql://user@host/db.",
    )
    environment: Environment = Field(
        default=Environment.DEVELOPMENT,
        description="development or production; production marks cookies Secure.",
    )
    session_days: int = Field(
        default=14, ge=1, le=365, description="How long a browser login lasts, in days."
    )
    heartbeat_seconds: int = Field(
        default=20,
        ge=5,
        le=600,
        description="How often the workbench sends a heartbeat to keep its lease alive.",
    )
    sqlite_synchronous: str = Field(
        default="FULL",
        description="SQLite PRAGMA synchronous: FULL (a 2xx survives power loss) or NORMAL.",
    )
    db_pool_size: int = Field(
        default=10,
        ge=1,
        le=200,
        description="PostgreSQL connections kept (and opened at start) per process.",
    )
    queue_threads: int = Field(
        default=4,
        ge=1,
        le=200,
        description="Threads per process that run the lease queue's writes on PostgreSQL "
        "(SQLite: always one), and that look up API tokens not yet trusted. More than the "
        "cores only adds lock and GIL waits to the slowest answers.",
    )
    export_processes: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Processes that write a large export on the fast path (raw, or a pairwise "
        "project's preference or kto; JSONL or Parquet, filtered or not) together, each a run of "
        "its items (a project of fewer than 40,000 items, or an in-memory SQLite database, is "
        "written by one).",
    )
    auth_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=300,
        description="How long a process trusts an API token it found valid (0: check every call).",
    )
    threads: int = Field(
        default=40,
        ge=1,
        le=1000,
        description="Requests one server process works on at once besides the lease queue's "
        "writes (its shared thread pool size).",
    )
    migrate_on_start: bool = Field(
        default=True, description="Run database migrations when the server starts."
    )
    invitation_days: int = Field(
        default=7, ge=1, le=90, description="How long a sign-up invitation link stays valid."
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The address people reach the server at; the CLI builds invitation links "
        "from it.",
    )
    model_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible API of the model red-team prompts go to, e.g. "
        "http://localhost:8000/v1; unset: replies are pasted.",
    )
    model_name: str | None = Field(
        default=None, description="The model's name as that API knows it (the request's model)."
    )
    model_api_key: SecretStr | None = Field(
        default=None, description="Bearer token for that API; unset for servers without one."
    )
    model_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="How long to wait for the model endpoint to connect and to answer.",
    )
    model_retries: int = Field(
        default=2,
        ge=0,
        le=10,
        description="How many times a failed model request is repeated, with backoff.",
    )

    export_dir: Path = Field(
        default_factory=default_export_dir,
        description="Where workers write background exports (one directory per job); "
        "default ./exports beside the SQLite default.",
    )
    export_job_timeout_seconds: int = Field(
        default=3600,
        ge=60,
        le=7 * 24 * 3600,
        description="A background export running longer than this is taken to have lost its "
        "worker and is queued again.",
    )

    @field_validator("model_base_url", "model_name", "model_api_key", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("model_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.strip().lower().startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        parts = urlsplit(value)
        if parts.scheme.lower() not in {"http", "https"} or not parts.hostname or " " in value:
            raise ValueError("must be an http:// or https:// URL, e.g. https://loop.example.org")
        return value

    @field_validator("sqlite_synchronous")
    @classmethod
    def _synchronous(cls, value: str) -> str:
        value = value.upper()
        if value not in {"FULL", "NORMAL", "EXTRA"}:
            raise ValueError("must be FULL, NORMAL or EXTRA")
        return value
