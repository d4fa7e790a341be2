"""Routing: which item an expert gets next, as a pure ordering over candidates.

Order (DESIGN.md): the expert's own live lease first (resume), then items already started
(finish what is started), then higher priority, then older items. Gold injection joins this
order when gold items land. Candidates exclude items the expert already had or authored, and
items without a free slot. The store turns ``CLAIM_ORDER`` into an indexed ``ORDER BY``; the
tests check the store against ``claim_sort_key`` on the same snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CLAIM_ORDER: tuple[tuple[str, bool], ...] = (
    ("started", True),
    ("priority", True),
    ("id", False),
)
"""Item columns and whether each sorts descending, most significant first."""


@dataclass(frozen=True)
class Candidate:
    """An item as routing sees it."""

    id: int
    started: bool
    priority: int
    has_free_slot: bool
    author_id: int | None = None
    seen_by_expert: bool = False


def claim_sort_key(candidate: Candidate) -> tuple[int, int, int]:
    """Sort key realising ``CLAIM_ORDER`` (smallest first)."""
    return (-int(candidate.started), -candidate.priority, candidate.id)


def eligible(candidate: Candidate, expert_id: int) -> bool:
    """An expert may receive an item with a free slot that they neither had nor wrote."""
    return (
        candidate.has_free_slot
        and not candidate.seen_by_expert
        and candidate.author_id != expert_id
    )


def pick_next(candidates: Iterable[Candidate], expert_id: int) -> Candidate | None:
    """The item this expert should get next, or None when nothing is left for them."""
    allowed = [c for c in candidates if eligible(c, expert_id)]
    return min(allowed, key=claim_sort_key, default=None)
