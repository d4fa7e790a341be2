"""Bodies of the review routes: the reviewers' queue, a verdict, an expert's own reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from expertloop.api.schemas import ItemPublic, Strict


class ReviewCreate(Strict):
    verdict: Literal["accept", "reject", "revise"] = Field(
        description="accept: it stands; reject: the slot reopens for another expert; revise: "
        "the reviewer's value replaces it"
    )
    feedback: str = Field(
        default="",
        max_length=10_000,
        description="What the expert reads; required to reject or revise",
    )
    clarity: int | None = Field(
        default=None,
        ge=1,
        le=5,
        description="How clearly the rationale says why the answer is right, 1 (not at all) to 5",
    )
    revised_value: dict[str, Any] | None = Field(
        default=None, description="The corrected value (a value of the project's kind); revise only"
    )


class ReviewPublic(BaseModel):
    id: int
    judgment_id: int
    project_id: int
    expert_id: int
    reviewer_id: int
    verdict: str
    state: str = Field(description="The judgment's review state now: accepted, rejected, revised")
    feedback: str
    clarity: int | None
    revised_value: dict[str, Any] | None
    created_at: datetime


class PendingReviewPublic(BaseModel):
    judgment_id: int
    project_id: int
    project_name: str
    kind: str
    expert_id: int
    value: dict[str, Any]
    rationale: str
    guideline_version: int
    active_seconds: float
    created_at: datetime
    item: ItemPublic


class PendingReviewsPublic(BaseModel):
    data: list[PendingReviewPublic]
    count: int


class FeedbackPublic(BaseModel):
    review_id: int
    judgment_id: int
    project_id: int
    project_name: str
    item_id: int
    item_excerpt: str = Field(description="The start of the item's prompt")
    verdict: str
    state: str
    feedback: str
    clarity: int | None
    value: dict[str, Any] = Field(description="The expert's own value")
    rationale: str = Field(description="The expert's own rationale")
    revised_value: dict[str, Any] | None = Field(description="The reviewer's value (revise)")
    reviewer: str = Field(description='Always "a reviewer": reviewers stay anonymous')
    created_at: datetime


class FeedbacksPublic(BaseModel):
    data: list[FeedbackPublic]
    count: int
