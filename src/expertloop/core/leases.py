"""Lease rules: when a lease ends, how heartbeats extend it, and how active time accrues."""

from __future__ import annotations

from datetime import datetime, timedelta

from expertloop.core.errors import Conflict
from expertloop.core.lifecycles import AssignmentStatus

MAX_ACTIVE_GAP_SECONDS = 60.0
"""A gap between heartbeats longer than this counts as idle, never as work."""


def lease_expiry(now: datetime, lease_seconds: int) -> datetime:
    """When a lease taken or extended at ``now`` ends."""
    return now + timedelta(seconds=lease_seconds)


def is_live(status: AssignmentStatus, expires_at: datetime, now: datetime) -> bool:
    """A lease holds its slot while active and not past its expiry."""
    return status is AssignmentStatus.ACTIVE and now < expires_at


def require_live(
    *, status: AssignmentStatus, expires_at: datetime, now: datetime, owner_id: int, actor_id: int
) -> None:
    """Raise the stable conflict for a lease the actor cannot use right now.

    Raises:
        Conflict: ``lease.not_owner`` for someone else's lease, ``lease.expired`` when its time ran
            out, ``lease.submitted`` / ``lease.released`` when it already ended.
    """
    if owner_id != actor_id:
        raise Conflict("lease.not_owner", "this lease belongs to another expert")
    if status is AssignmentStatus.ACTIVE and now >= expires_at:
        raise Conflict("lease.expired", "this lease expired; claim the next item")
    if status is AssignmentStatus.EXPIRED:
        raise Conflict("lease.expired", "this lease expired; claim the next item")
    if status is not AssignmentStatus.ACTIVE:
        raise Conflict(f"lease.{status.value}", f"this lease was already {status.value}")


def active_seconds_between(last_seen: datetime, now: datetime) -> float:
    """Active time credited for the gap since the last sign of life (idle gaps are capped)."""
    gap = (now - last_seen).total_seconds()
    return max(0.0, min(gap, MAX_ACTIVE_GAP_SECONDS))
