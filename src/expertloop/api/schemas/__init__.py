"""Request and response bodies of the JSON API (``XCreate``, ``XPublic``, ``XsPublic``).

These shapes are the external contract of ``/api/v1``: add fields, never rename or remove.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorDetail(BaseModel):
    row: int | None
    field: str
    message: str


class ErrorPublic(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. lease.expired")
    message: str
    errors: list[ErrorDetail] | None = None


class UserCreate(Strict):
    email: str
    name: str = ""
    role: Literal["admin", "lead", "reviewer", "expert"]
    password: str | None = None


class UserPublic(Public):
    id: int
    email: str
    name: str
    role: str


class UserCreatedPublic(UserPublic):
    token: str = Field(description="The API token, shown this once")


Money = Annotated[
    Decimal,
    Field(gt=0, le=10_000, max_digits=7, decimal_places=2, description="USD per hour"),
]


MoneyPublic = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="json"),
    Field(description='USD per hour as a string with two decimals ("50.00")'),
]
"""Money out: a string with exactly two decimals, never a float."""


class RequirementsIn(Strict):
    tracks: list[str] = Field(default_factory=list, description="Track names; all are needed")
    domains: list[str] = Field(default_factory=list, description="Domain slugs; all are needed")
    min_quality: float | None = Field(
        default=None, description="Minimum measured quality (0 to 1), applied once measured"
    )


class ProjectCreate(Strict):
    name: str
    kind: str
    spec: dict[str, Any] = Field(default_factory=dict)
    overlap: int = 1
    lease_seconds: int = 900
    guidelines: str = ""
    requirements: RequirementsIn | None = Field(
        default=None, description="What an expert must hold to claim; none: anyone may"
    )
    hourly_rate: Money | None = Field(
        default=None, description="The project's own rate; none pays its first track's rate"
    )
    minutes_per_item: int | None = Field(
        default=None, ge=1, le=1440, description="The lead's estimate shown to experts"
    )
    quality: dict[str, Any] | None = Field(
        default=None,
        description='Quality policy: {"gold": {"rate", "calibration", "min_answered"}, '
        '"overlap": {"k_min", "k_max", "target"}, "review": {"share", "probation", '
        '"min_reliability"}, "method"}; every key optional',
    )


class ProjectUpdate(Strict):
    """Only the fields sent change; ``null`` clears ``hourly_rate`` or ``minutes_per_item``."""

    requirements: RequirementsIn | None = None
    hourly_rate: Money | None = None
    minutes_per_item: int | None = Field(default=None, ge=1, le=1440)
    quality: dict[str, Any] | None = Field(
        default=None,
        description='Quality policy: {"gold": {"rate", "calibration", "min_answered"}, '
        '"overlap": {"k_min", "k_max", "target"}, "review": {"share", "probation", '
        '"min_reliability"}, "method"}; every key optional',
    )


class RequirementsPublic(BaseModel):
    tracks: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    min_quality: float | None = None


class ProjectPublic(Public):
    id: int
    name: str
    kind: str
    spec: dict[str, Any]
    overlap: int
    lease_seconds: int
    guidelines: str
    guidelines_version: int
    status: str
    created_by: int | None
    created_at: datetime
    requirements: RequirementsPublic
    hourly_rate: MoneyPublic | None = Field(description="The project's own rate or null")
    minutes_per_item: int | None
    quality: dict[str, Any] = Field(description="The quality policy, defaults filled in")


class ProjectsPublic(BaseModel):
    data: list[ProjectPublic]
    count: int


class GuidelinesUpdate(Strict):
    guidelines: str
    spec: dict[str, Any] | None = Field(
        default=None, description="A new spec of the project's kind; omitted keeps the current one"
    )
    note: str = Field(default="", description="What changed, shown to experts")


class GuidelineVersionPublic(Public):
    version: int
    text: str
    spec: dict[str, Any]
    note: str
    created_at: datetime


class GuidelineVersionsPublic(BaseModel):
    data: list[GuidelineVersionPublic]
    count: int


class ChatMessage(Strict):
    role: Literal["system", "user", "assistant"]
    content: str


class ResponseIn(Strict):
    id: str | int | None = None
    text: str
    model: str | None = None


class ItemCreate(Strict):
    external_id: str | int | None = None
    prompt: str | list[ChatMessage]
    context: str | None = None
    responses: list[ResponseIn] = Field(default_factory=list)
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="Kind-specific content: steps of a solution, members of a cluster, ...",
    )
    metadata: dict[str, Any] = Field(default_factory=dict)
    priority: int = 0


class ItemsCreate(Strict):
    items: list[ItemCreate] = Field(min_length=1, max_length=10_000)


class ItemsCreatedPublic(BaseModel):
    created: int


class ResponsePublic(BaseModel):
    id: str
    text: str
    model: str | None = None


class ItemPublic(BaseModel):
    id: int
    project_id: int
    external_id: str | None
    prompt: str | list[dict[str, str]]
    context: str | None
    responses: list[ResponsePublic]
    data: dict[str, Any]
    metadata: dict[str, Any]


class ClaimPublic(BaseModel):
    assignment_id: int
    item: ItemPublic
    lease_expires_at: datetime


class LeasePublic(BaseModel):
    assignment_id: int
    status: str
    lease_expires_at: datetime
    active_seconds: float


class HeartbeatCreate(Strict):
    active: bool = True


class JudgmentCreate(Strict):
    value: dict[str, Any]
    rationale: str = ""
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200)


class JudgmentPublic(Public):
    id: int
    project_id: int
    item_id: int
    assignment_id: int
    expert_id: int
    value: dict[str, Any]
    rationale: str
    guideline_version: int
    active_seconds: float
    idempotency_key: str | None
    created_at: datetime


class ModelReplyCreate(Strict):
    prompt: str = Field(
        min_length=1, max_length=1_000_000, description="The expert's attack prompt."
    )
    system: str | None = Field(
        default=None, max_length=1_000_000, description="A system message sent before it."
    )


class ModelReplyPublic(BaseModel):
    content: str = Field(description="The target model's reply.")
    model: str = Field(description="The model that answered, as the endpoint names it.")
    latency_ms: int = Field(description="How long the successful request took.")


class ProgressPublic(BaseModel):
    items: int
    complete: int
    judgments: int
    active_leases: int


class EscalationFlagPublic(BaseModel):
    flag: str = Field(description="The rubric flag, or attack_succeeded for red_team")
    response: str | None = Field(description="The flagged response id (rubric only)")
    note: str | None


class EscalationPublic(BaseModel):
    item_id: int
    external_id: str | None
    judgment_id: int
    expert_id: int
    expert_name: str
    flags: list[EscalationFlagPublic]
    harm_category: str | None = Field(description="red_team only: the harm the attack found")
    severity: int | None = Field(description="red_team only: 1 (minor) to 4 (critical)")
    note: str = Field(description="The red-team notes, or the rubric judgment's rationale")
    created_at: datetime


class EscalationsPublic(BaseModel):
    data: list[EscalationPublic]
    count: int
