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
    """Judged ``overlap`` times by distinct experts; served again only if adaptive overlap
    opens another slot or a review rejects a judgment."""
    GOLD = "gold"
    """Has a known answer: served unmarked, once to each expert, by the gold policy; outside
    overlap and consensus. Stays gold until a lead unmarks it."""


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


def item_state(
    *, overlap: int, judgments: int, leases: int, current: str | None = None
) -> ItemState:
    """The state an item is in, derived from its counts (the one place this rule lives); a
    gold item (``current == "gold"``) stays gold whatever its counts."""
    if current == ItemState.GOLD.value:
        return ItemState.GOLD
    if judgments >= overlap:
        return ItemState.COMPLETE
    if judgments + leases >= overlap:
        return ItemState.FULL
    return ItemState.OPEN


class QualificationStatus(StrEnum):
    """Whether an expert may work a track's (and domain's) projects."""

    GRANTED = "granted"
    """Earned (an assessment passed) or given by an admin; the expert may claim."""
    SUSPENDED = "suspended"
    """Paused, by a lead or admin or automatically when measured quality falls below a
    project's bar; a lead or admin can reinstate it."""
    REVOKED = "revoked"
    """Taken away by an admin; only a new grant restores it."""


class QualificationAction(StrEnum):
    """What can happen to a qualification; each is kept as an event with who, when and why."""

    GRANT = "grant"
    """Create it granted, or grant a revoked one again."""
    SUSPEND = "suspend"
    """Granted to suspended."""
    REINSTATE = "reinstate"
    """Suspended back to granted."""
    REVOKE = "revoke"
    """Granted or suspended to revoked."""


QUALIFICATION_TRANSITIONS: dict[
    tuple[QualificationStatus | None, QualificationAction], QualificationStatus
] = {
    (None, QualificationAction.GRANT): QualificationStatus.GRANTED,
    (QualificationStatus.REVOKED, QualificationAction.GRANT): QualificationStatus.GRANTED,
    (QualificationStatus.GRANTED, QualificationAction.SUSPEND): QualificationStatus.SUSPENDED,
    (QualificationStatus.SUSPENDED, QualificationAction.REINSTATE): QualificationStatus.GRANTED,
    (QualificationStatus.GRANTED, QualificationAction.REVOKE): QualificationStatus.REVOKED,
    (QualificationStatus.SUSPENDED, QualificationAction.REVOKE): QualificationStatus.REVOKED,
}
"""(current status, or None when there is none yet; action) -> the status it leads to."""


def qualification_transition(
    current: QualificationStatus | None, action: QualificationAction
) -> QualificationStatus:
    """The status ``action`` leads to from ``current``.

    Raises:
        Conflict: ``qualification.<current>`` when the action does not apply (suspending a
            revoked qualification, granting one that is already granted...).
    """
    target = QUALIFICATION_TRANSITIONS.get((current, action))
    if target is None:
        state = current.value if current else "missing"
        raise Conflict(
            f"qualification.{state}", f"a qualification that is {state} cannot be {action.value}ed"
        )
    return target


class AttemptStatus(StrEnum):
    """The life of one attempt at an assessment."""

    IN_PROGRESS = "in_progress"
    """Started; answers are accepted until the deadline (the time limit, on the server)."""
    PENDING_REVIEW = "pending_review"
    """Submitted with free-text answers that a reviewer grades against the rubric."""
    PASSED = "passed"
    """Graded at or above the pass mark; the qualification was granted."""
    FAILED = "failed"
    """Graded below the pass mark."""
    EXPIRED = "expired"
    """The time limit ran out before a submission; counts as a failed attempt."""


ATTEMPT_TRANSITIONS: dict[AttemptStatus, frozenset[AttemptStatus]] = {
    AttemptStatus.IN_PROGRESS: frozenset(
        {
            AttemptStatus.PENDING_REVIEW,
            AttemptStatus.PASSED,
            AttemptStatus.FAILED,
            AttemptStatus.EXPIRED,
        }
    ),
    AttemptStatus.PENDING_REVIEW: frozenset({AttemptStatus.PASSED, AttemptStatus.FAILED}),
    AttemptStatus.PASSED: frozenset(),
    AttemptStatus.FAILED: frozenset(),
    AttemptStatus.EXPIRED: frozenset(),
}


def check_attempt_transition(current: AttemptStatus, target: AttemptStatus) -> None:
    """Raise ``Conflict`` (``attempt.<current>``) when an attempt cannot move to ``target``."""
    if target not in ATTEMPT_TRANSITIONS[current]:
        raise Conflict(
            f"attempt.{current.value}",
            f"this attempt is {current.value.replace('_', ' ')} and cannot become "
            f"{target.value.replace('_', ' ')}",
        )


class AssessmentStatus(StrEnum):
    """Whether experts can take an assessment."""

    DRAFT = "draft"
    """Being written; only leads and admins see it."""
    PUBLISHED = "published"
    """Experts see it and may start an attempt."""
    ARCHIVED = "archived"
    """Kept with its attempts; no new attempts."""


