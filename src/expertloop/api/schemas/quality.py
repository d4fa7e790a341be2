"""Request and response bodies of the gold and quality routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from expertloop.api.schemas import Strict
from expertloop.api.schemas.adjudication import ConsensusPublic


class GoldIn(Strict):
    item_id: int | None = Field(default=None, description="The item, by id")
    external_id: str | None = Field(default=None, description="Or by its external id")
    answer: dict[str, Any] = Field(description="A judgment value of the project's kind")
    explanation: str = Field(default="", description="Why this answer is right (for reviewers)")


class GoldBatch(Strict):
    items: list[GoldIn] = Field(description="All or nothing: one bad row rejects the request")


class GoldMarked(BaseModel):
    marked: int


class GoldPublic(BaseModel):
    item_id: int
    external_id: str | None
    answer: dict[str, Any]
    explanation: str
    created_at: datetime


class GoldsPublic(BaseModel):
    data: list[GoldPublic]
    count: int


class ExpertQualityPublic(BaseModel):
    expert_id: int
    name: str
    gold_answered: int
    gold_correct: int
    gold_accuracy: float | None
    window_accuracy: float | None = Field(
        description="Gold accuracy since the last reinstatement: what the bar is held against"
    )
    reliability: float | None = Field(description="Estimated by the aggregation method, 0 to 1")
    clarity: float | None = Field(description="Mean clarity of rationales as reviewed, 1 to 5")


class QualityPublic(BaseModel):
    project_id: int
    method: str | None
    refreshed_at: datetime | None
    requested_at: datetime | None
    figures: dict[str, Any] = Field(
        description="judgments, items, mean_confidence and chance-corrected agreement"
    )
    consensus: dict[str, int] = Field(description="Items per consensus state")
    experts: list[ExpertQualityPublic]
    policy: dict[str, Any]
    error: str = Field(default="", description="Why the last refresh failed; empty when fine")


class RefreshRequested(BaseModel):
    requested_at: datetime


class ConsensusListPublic(BaseModel):
    data: list[ConsensusPublic]
    count: int


class TrackQualityPublic(BaseModel):
    track: str
    gold_answered: int
    gold_correct: int
    gold_accuracy: float | None


class ProjectQualityLinePublic(BaseModel):
    project_id: int
    project_name: str
    quality: ExpertQualityPublic


class ExpertQualitySummaryPublic(BaseModel):
    expert_id: int
    projects: list[ProjectQualityLinePublic]
    tracks: list[TrackQualityPublic] = Field(
        description="Gold accuracy per track, over the projects that require the track"
    )
