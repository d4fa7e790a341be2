"""The simulation behind ``expertloop bench quality``: adaptive against fixed overlap.

A benchmark, not a test. N items have a known true label, K simulated experts a known
accuracy: expert ``e`` answers item ``i`` with the truth with probability ``accuracy[e]``, else
with one of the other labels drawn uniformly. Every answer is drawn once, up front, from the
seed, so each arm sees the same answer whenever the same expert judges the same item.

Each arm is a ``label`` project on the same database, worked through the real services: in
every round the experts, in an order shuffled by the seed, each claim one item if they can and
submit their answer at once. When a round claims nothing, ``refresh_project`` recomputes the
consensus (and, under adaptive overlap, opens a slot on each item below the confidence target,
or marks it disputed at ``k_max``); the arm ends when a refresh opens no slot. The consensus
rows are then scored against the truth.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from expertloop.core.lifecycles import ConsensusState, Role
from expertloop.core.policies import Actor
from expertloop.services import aggregation, items, judgments, projects, quality, queue, users
from expertloop.store import Database, Session
from expertloop.store.db import is_sqlite
from expertloop.store.migrate import upgrade

DISPUTED = ConsensusState.DISPUTED.value
START = datetime(2026, 12, 2, tzinfo=UTC)
"""The simulated clock's start; it moves one second per round (leases never expire)."""


@dataclass(frozen=True)
class SimConfig:
    """What one simulation compares."""

    items: int = 300
    experts: int = 12
    labels: int = 2
    seed: int = 0
    target: float = 0.8
    k_min: int = 2
    k_max: int = 6
    best: float = 0.95
    worst: float = 0.6


@dataclass(frozen=True)
class Arm:
    """One way of collecting judgments: a fixed overlap, or an adaptive quality policy."""

    name: str
    overlap: int
    quality: dict[str, Any]
    k_max: int


@dataclass(frozen=True)
class World:
    """The known truth: each item's label, each expert's accuracy and every answer they would
    give (``answers[e, i]``, label codes)."""

    labels: list[str]
    truth: np.ndarray
    accuracy: np.ndarray
    answers: np.ndarray


@dataclass
class Progress:
    """What one arm has done so far; ``index`` maps item ids to the simulation's indices."""

    index: dict[int, int]
    judgments: int = 0
    rounds: int = 0
    refreshes: int = 0

    def now(self) -> datetime:
        return START + timedelta(seconds=self.rounds)


def stream(seed: int, purpose: int) -> np.random.Generator:
    """An independent generator per purpose: 0 the world, 1 the turn order, 2 aggregation."""
    return np.random.default_rng([seed, purpose])


def make_world(config: SimConfig) -> World:
    """Draw the truth and every expert's answer to every item from ``config.seed``."""
    rng = stream(config.seed, 0)
    labels = ["yes", "no"] if config.labels == 2 else [f"c{code}" for code in range(config.labels)]
    truth = rng.integers(0, config.labels, size=config.items)
    accuracy = np.linspace(config.best, config.worst, config.experts)
    right = rng.random((config.experts, config.items)) < accuracy[:, None]
    # a wrong answer: the truth shifted by 1 .. L-1, uniformly among the other labels
    shift = rng.integers(1, max(config.labels, 2), size=(config.experts, config.items))
    answers = np.where(right, truth[None, :], (truth[None, :] + shift) % config.labels)
    return World(labels, truth, accuracy, answers)


def default_arms(config: SimConfig) -> list[Arm]:
    """Fixed overlap 3 and 5 (Dawid-Skene consensus) against adaptive overlap."""
    adaptive = {"k_min": config.k_min, "k_max": config.k_max, "target": config.target}
    return [
        Arm("fixed-3", 3, {"method": "ds"}, 3),
        Arm("fixed-5", 5, {"method": "ds"}, 5),
        Arm(
            f"adaptive-{config.k_min}..{config.k_max}@{config.target:g}",
            config.k_min,
            {"method": "ds", "overlap": adaptive},
            config.k_max,
        ),
    ]


def run_simulation(url: str, config: SimConfig) -> dict[str, Any]:
    """Migrate ``url``, add a lead and K experts, run every arm; the report as a JSON-able
    dict. The database only gains this run's users and projects."""
    upgrade(url)
    world = make_world(config)
    database = Database(url)
    try:
        run = secrets.token_hex(4)
        lead = new_user(database, "lead", run, 0)
        experts = [new_user(database, "expert", run, e) for e in range(config.experts)]
        results = [
            run_arm(database, arm, world, lead, experts, config) for arm in default_arms(config)
        ]
    finally:
        database.dispose()
    return {
        "items": config.items,
        "experts": config.experts,
        "labels": config.labels,
        "seed": config.seed,
        "backend": "sqlite" if is_sqlite(url) else "postgresql",
        "accuracies": [round(float(a), 4) for a in world.accuracy],
        "mean_accuracy": round(float(world.accuracy.mean()), 4),
        "arms": results,
    }


