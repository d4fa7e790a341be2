"""Bodies of the adjudication routes: the queue of disputed items, one dispute, the decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from expertloop.api.schemas import ItemPublic, Public, Strict


class DisputedPublic(Public):
    item_id: int
    project_id: int
    project_name: str
    kind: str
    external_id: str | None
    prompt_preview: str = Field(description="The prompt on one line, cut to 160 characters")
    value: dict[str, Any] | None = Field(description="The leading answer aggregation found")
    confidence: float | None
    method: str = Field(description="The aggregation method, e.g. ds (Dawid-Skene)")
    judgments: int
    updated_at: datetime = Field(description="When aggregation last wrote the consensus")


class DisputesPublic(BaseModel):
    data: list[DisputedPublic]
    count: int


class ConsensusPublic(Public):
    item_id: int
    project_id: int
    value: dict[str, Any] | None
    confidence: float | None
    method: str
    state: str = Field(description="open, agreed, disputed or adjudicated")
    judgments: int
    detail: dict[str, Any]
    adjudicated_by: int | None = Field(description="The user who decided it, if adjudicated")
    reason: str = Field(description="Why the adjudicated answer is right")
    updated_at: datetime


class DisputeJudgmentPublic(Public):
    judgment_id: int
    expert: str = Field(description='A pseudonym, "Expert 1".."Expert n", stable per item')
    value: dict[str, Any]
    rationale: str
    active_seconds: float
    guideline_version: int
    review_state: str | None = Field(description="pending, accepted, rejected, revised or null")
    revised_value: dict[str, Any] | None = Field(description="A reviewer's revision, if any")
    created_at: datetime


class DisputeProjectPublic(Public):
    id: int
    name: str
    kind: str
    spec: dict[str, Any]
    guidelines_version: int


class DisputePublic(BaseModel):
    item: ItemPublic
    project: DisputeProjectPublic
    consensus: ConsensusPublic
    judgments: list[DisputeJudgmentPublic] = Field(description="Every judgment, oldest first")
    may_adjudicate: bool = Field(
        description="Whether the caller may decide it now: disputed, and not judged by them"
    )


class AdjudicationCreate(Strict):
    value: dict[str, Any] = Field(description="The answer, a judgment value of the project's kind")
    reason: str = Field(default="", description="Why this answer is right (required)")
