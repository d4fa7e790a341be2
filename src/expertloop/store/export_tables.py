"""Tables of exports: background export jobs and the instance's secrets (the key that makes
expert pseudonyms). ``tables`` imports them at its end, like the quality tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from expertloop.store.base import Base
from expertloop.store.types import Id


class ExportJob(Base):
    """An export asked for through the API or the web, written by a worker to ``path``."""

    __tablename__ = "export_jobs"
    __table_args__ = (
        Index("ix_export_jobs_status", "status", "id"),
        Index("ix_export_jobs_project", "project_id", "id"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    format: Mapped[str] = mapped_column(String(20))
    """An export format: ``sft``, ``preference``, ``kto``, ``stepwise`` or ``raw``."""
    file_format: Mapped[str] = mapped_column(String(20))
    """``jsonl``, ``parquet`` or ``dataset``."""
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Options and filters as sent (``ExportRequest`` fields)."""
    status: Mapped[str] = mapped_column(String(20))
    """An ``ExportJobStatus``."""
    rows: Mapped[int] = mapped_column(Integer, default=0)
    items_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Items read so far, written by the worker while it runs (every second at most)."""
    items_total: Mapped[int | None] = mapped_column(Integer)
    """The project's items when the worker started, None until then."""
    path: Mapped[str] = mapped_column(Text, default="")
    """Where the worker wrote the download (a file), empty until done."""
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class InstanceSecret(Base):
    """A secret of this instance, made once by the migration that adds it (never configured,
    never shown): ``export_salt`` keys the pseudonyms exports give experts."""

    __tablename__ = "instance_secrets"
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
