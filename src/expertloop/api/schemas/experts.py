"""Request and response bodies of the experts, tracks and domains routes.

Money is a string with 2 decimals (``"50.00"``), never a JSON number, so no client rounds it
through a float.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from expertloop.api.schemas import Public, Strict
from expertloop.core.profiles import format_money


class ProfileUpdate(Strict):
    domains: list[str] = Field(description="Domain slugs of the taxonomy (GET /domains)")
    languages: list[str] = Field(description="Language tags: en, pt-BR, zh-Hant-TW...")
    attributes: dict[str, Any] = Field(
        description="Background attributes for panel diversity: region, sector, "
        "years_of_practice (an integer), school_of_thought, or any key of a-z, 0-9 and _; "
        "an empty value removes one"
    )


class CredentialCreate(Strict):
    kind: str = Field(description="degree, licence, certification or experience")
    title: str = Field(description="What it is, 1 to 300 characters")
    issuer: str = ""
    year: int | None = Field(default=None, description="The year obtained")
    years_of_practice: int | None = Field(
        default=None, description="0 to 80; required for experience"
    )


class CredentialPublic(Public):
    id: int
    kind: str
    title: str
    issuer: str
    year: int | None
    years_of_practice: int | None
    status: str = Field(description="claimed, verified or rejected")
    note: str = Field(description="The admin's note on the verification")
    verified_by: int | None
    verified_at: datetime | None
    created_at: datetime


class VerificationCreate(Strict):
    status: Literal["verified", "rejected"]
    note: str = Field(description="How it was checked, or why it was rejected (required)")


class QualificationChange(Strict):
    track: str = Field(description="The track's name")
    domain: str | None = Field(default=None, description="A domain slug; none: the whole track")
    action: Literal["grant", "suspend", "reinstate", "revoke"]
    reason: str = Field(description="Why (required); kept in the history")


class WhoPublic(BaseModel):
    id: int
    name: str


class EventPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    action: str
    from_: str | None = Field(alias="from", description="The status before; null at creation")
    to: str
    who: WhoPublic | None = Field(description="Who acted; null: the system or the command line")
    when: datetime
    why: str


class QualificationPublic(BaseModel):
    id: int
    track: str
    domain: str | None
    status: str = Field(description="granted, suspended or revoked")
    source: str
    created_at: datetime
    updated_at: datetime


class QualificationDetailPublic(QualificationPublic):
    history: list[EventPublic] = Field(description="Oldest first")


class ExpertPublic(BaseModel):
    id: int
    email: str
    name: str
    role: str
    active: bool
    domains: list[str]
    languages: list[str]
    attributes: dict[str, Any]
    credentials: list[CredentialPublic]
    qualifications: list[QualificationPublic]


class ExpertDetailPublic(ExpertPublic):
    qualifications: list[QualificationDetailPublic]  # type: ignore[assignment]


class ExpertsPublic(BaseModel):
    data: list[ExpertPublic]
    count: int


class TrackUpdate(Strict):
    hourly_rate: Decimal | None = Field(
        default=None, description='USD per hour, above 0 and at most 10000, 2 decimals ("45.50")'
    )
    description: str | None = None


class TrackPublic(BaseModel):
    name: str
    hourly_rate: str = Field(description='USD per hour as a string with 2 decimals: "50.00"')
    description: str

    @classmethod
    def of(cls, track: Any) -> TrackPublic:
        return cls(
            name=track.name,
            hourly_rate=format_money(Decimal(track.hourly_rate)),
            description=track.description,
        )


class TracksPublic(BaseModel):
    data: list[TrackPublic]
    count: int


class DomainCreate(Strict):
    slug: str = Field(description="a-z first, then 1 to 59 of a-z, 0-9, _ or -")
    name: str
    parent: str | None = Field(default=None, description="The parent domain's slug")


class DomainPublic(Public):
    slug: str
    name: str
    parent: str | None
    created_at: datetime


class DomainsPublic(BaseModel):
    data: list[DomainPublic]
    count: int
