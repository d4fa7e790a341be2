"""Bodies of the expert's dashboard (``GET /api/v1/me/dashboard``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from expertloop.api.schemas import MoneyPublic


class TermsPublic(BaseModel):
    hourly_rate: MoneyPublic | None = Field(
        description="USD per hour: the project's own rate, else its first track's; null if none"
    )
    minutes_per_item: float | None = Field(description="Expected active minutes per item")
    minutes_measured: bool = Field(
        description="true: measured from submitted judgments; false: the lead's estimate"
    )


class OpenProjectPublic(BaseModel):
    project_id: int
    name: str
    kind: str
    terms: TermsPublic
    waiting: int = Field(
        description="Open items this expert has not had yet, counted up to 1,000 (see waiting_more)"
    )
    waiting_more: bool = Field(
        description="true when 1,000 or more items wait: the count stops there, so the "
        "dashboard costs the same for any project size"
    )
    in_progress: int = Field(description="This expert's live leases (0 or 1)")


class UnlockingAssessmentPublic(BaseModel):
    assessment_id: int
    title: str
    track: str
    domain: str | None
    attempts_left: int


class LockedProjectPublic(BaseModel):
    project_id: int
    name: str
    kind: str
    terms: TermsPublic
    reasons: list[str] = Field(description="Each requirement the expert does not meet")
    assessments: list[UnlockingAssessmentPublic] | None = Field(
        description="Passing these unlocks the project; null when no assessment can"
    )


class DashboardPublic(BaseModel):
    available: list[OpenProjectPublic]
    locked: list[LockedProjectPublic]
