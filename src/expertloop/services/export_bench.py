"""Use case for ``expertloop bench export``: seed a judged pairwise project fast.

A benchmark's set-up, not a way to collect work: it writes what the queue, the judgments and the
aggregation would have left behind for a finished project (experts with profiles, items with two
responses each, one submitted assignment and one judgment per expert and item, an agreed
consensus per item) with bulk inserts of ``batch_items`` items at a time, in one transaction.
Values are drawn from ``random.Random(seed)``: each item has a better response, each expert
picks it with probability 0.8 (strength 1 to 3, a rationale of about 100 characters, 20 to 300
active seconds, guideline version 1 or 2); the consensus is the judgments' majority.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from expertloop.core.errors import FieldError, invalid
from expertloop.core.lifecycles import (
    AssignmentStatus,
    ConsensusState,
    ItemState,
    ProjectStatus,
    Role,
)
from expertloop.store import Session, tallies
from expertloop.store import bench_seed as store

KINDS = ("pairwise",)
TOPICS = (
    "anticoagulation after a hip replacement",
    "the statute of limitations for a breach of contract",
    "hedging a floating-rate loan with an interest rate swap",
    "sizing a steel beam for a mezzanine floor",
    "dosing vancomycin in renal failure",
    "transfer pricing between two subsidiaries",
)
REGIONS = ("EU", "North America", "Asia", "Latin America", "Africa")
METHOD = "ds"  # what aggregation writes for pairwise projects (core.quality_policy)


@dataclass(frozen=True)
class BenchPlan:
    """What one seeded project holds: ``judgments`` spread ``overlap`` per item."""

    judgments: int
    overlap: int = 3
    experts: int = 40
    kind: str = "pairwise"
    seed: int = 0
    batch_items: int = 5000


@dataclass(frozen=True)
class SeededProject:
    """A seeded project: its id and how many items, judgments and consensus rows it has."""

    project_id: int
    items: int
    judgments: int


def seed_export_project(
    *, session: Session, plan: BenchPlan, name: str, now: datetime
) -> SeededProject:
    """Write a finished ``pairwise`` project of ``plan.judgments`` judgments; one transaction.

    Raises:
        Invalid: ``bench.invalid`` for an unknown kind, or fewer experts than the overlap.
    """
    _check(plan)
    rng = random.Random(plan.seed)
    run = secrets.token_hex(4)
    experts = _seed_experts(session, plan, run, now)
    project_id = store.insert_returning_ids(session, "projects", [_project(plan, name, now)])[0]
    items = plan.judgments // plan.overlap
    for start in range(0, items, plan.batch_items):
        indexes = range(start, min(items, start + plan.batch_items))
        _seed_batch(session, _Batch(project_id, plan, experts, now, rng), indexes)
    tallies.recount(session, project_id)
    session.commit()
    return SeededProject(project_id, items, items * plan.overlap)


def _check(plan: BenchPlan) -> None:
    problems = []
    if plan.kind not in KINDS:
        problems.append(FieldError("kind", f"the export bench seeds {', '.join(KINDS)} projects"))
    if plan.overlap < 1 or plan.experts < plan.overlap:
        problems.append(FieldError("overlap", "needs at least 1 and no more than the experts"))
    if plan.judgments < plan.overlap:
        problems.append(FieldError("judgments", "needs at least one item's worth (the overlap)"))
    if problems:
        raise invalid("bench.invalid", problems)


def _seed_experts(session: Session, plan: BenchPlan, run: str, now: datetime) -> list[int]:
    users = [
        {
            "email": f"bench-export-{run}-{index}@example.org",
            "name": f"Bench expert {index}",
            "role": Role.EXPERT.value,
            "password_hash": None,
            "active": True,
            "created_at": now - timedelta(days=90),
        }
        for index in range(plan.experts)
    ]
    ids = store.insert_returning_ids(session, "users", users)
    profiles = [
        {
            "user_id": user_id,
            "domains": [],
            "languages": ["en"],
            "attributes": {"region": REGIONS[i % len(REGIONS)], "years_of_practice": 3 + i % 25},
        }
        for i, user_id in enumerate(ids)
    ]
    store.insert_rows(session, "expert_profiles", profiles)
    return ids


def _project(plan: BenchPlan, name: str, now: datetime) -> dict[str, Any]:
    return {
        "name": name,
        "kind": plan.kind,
        "spec": {"min_rationale_chars": 40},
        "guidelines": "Prefer the answer a senior practitioner would sign off; say why.",
        "guidelines_version": 2,
        "overlap": plan.overlap,
        "lease_seconds": 600,
        "status": ProjectStatus.ACTIVE.value,
        "created_at": now - timedelta(days=60),
        "requirements": {},
        "quality": {},
    }


@dataclass(frozen=True)
class _Batch:
    project_id: int
    plan: BenchPlan
    experts: list[int]
    now: datetime
    rng: random.Random


def _seed_batch(session: Session, batch: _Batch, indexes: range) -> None:
    """Items, then their assignments, judgments and consensus, for ``indexes``."""
    plan, rng = batch.plan, batch.rng
    item_ids = store.insert_returning_ids(session, "items", [_item(batch, i) for i in indexes])
    better = [rng.choice("AB") for _ in indexes]
    assignments, judgments = [], []
    for index, item_id, side in zip(indexes, item_ids, better, strict=True):
        for slot in range(plan.overlap):
            expert = batch.experts[(index * plan.overlap + slot) % len(batch.experts)]
            made = batch.now - timedelta(days=30) + timedelta(seconds=index * 7 + slot)
            seconds = round(rng.uniform(20.0, 300.0), 1)
            assignments.append(_assignment(batch, item_id, expert, made, seconds))
            judgments.append(_judgment(batch, item_id, expert, made, seconds, side))
    assignment_ids = store.insert_returning_ids(session, "assignments", assignments)
    for judgment, assignment_id in zip(judgments, assignment_ids, strict=True):
        judgment["assignment_id"] = assignment_id
    store.insert_rows(session, "judgments", judgments)
    consensus = [_consensus(batch, item_id, judgments, k) for k, item_id in enumerate(item_ids)]
    store.insert_rows(session, "consensus", consensus)


def _item(batch: _Batch, index: int) -> dict[str, Any]:
    topic = TOPICS[index % len(TOPICS)]
    return {
        "project_id": batch.project_id,
        "external_id": f"pair-{index}",
        "prompt": f"Case {index}: explain {topic} to a colleague who has to act on it today.",
        "context": None,
        "responses": [
            {
                "id": "A",
                "text": f"{topic.capitalize()}: start from the guideline, then "
                f"adjust for case {index}'s specifics and document each step.",
                "model": "model-a",
            },
            {
                "id": "B",
                "text": f"For {topic}, the usual rule applies; check the exceptions "
                f"listed for case {index} before you proceed.",
                "model": "model-b",
            },
        ],
        "data": {},
        "metadata": {"source": "bench", "topic": index % len(TOPICS)},
        "priority": 0,
        "overlap": batch.plan.overlap,
        "state": ItemState.COMPLETE.value,
        "started": True,
        "judgments_count": batch.plan.overlap,
        "leases_count": 0,
        "created_at": batch.now - timedelta(days=45),
    }


def _assignment(
    batch: _Batch, item_id: int, expert: int, made: datetime, seconds: float
) -> dict[str, Any]:
    return {
        "project_id": batch.project_id,
        "item_id": item_id,
        "expert_id": expert,
        "status": AssignmentStatus.SUBMITTED.value,
        "created_at": made - timedelta(seconds=seconds),
        "expires_at": made - timedelta(seconds=seconds) + timedelta(minutes=10),
        "last_seen_at": made,
        "active_seconds": seconds,
        "ended_at": made,
    }


def _judgment(
    batch: _Batch, item_id: int, expert: int, made: datetime, seconds: float, better: str
) -> dict[str, Any]:
    rng = batch.rng
    choice = better if rng.random() < 0.8 else ("B" if better == "A" else "A")
    reason = rng.choice(("cites the current guideline", "names the exception", "is concrete"))
    other = "A" if choice == "B" else "B"
    rationale = (
        f"Response {choice} {reason} and states its limits; response {other} skips a step "
        f"that matters in practice ({rng.randint(1, 9)})."
    )
    return {
        "project_id": batch.project_id,
        "item_id": item_id,
        "expert_id": expert,
        "value": {"choice": choice, "strength": rng.randint(1, 3)},
        "rationale": rationale,
        "guideline_version": 1 if rng.random() < 0.3 else 2,
        "active_seconds": seconds,
        "idempotency_key": None,
        "created_at": made,
        "review_state": None,
    }


def _consensus(
    batch: _Batch, item_id: int, judgments: list[dict[str, Any]], position: int
) -> dict[str, Any]:
    overlap = batch.plan.overlap
    mine = judgments[position * overlap : (position + 1) * overlap]
    votes = Counter(j["value"]["choice"] for j in mine)
    choice, count = votes.most_common(1)[0]
    return {
        "item_id": item_id,
        "project_id": batch.project_id,
        "value": {"choice": choice},
        "confidence": round(0.5 + 0.5 * count / overlap - 0.01 * batch.rng.random(), 4),
        "method": METHOD,
        "state": ConsensusState.AGREED.value,
        "judgments": overlap,
        "detail": {},
        "adjudicated_by": None,
        "reason": "",
        "updated_at": batch.now - timedelta(days=1),
    }
