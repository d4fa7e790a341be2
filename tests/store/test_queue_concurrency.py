"""The lease queue under real concurrency: 16 threads, each a distinct expert with its own
sessions, claim and submit through the services until every item has its ``overlap``
judgments. Runs on SQLite and, when its URL is set, on PostgreSQL."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from expertloop.core.errors import Conflict
from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services import judgments, projects, queue
from expertloop.store import Database
from queue_checks import assert_exact

EXPERTS, ITEMS, OVERLAP = 16, 200, 3
DEADLINE_SECONDS = 180.0
Choose = Callable[[random.Random], str]


WAIT_TICK, WORK_TICK = 0.01, 0.5
"""Virtual seconds added by an expert waiting for a slot, and by each accepted judgment."""


class SharedClock:
    """Virtual time shared by all threads. It moves with the work (each judgment) and with
    waiting, so abandoned leases expire after a bounded amount of either, without sleeping
    for real, while a lease being worked on normally outlives the few calls it needs."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.now += timedelta(seconds=seconds)


class Expert:
    """One simulated expert looping claim -> (submit | release | abandon) on its own sessions."""

    def __init__(
        self,
        database: Database,
        actor: Actor,
        project_id: int,
        clock: SharedClock,
        choose: Choose,
        seed: int,
    ) -> None:
        self.database, self.actor, self.project_id = database, actor, project_id
        self.clock, self.choose, self.rng = clock, choose, random.Random(seed)
        self.stats: Counter[str] = Counter()
        self.abandoned: set[int] = set()

    def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            with self.database.scoped() as session:
                claim = queue.claim_next(
                    session=session, actor=self.actor, project_id=self.project_id, now=self.clock()
                )
            if claim is None and self.all_complete():
                return
            if claim is None or claim.assignment.id in self.abandoned:
                # Items are full with others' leases, or our own forgotten lease resumes
                # until it expires: wait, and let time pass.
                self.clock.advance(WAIT_TICK)
                time.sleep(0.005)
            else:
                self.act(claim.assignment.id)
        raise AssertionError(f"expert {self.actor.id} ran out of time")

    def act(self, assignment_id: int) -> None:
        action = self.choose(self.rng)
        self.stats[action] += 1
        if action == "abandon":
            self.abandoned.add(assignment_id)
            return
        try:
            with self.database.scoped() as session:
                if action == "release":
                    queue.release(
                        session=session,
                        actor=self.actor,
                        assignment_id=assignment_id,
                        now=self.clock(),
                    )
                else:
                    self.submit(session, assignment_id)
                    self.clock.advance(WORK_TICK)
        except Conflict as error:  # our lease ran out while we thought; its slot moved on
            assert error.code == "lease.expired", error.code
            self.stats["expired"] += 1

    def submit(self, session: object, assignment_id: int) -> None:
        judgments.submit_judgment(
            session=session,
            actor=self.actor,
            assignment_id=assignment_id,  # type: ignore[arg-type]
            value={"labels": [self.rng.choice(["yes", "no"])]},
            rationale="checked",
            idempotency_key=f"{self.actor.id}-{assignment_id}",
            now=self.clock(),
        )

    def all_complete(self) -> bool:
        with self.database.scoped(write=False) as session:
            progress = projects.get_progress(
                session=session, actor=None, project_id=self.project_id, now=self.clock()
            )
        return progress.complete == progress.items


def run_experts(experts: list[Expert]) -> None:
    """Start every expert at once, wait (bounded), and re-raise the first failure."""
    failures: list[BaseException] = []
    start = threading.Barrier(len(experts))
    deadline = time.monotonic() + DEADLINE_SECONDS

    def target(expert: Expert) -> None:
        try:
            start.wait(timeout=30)
            expert.run(deadline)
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=target, args=(e,), daemon=True) for e in experts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE_SECONDS + 30)
    assert not any(t.is_alive() for t in threads), "an expert thread hung"
    if failures:
        raise failures[0]


def make_experts(
    factory, database, clock, choose: Choose, *, lease_seconds: int
) -> tuple[int, list[Expert]]:
    lead = factory.user("lead")
    project_id = factory.project(
        lead=lead, overlap=OVERLAP, lease_seconds=lease_seconds, items=ITEMS
    )
    people = [factory.user("expert") for _ in range(EXPERTS)]
    experts = [
        Expert(database, Actor(p.id, Role.EXPERT), project_id, clock, choose, seed=index)
        for index, p in enumerate(people)
    ]
    return project_id, experts


def always_submit(_rng: random.Random) -> str:
    return "submit"


def sometimes_skip_or_abandon(rng: random.Random) -> str:
    draw = rng.random()
    return "release" if draw < 0.15 else "abandon" if draw < 0.25 else "submit"


def test_claim_submit_16_threads_judges_every_item_exactly_overlap_times(database, factory) -> None:
    clock = SharedClock()
    project_id, experts = make_experts(factory, database, clock, always_submit, lease_seconds=900)
    run_experts(experts)
    assert_exact(database, project_id, overlap=OVERLAP, now=clock())
    assert sum(e.stats["submit"] for e in experts) == ITEMS * OVERLAP
    assert sum(1 for e in experts if e.stats["submit"]) > 1  # the work was really shared


def test_claim_with_releases_and_abandoned_leases_still_judges_exactly(database, factory) -> None:
    # A 30 s lease lapses after about 60 judgments, or 3,000 waits, of virtual time.
    clock = SharedClock()
    project_id, experts = make_experts(
        factory, database, clock, sometimes_skip_or_abandon, lease_seconds=30
    )
    run_experts(experts)
    assert_exact(database, project_id, overlap=OVERLAP, now=clock())
    totals = sum((e.stats for e in experts), Counter())
    assert totals["release"] > 0 and totals["abandon"] > 0, totals
    counts_expired = totals["abandon"] + totals["expired"]
    assert counts_expired > 0
