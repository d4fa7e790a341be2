"""Tables. Counters on ``items`` change only inside the transaction that changes what they
count; ``tests/store/test_counters.py`` recounts them after concurrent load."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from expertloop.store.base import Base
from expertloop.store.types import Id, Json


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    csrf: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]


class Track(Base):
    __tablename__ = "tracks"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    hourly_rate: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")


class Domain(Base):
    """A field of the extensible domain taxonomy (``parent_id`` nests it: law > tax law)."""

    __tablename__ = "domains"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("domains.id"))
    created_at: Mapped[datetime]


class ExpertProfile(Base):
    __tablename__ = "expert_profiles"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    domains: Mapped[Any] = mapped_column(Json, default=list)
    languages: Mapped[Any] = mapped_column(Json, default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Credential(Base):
    """A degree, licence, certification or stretch of practice an expert claims; an admin may
    mark it verified (or rejected) with a note."""

    __tablename__ = "credentials"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    issuer: Mapped[str] = mapped_column(String(300), default="")
    year: Mapped[int | None] = mapped_column(Integer)
    years_of_practice: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    spec: Mapped[dict[str, Any]]
    guidelines: Mapped[str] = mapped_column(Text, default="")
    guidelines_version: Mapped[int] = mapped_column(Integer, default=1)
    overlap: Mapped[int] = mapped_column(Integer)
    lease_seconds: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    """The project's own rate (USD/hour); None pays the rate of its first required track."""
    minutes_per_item: Mapped[int | None] = mapped_column(Integer)
    """The lead's estimate, shown to experts until measured times replace it."""
    requirements: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """``{"tracks": [names], "domains": [slugs], "min_quality": float | None}``."""
    quality: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """The quality policy (``core.quality_policy``): gold, adaptive overlap, review, method."""


class GuidelineVersion(Base):
    __tablename__ = "guideline_versions"
    __table_args__ = (UniqueConstraint("project_id", "version"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    spec: Mapped[dict[str, Any]]
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("project_id", "external_id"),
        Index("ix_items_project", "project_id", "id"),
        Index("ix_items_state", "project_id", "state", "id"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(200))
    prompt: Mapped[Any] = mapped_column(Json)
    context: Mapped[str | None] = mapped_column(Text)
    responses: Mapped[Any] = mapped_column(Json)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    overlap: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    started: Mapped[bool] = mapped_column(Boolean, default=False)
    judgments_count: Mapped[int] = mapped_column(Integer, default=0)
    leases_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]


# The claim walks this index in routing order (``store.queue``): its columns and directions are
# the claim's WHERE and ORDER BY, so no claim sorts or scans the open items.
Index(
    "ix_items_claim",
    Item.project_id,
    Item.state,
    Item.started,
    Item.priority.desc(),
    Item.id,
)


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("item_id", "expert_id"),
        # Only live leases, however many a project has had: the sweep of expired ones and the
        # live counts (by project), the resume of an expert's own (by expert). A query reaches
        # them by writing ``LIVE_LEASE`` itself (a bound value cannot be matched to them).
        Index(
            "ix_assignments_live",
            "project_id",
            "expires_at",
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index(
            "ix_assignments_expert_live",
            "expert_id",
            "project_id",
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    active_seconds: Mapped[float] = mapped_column(default=0.0)
    ended_at: Mapped[datetime | None]


LIVE_LEASE = Assignment.status == literal_column("'active'")
"""A lease is live (``AssignmentStatus.ACTIVE``), written as the partial indexes' own condition."""


class Judgment(Base):
    __tablename__ = "judgments"
    __table_args__ = (
        UniqueConstraint("expert_id", "idempotency_key"),
        Index("ix_judgments_project", "project_id", "id"),
        Index("ix_judgments_review", "project_id", "review_state", "id"),
        Index("ix_judgments_expert", "project_id", "expert_id", "id"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    value: Mapped[dict[str, Any]]
    rationale: Mapped[str] = mapped_column(Text, default="")
    guideline_version: Mapped[int] = mapped_column(Integer)
    active_seconds: Mapped[float] = mapped_column(default=0.0)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    review_state: Mapped[str | None] = mapped_column(String(20))
    """None: not picked for review; else a ``ReviewState``."""


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Id)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class Assessment(Base):
    """Questions for a track (optionally one domain), with their answer key, a pass mark and a
    time limit. The key lives in ``questions`` and never leaves the services for an expert."""

    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), index=True)
    domain: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[Any] = mapped_column(Json)
    pass_mark: Mapped[float]
    time_limit_seconds: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class AssessmentAttempt(Base):
    """One expert's attempt at an assessment; ``number`` counts from 1 and is unique per expert
    and assessment, which is what makes a second concurrent start fail."""

    __tablename__ = "assessment_attempts"
    __table_args__ = (
        UniqueConstraint("assessment_id", "expert_id", "number"),
        Index("ix_assessment_attempts_status", "status", "id"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime]
    deadline: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    points: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Points per question id: auto-graded at submit, free text by the reviewer."""
    score: Mapped[float | None]
    graded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    graded_at: Mapped[datetime | None]
    feedback: Mapped[str] = mapped_column(Text, default="")


class AttemptGrant(Base):
    """An admin's permission for one more attempt, with the reason."""

    __tablename__ = "attempt_grants"
    __table_args__ = (Index("ix_attempt_grants_expert", "assessment_id", "expert_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class Qualification(Base):
    """Expert x track (+ domain; ``""`` means the whole track), portable across projects."""

    __tablename__ = "qualifications"
    __table_args__ = (UniqueConstraint("expert_id", "track_id", "domain"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"))
    domain: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class QualificationEvent(Base):
    """One grant, suspension, reinstatement or revocation: who (None: the system), when, why."""

    __tablename__ = "qualification_events"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    qualification_id: Mapped[int] = mapped_column(
        ForeignKey("qualifications.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class Invitation(Base):
    """A single-use sign-up link sent to one email address; only its hash is stored."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


# The quality and export tables live in their own modules; importing them here registers them
# on Base's metadata (migrations see every table) and keeps one place to import tables from.
from expertloop.store.export_tables import ExportJob, InstanceSecret  # noqa: E402
from expertloop.store.quality_tables import (  # noqa: E402
    Consensus,
    ExpertQuality,
    GoldAnswer,
    ProjectQuality,
    Review,
)

__all__ = [
    "Base",
    "Consensus",
    "ExpertQuality",
    "ExportJob",
    "GoldAnswer",
    "InstanceSecret",
    "ProjectQuality",
    "Review",
]
