"""Lifecycles of items, assignments and projects: documented enums plus one transition table."""

from __future__ import annotations

from enum import StrEnum

from expertloop.core.errors import Conflict


class ItemState(StrEnum):
    """Where an item stands in collecting its ``overlap`` judgments."""

    OPEN = "open"
    """At least one slot is free: judgments + live leases < overlap."""
    FULL = "full"
    """Every slot is taken by a judgment or a live lease; a lease ending reopens it."""
    COMPLETE = "complete"
    """Judged ``overlap`` times by distinct experts; never served again."""


class AssignmentStatus(StrEnum):
    """The life of one lease: one item reserved for one expert."""

    ACTIVE = "active"
    """Reserved until ``expires_at``; heartbeats push that forward."""
    SUBMITTED = "submitted"
    """The expert's judgment is stored; the slot is spent."""
    RELEASED = "released"
    """The expert skipped the item; the slot went back to the pool."""
    EXPIRED = "expired"
    """No heartbeat came in time; the slot went back to the pool."""


class ProjectStatus(StrEnum):
    """Whether a project hands out work."""

    ACTIVE = "active"
    """Experts can claim its items."""
    PAUSED = "paused"
    """Visible, but claims return nothing."""
    CLOSED = "closed"
    """Finished; kept for export."""


class Role(StrEnum):
    """What a user is in the instance."""

    ADMIN = "admin"
    """Users, tracks and rates, instance settings; everything a lead may do."""
    LEAD = "lead"
    """Creates projects, imports items, watches progress, exports."""
    REVIEWER = "reviewer"
    """An expert with review rights."""
    EXPERT = "expert"
    """Works tasks in projects they qualify for."""


ASSIGNMENT_TRANSITIONS: dict[AssignmentStatus, frozenset[AssignmentStatus]] = {
    AssignmentStatus.ACTIVE: frozenset(
        {AssignmentStatus.SUBMITTED, AssignmentStatus.RELEASED, AssignmentStatus.EXPIRED}
    ),
    AssignmentStatus.SUBMITTED: frozenset(),
    AssignmentStatus.RELEASED: frozenset(),
    AssignmentStatus.EXPIRED: frozenset(),
}


def check_assignment_transition(current: AssignmentStatus, target: AssignmentStatus) -> None:
    """Raise ``Conflict`` when a lease cannot move from ``current`` to ``target``."""
    if target not in ASSIGNMENT_TRANSITIONS[current]:
        code = "lease.expired" if current is AssignmentStatus.EXPIRED else f"lease.{current.value}"
        raise Conflict(code, f"this lease is {current.value} and cannot become {target.value}")


def item_state(*, overlap: int, judgments: int, leases: int) -> ItemState:
    """The state an item is in, derived from its counts (the one place this rule lives)."""
    if judgments >= overlap:
        return ItemState.COMPLETE
    if judgments + leases >= overlap:
        return ItemState.FULL
    return ItemState.OPEN