class CredentialStatus(StrEnum):
    """How far a credential an expert claims has been checked."""

    CLAIMED = "claimed"
    """Stated by the expert, not checked."""
    VERIFIED = "verified"
    """An admin checked it (the note says how)."""
    REJECTED = "rejected"
    """An admin could not confirm it (the note says why)."""


class ReviewState(StrEnum):
    """Where a judgment stands in review (a judgment never picked for review has none)."""

    PENDING = "pending"
    """Picked for review (by the project's share, the expert's probation or low measured
    reliability); waits in the reviewers' queue and counts toward consensus meanwhile."""
    ACCEPTED = "accepted"
    """A reviewer found it right."""
    REJECTED = "rejected"
    """A reviewer found it wrong: it leaves consensus and exports, and its slot reopens."""
    REVISED = "revised"
    """A reviewer corrected it: consensus and exports use the reviewer's value."""


class ReviewVerdict(StrEnum):
    """What a reviewer decides about a judgment."""

    ACCEPT = "accept"
    """The judgment stands."""
    REJECT = "reject"
    """The judgment is wrong; another expert judges the item instead."""
    REVISE = "revise"
    """The reviewer gives the corrected value."""


VERDICT_STATES: dict[ReviewVerdict, ReviewState] = {
    ReviewVerdict.ACCEPT: ReviewState.ACCEPTED,
    ReviewVerdict.REJECT: ReviewState.REJECTED,
    ReviewVerdict.REVISE: ReviewState.REVISED,
}
"""The state each verdict moves a pending judgment to; only a pending judgment is reviewed."""


def review_transition(current: str | None, verdict: ReviewVerdict) -> ReviewState:
    """The state a judgment under review moves to.

    Raises:
        Conflict: ``review.not_pending`` when the judgment is not waiting for review (never
            picked, or already reviewed).
    """
    if current != ReviewState.PENDING.value:
        state = current or "not picked for review"
        raise Conflict("review.not_pending", f"this judgment is {state}, not waiting for review")
    return VERDICT_STATES[verdict]


class ConsensusState(StrEnum):
    """Where an item's aggregate answer stands."""

    OPEN = "open"
    """Still collecting: fewer judgments than asked for, or below the confidence target with
    room for another expert."""
    AGREED = "agreed"
    """Enough judgments, and (with adaptive overlap) confident enough."""
    DISPUTED = "disputed"
    """Below the confidence target with no room left (k_max reached): waits for
    adjudication."""
    ADJUDICATED = "adjudicated"
    """A reviewer decided the answer, with a reason; aggregation never overwrites it."""


CONSENSUS_TRANSITIONS: dict[ConsensusState, frozenset[ConsensusState]] = {
    ConsensusState.OPEN: frozenset(
        {ConsensusState.OPEN, ConsensusState.AGREED, ConsensusState.DISPUTED}
    ),
    ConsensusState.AGREED: frozenset(
        {ConsensusState.AGREED, ConsensusState.OPEN, ConsensusState.DISPUTED}
    ),
    ConsensusState.DISPUTED: frozenset(
        {ConsensusState.DISPUTED, ConsensusState.AGREED, ConsensusState.ADJUDICATED}
    ),
    ConsensusState.ADJUDICATED: frozenset({ConsensusState.ADJUDICATED}),
}
"""Moves an aggregation refresh or an adjudication may make (a state may stay as it is)."""


def check_consensus_transition(current: ConsensusState, target: ConsensusState) -> None:
    """Raise ``Conflict`` (``consensus.<current>``) when consensus cannot move to ``target``."""
    if target not in CONSENSUS_TRANSITIONS[current]:
        raise Conflict(
            f"consensus.{current.value}",
            f"this item's consensus is {current.value} and cannot become {target.value}",
        )


class ExportJobStatus(StrEnum):
    """Where a background export stands."""

    QUEUED = "queued"
    """Asked for; waits for a worker."""
    RUNNING = "running"
    """A worker is writing the files."""
    DONE = "done"
    """The files are written and can be downloaded."""
    FAILED = "failed"
    """The export stopped; ``error`` says why. Nothing partial is offered for download."""


EXPORT_JOB_TRANSITIONS: dict[ExportJobStatus, frozenset[ExportJobStatus]] = {
    ExportJobStatus.QUEUED: frozenset({ExportJobStatus.RUNNING, ExportJobStatus.FAILED}),
    ExportJobStatus.RUNNING: frozenset(
        {ExportJobStatus.DONE, ExportJobStatus.FAILED, ExportJobStatus.QUEUED}
    ),
    ExportJobStatus.DONE: frozenset(),
    ExportJobStatus.FAILED: frozenset(),
}
"""Moves a worker may make (``running`` back to ``queued``: its worker died and the job is
picked up again)."""
