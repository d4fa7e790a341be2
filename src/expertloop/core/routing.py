"""Routing: which item an expert gets next, as a pure ordering over candidates.

Order (DESIGN.md): the expert's own live lease first (resume), then items already started
(finish what is started), then higher priority, then older items. Gold injection comes before
all of these when the project's gold policy says a gold item is due (``core.gold``).
Candidates exclude items the expert already had or authored, and items without a free slot.

The claim must cost the same whatever the project's size and whatever the expert's history, so
the started items are looked at through a window: the first ``STARTED_WINDOW`` started items
with a free slot, in order. When the expert had (or wrote) every one of them, a fresh item is
served before any started item further down; only when no fresh item is left are the started
items beyond the window searched. The window keeps the claim's cost flat when a project has
more started items than experts to finish them (fewer qualified experts than its overlap, or
adaptive overlap waiting for a new expert): those items pile up, and an expert who had them all
would otherwise walk past every one of them on every claim.

The store realises ``pick_next`` with three indexed statements, one per tier, each ordered by
``TIER_ORDER`` (``tests/store/test_claim_routing.py`` checks the store against ``pick_next``
on the same snapshots, and reads each statement's plan).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

STARTED_WINDOW = 64
"""How many started items (with a free slot, in order) a claim looks at before it serves a
fresh item: more than the experts who usually work one project at once, so the started items
are finished first in practice, and few enough to read in a fraction of a millisecond."""

TIER_ORDER: tuple[tuple[str, bool], ...] = (("priority", True), ("id", False))
"""Item columns and whether each sorts descending, most significant first, inside a tier."""


@dataclass(frozen=True)
class Candidate:
    """An item as routing sees it."""

    id: int
    started: bool
    priority: int
    has_free_slot: bool
    author_id: int | None = None
    seen_by_expert: bool = False


def tier_sort_key(candidate: Candidate) -> tuple[int, int]:
    """Sort key realising ``TIER_ORDER`` (smallest first)."""
    return (-candidate.priority, candidate.id)


def eligible(candidate: Candidate, expert_id: int) -> bool:
    """An expert may receive an item with a free slot that they neither had nor wrote."""
    return not candidate.seen_by_expert and candidate.author_id != expert_id


def tiers(
    candidates: Iterable[Candidate], window: int = STARTED_WINDOW
) -> tuple[list[Candidate], list[Candidate], list[Candidate]]:
    """The candidates with a free slot in the order a claim searches them: the started items
    inside the window, the fresh items, the started items beyond the window."""
    open_items = sorted((c for c in candidates if c.has_free_slot), key=tier_sort_key)
    started = [c for c in open_items if c.started]
    fresh = [c for c in open_items if not c.started]
    return started[:window], fresh, started[window:]


def first_eligible(candidates: Sequence[Candidate], expert_id: int) -> Candidate | None:
    return next((c for c in candidates if eligible(c, expert_id)), None)


def pick_next(
    candidates: Iterable[Candidate], expert_id: int, *, window: int = STARTED_WINDOW
) -> Candidate | None:
    """The item this expert should get next, or None when nothing is left for them.

    Example:
        >>> items = [Candidate(1, False, 0, True), Candidate(2, True, 0, True)]
        >>> pick_next(items, expert_id=7).id
        2
        >>> seen = [Candidate(1, False, 0, True), Candidate(2, True, 0, True, seen_by_expert=True)]
        >>> pick_next(seen, expert_id=7).id
        1
    """
    for tier in tiers(candidates, window):
        found = first_eligible(tier, expert_id)
        if found is not None:
            return found
    return None