def new_user(database: Database, role: str, run: str, index: int) -> Actor:
    with database.scoped() as session:
        created = users.create_user(
            session=session,
            actor=None,
            email=f"sim-{run}-{role}{index}@example.org",
            name=f"Simulated {role} {index}",
            role=role,
            password=None,
            now=START,
        )
    return Actor(created.user.id, Role(role))


def run_arm(
    database: Database,
    arm: Arm,
    world: World,
    lead: Actor,
    experts: list[Actor],
    config: SimConfig,
) -> dict[str, Any]:
    """Create the arm's project, work it until a refresh opens no slot, score its consensus."""
    started = time.perf_counter()
    project_id = create_arm_project(database, arm, world, lead)
    progress = Progress(index={})
    order_rng, refresh_rng = stream(config.seed, 1), stream(config.seed, 2)
    while True:
        while work_round(database, project_id, shuffled(experts, order_rng), world, progress):
            pass
        if refresh(database, project_id, progress, refresh_rng) == 0:
            break
    seconds = time.perf_counter() - started
    return score_arm(database, arm, project_id, world, progress) | {"seconds": round(seconds, 2)}


def create_arm_project(database: Database, arm: Arm, world: World, lead: Actor) -> int:
    draft = projects.ProjectDraft(
        name=f"simulation {arm.name}",
        kind="label",
        spec={"labels": world.labels, "multiple": False},
        overlap=arm.overlap,
        lease_seconds=600,
        quality=arm.quality,
    )
    with database.scoped() as session:
        project = projects.create_project(session=session, actor=lead, draft=draft, now=START)
    rows = [
        {"external_id": f"sim-{index}", "prompt": f"Simulated item {index}: which label holds?"}
        for index in range(len(world.truth))
    ]
    with database.scoped() as session:
        items.import_items(session=session, actor=lead, project_id=project.id, rows=rows, now=START)
    return project.id


def shuffled(experts: list[Actor], rng: np.random.Generator) -> list[tuple[int, Actor]]:
    """This round's turn order: (the expert's index in the world, the expert)."""
    return [(int(e), experts[int(e)]) for e in rng.permutation(len(experts))]


def work_round(
    database: Database,
    project_id: int,
    turns: list[tuple[int, Actor]],
    world: World,
    progress: Progress,
) -> bool:
    """Each expert in turn claims one item if they can and submits; True if anyone did."""
    progress.rounds += 1
    worked = False
    for number, expert in turns:
        with database.scoped() as session:
            worked |= claim_and_submit(session, project_id, number, expert, world, progress)
    return worked


def claim_and_submit(
    session: Session,
    project_id: int,
    number: int,
    expert: Actor,
    world: World,
    progress: Progress,
) -> bool:
    """One claim, then at once the expert's drawn answer to the claimed item."""
    now = progress.now()
    claim = queue.claim_next(session=session, actor=expert, project_id=project_id, now=now)
    if claim is None:
        return False
    index = int(str(claim.item.external_id).removeprefix("sim-"))
    progress.index[claim.item.id] = index
    answer = world.labels[int(world.answers[number, index])]
    judgments.submit_judgment(
        session=session,
        actor=expert,
        assignment_id=claim.assignment.id,
        value={"labels": [answer]},
        rationale="",
        idempotency_key=f"sim-{claim.assignment.id}",
        now=now,
    )
    progress.judgments += 1
    return True


def refresh(
    database: Database, project_id: int, progress: Progress, rng: np.random.Generator
) -> int:
    """Recompute the consensus; the slots adaptive overlap opened."""
    progress.refreshes += 1
    with database.scoped() as session:
        done = aggregation.refresh_project(
            session=session, project_id=project_id, now=progress.now(), rng=rng
        )
    if done is None:
        raise RuntimeError(f"another worker is refreshing project {project_id}; stop it first")
    return done.slots_opened


def score_arm(
    database: Database, arm: Arm, project_id: int, world: World, progress: Progress
) -> dict[str, Any]:
    """Judgments spent and the consensus scored against the truth."""
    with database.scoped(write=False) as session:
        rows = quality.list_consensus(
            session=session, actor=None, project_id=project_id, limit=len(world.truth) + 1
        )
        found = [
            (progress.index[row.item_id], (row.value or {}).get("labels"), row.state, row.judgments)
            for row in rows
        ]
    right = [labels == [world.labels[int(world.truth[index])]] for index, labels, _, _ in found]
    settled = [ok for ok, (_, _, state, _) in zip(right, found, strict=True) if state != DISPUTED]
    spread = Counter(count for _, _, _, count in found)
    return {
        "arm": arm.name,
        "policy": arm.quality.get("overlap") or {"overlap": arm.overlap},
        "judgments": progress.judgments,
        "judgments_per_item": round(progress.judgments / len(world.truth), 3),
        "items_by_judgments": {str(k): spread[k] for k in sorted(spread)},
        "accuracy": round(sum(right) / len(world.truth), 4),
        "accuracy_not_disputed": round(sum(settled) / len(settled), 4) if settled else None,
        "disputed": len(right) - len(settled),
        "items_with_consensus": len(found),
        "refreshes": progress.refreshes,
        "rounds": progress.rounds,
        "k_max": arm.k_max,
    }
