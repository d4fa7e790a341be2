"""Lease rules, lifecycles and routing order on small known cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from expertloop.core.errors import Conflict
from expertloop.core.leases import active_seconds_between, lease_expiry, require_live
from expertloop.core.lifecycles import (
    AssignmentStatus,
    ItemState,
    check_assignment_transition,
    item_state,
)
from expertloop.core.routing import Candidate, pick_next

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overlap", "judgments", "leases", "state"),
    [
        (3, 0, 0, ItemState.OPEN),
        (3, 1, 1, ItemState.OPEN),
        (3, 1, 2, ItemState.FULL),
        (3, 0, 3, ItemState.FULL),
        (3, 3, 0, ItemState.COMPLETE),
        (1, 1, 0, ItemState.COMPLETE),
    ],
)
def test_item_state(overlap: int, judgments: int, leases: int, state: ItemState) -> None:
    assert item_state(overlap=overlap, judgments=judgments, leases=leases) is state


@pytest.mark.parametrize(
    ("status", "expires", "owner", "code"),
    [
        (AssignmentStatus.ACTIVE, NOW + timedelta(seconds=1), 1, None),
        (AssignmentStatus.ACTIVE, NOW, 1, "lease.expired"),
        (AssignmentStatus.ACTIVE, NOW + timedelta(seconds=1), 2, "lease.not_owner"),
        (AssignmentStatus.EXPIRED, NOW + timedelta(seconds=1), 1, "lease.expired"),
        (AssignmentStatus.SUBMITTED, NOW + timedelta(seconds=1), 1, "lease.submitted"),
        (AssignmentStatus.RELEASED, NOW + timedelta(seconds=1), 1, "lease.released"),
    ],
)
def test_require_live(
    status: AssignmentStatus, expires: datetime, owner: int, code: str | None
) -> None:
    if code is None:
        require_live(status=status, expires_at=expires, now=NOW, owner_id=owner, actor_id=1)
        return
    with pytest.raises(Conflict) as raised:
        require_live(status=status, expires_at=expires, now=NOW, owner_id=owner, actor_id=1)
    assert raised.value.code == code


def test_assignment_transitions_only_from_active() -> None:
    check_assignment_transition(AssignmentStatus.ACTIVE, AssignmentStatus.SUBMITTED)
    for ended in (AssignmentStatus.SUBMITTED, AssignmentStatus.EXPIRED, AssignmentStatus.RELEASED):
        with pytest.raises(Conflict):
            check_assignment_transition(ended, AssignmentStatus.SUBMITTED)


def test_lease_expiry_and_active_time() -> None:
    assert lease_expiry(NOW, 90) == NOW + timedelta(seconds=90)
    assert active_seconds_between(NOW, NOW + timedelta(seconds=12)) == 12
    assert active_seconds_between(NOW, NOW + timedelta(hours=1)) == 60  # idle is not work
    assert active_seconds_between(NOW, NOW - timedelta(seconds=5)) == 0


def test_pick_next_follows_routing_order() -> None:
    candidates = [
        Candidate(id=1, started=False, priority=0, has_free_slot=True),
        Candidate(id=2, started=False, priority=5, has_free_slot=True),
        Candidate(id=3, started=True, priority=0, has_free_slot=True),
        Candidate(id=4, started=True, priority=9, has_free_slot=True, seen_by_expert=True),
        Candidate(id=5, started=True, priority=9, has_free_slot=False),
        Candidate(id=6, started=True, priority=9, has_free_slot=True, author_id=7),
    ]
    assert pick_next(candidates, expert_id=7) == candidates[2]
    assert pick_next(candidates[:2], expert_id=7) == candidates[1]
    assert pick_next(candidates[3:5], expert_id=7) is None
