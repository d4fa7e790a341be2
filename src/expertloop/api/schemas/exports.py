"""Request and response bodies of the export routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, Field

from expertloop.api.schemas import Public, Strict

FileFormat = Literal["jsonl", "parquet", "dataset"]
ExportStatus = Literal["queued", "running", "done", "failed"]


class ExportCreate(Strict):
    format: str = Field(description="sft, preference, kto, stepwise or raw (or an alias: dpo...)")
    file_format: FileFormat = Field(
        default="jsonl", description="jsonl, parquet, or dataset (downloaded as a .zip)"
    )
    options: dict[str, Any] | None = Field(default=None, description="How rows are shaped")
    filters: dict[str, Any] | None = Field(default=None, description="Which rows are kept")
    license: str | None = Field(default=None, description="The dataset card's licence")


class ExportJobPublic(Public):
    id: int
    project_id: int
    format: str
    file_format: FileFormat
    request: dict[str, Any]
    status: ExportStatus
    rows: int
    items_done: int = Field(default=0, description="Items read so far (a running job's progress)")
    items_total: int | None = Field(
        default=None, description="The project's items when the worker started; None until then"
    )
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    download_url: str | None = Field(default=None, description="Set once the job is done")
    card_url: str | None = Field(default=None, description="The dataset card, once done")

    @classmethod
    def of(cls, job: Any, *, download_url: str, card_url: str) -> Self:
        """The job, with the links to its file and card once it is done."""
        found = cls.model_validate(job)
        if found.status == "done":
            found.download_url, found.card_url = download_url, card_url
        return found


class ExportJobsPublic(BaseModel):
    data: list[ExportJobPublic]
    count: int
