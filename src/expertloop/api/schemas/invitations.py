"""Request and response bodies of the invitations routes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from expertloop.api.schemas import Public, Strict, UserCreatedPublic


class InvitationCreate(Strict):
    email: str
    role: Literal["admin", "lead", "reviewer", "expert"] = Field(
        default="expert", description="Leads may invite experts and reviewers; admins anyone"
    )
    note: str = Field(default="", description="Why this person is invited; managers see it")


class InvitationPublic(Public):
    id: int
    email: str
    role: str
    note: str
    status: Literal["pending", "used", "expired"] = Field(
        description="Derived: used once someone signed up, expired past expires_at"
    )
    invited_by: int | None
    invited_by_email: str | None = None
    user_id: int | None = Field(description="The user who signed up with it")
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


class InvitationCreatedPublic(BaseModel):
    id: int
    email: str
    role: str
    note: str
    created_at: datetime
    expires_at: datetime
    url: str = Field(description="The sign-up link to pass on, shown this once")
    token: str = Field(description="The link's token, shown this once")


class InvitationsPublic(BaseModel):
    data: list[InvitationPublic]
    count: int


class InvitationOpenPublic(BaseModel):
    """What the sign-up link shows before anyone logs in."""

    email: str
    role: str
    expires_at: datetime


class InvitationAccept(Strict):
    name: str
    password: str = Field(description="At least 8 characters")
    domains: list[str] = Field(
        default_factory=list, max_length=200, description="Slugs of the domain taxonomy"
    )
    languages: list[str] = Field(default_factory=list, max_length=200)


class SignedUpPublic(UserCreatedPublic):
    """The new user; ``token`` is their API token, shown this once."""
