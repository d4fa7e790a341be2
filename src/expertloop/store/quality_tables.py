"""Tables of quality while the work runs: gold answers, experts' measured quality, consensus,
each project's aggregation state, reviews. ``tables`` imports them at its end, so they can be
imported from there like every other table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from expertloop.store.base import Base
from expertloop.store.types import Id, Json


class GoldAnswer(Base):
    """The known answer of a gold item (a judgment value of the project's kind)."""

    __tablename__ = "gold_answers"
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    answer: Mapped[dict[str, Any]]
    explanation: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class ExpertQuality(Base):
    """An expert's measured quality on one project: gold served and answered (all time, and in
    the window since their last reinstatement), and the reliability aggregation estimated."""

    __tablename__ = "expert_quality"
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    expert_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    claims: Mapped[int] = mapped_column(Integer, default=0)
    gold_claims: Mapped[int] = mapped_column(Integer, default=0)
    gold_answered: Mapped[int] = mapped_column(Integer, default=0)
    gold_correct: Mapped[int] = mapped_column(Integer, default=0)
    window_answered: Mapped[int] = mapped_column(Integer, default=0)
    window_correct: Mapped[int] = mapped_column(Integer, default=0)
    reliability: Mapped[float | None]
    gold_cursor: Mapped[int] = mapped_column(Id, default=0, server_default="0")
    """The last gold item served to the expert: the next gold pick starts after it."""
    clarity_sum: Mapped[float] = mapped_column(default=0.0)
    clarity_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]


class Consensus(Base):
    """An item's aggregate answer, its confidence, the method and its ``ConsensusState``."""

    __tablename__ = "consensus"
    __table_args__ = (
        Index("ix_consensus_state", "project_id", "state", "item_id"),
        Index("ix_consensus_queue", "state", "item_id"),
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    value: Mapped[dict[str, Any] | None] = mapped_column(Json)
    confidence: Mapped[float | None]
    method: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20))
    judgments: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    adjudicated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]


class ProjectQuality(Base):
    """Where a project's background aggregation stands: the last judgment and review it
    included, when it ran, when a refresh was asked for, and its project-level report."""

    __tablename__ = "project_quality"
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    last_judgment_id: Mapped[int] = mapped_column(Id, default=0)
    last_review_id: Mapped[int] = mapped_column(Id, default=0)
    requested_at: Mapped[datetime | None]
    refreshed_at: Mapped[datetime | None]
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str] = mapped_column(Text, default="")


class Review(Base):
    """A reviewer's verdict on one judgment, with feedback the expert sees and a rating of how
    clearly the rationale explains the answer."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_project", "project_id", "id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    judgment_id: Mapped[int] = mapped_column(
        ForeignKey("judgments.id", ondelete="CASCADE"), unique=True
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    verdict: Mapped[str] = mapped_column(String(20))
    feedback: Mapped[str] = mapped_column(Text, default="")
    clarity: Mapped[int | None] = mapped_column(Integer)
    revised_value: Mapped[dict[str, Any] | None] = mapped_column(Json)
    created_at: Mapped[datetime]
