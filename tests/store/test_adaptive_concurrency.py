"""Adaptive overlap under real concurrency: 12 expert threads claim and submit while a
refresher thread recomputes consensus (opening slots, disputing items) and, in one test, a
reviewer rejects judgments. Afterwards, read from the database: every item holds exactly its
overlap of counted judgments, by distinct experts, between k_min and k_max; confident items are
agreed, the others sit at k_max disputed; counters recount clean. SQLite and PostgreSQL; the
two-server-process variant on PostgreSQL only.

Answers are scripted: items with an even id are unanimous ("yes"); on odd items the expert's
id parity decides the label, so an odd item whose first two experts differ in parity splits and
must climb to k_max. In the review test three "sloppy" experts answer "maybe", and the reviewer
rejects their judgments whenever one is picked for review.

The last test replays, step by step, a race of the background worker's ``refresh_due`` on
PostgreSQL (a judgment committing after a newer one was counted) that leaves a split item
without its next slot; it is marked as a known failure until the product is fixed.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx
import numpy as np
import pytest
from sqlalchemy import func, select

from expertloop.core.lifecycles import ConsensusState, ReviewState, Role
from expertloop.core.policies import Actor
from expertloop.services import aggregation, judgments, queue, reviews
from expertloop.store import Database, Session
from expertloop.store.queue import recount_items
from expertloop.store.tables import Assignment, Consensus, Item, Judgment
from queue_checks import assignment_counts
from serverproc import running_servers

EXPERTS, ITEMS, SLOPPY = 12, 40, 3
K_MIN, K_MAX, TARGET = 2, 5, 0.95
SPEC = {"labels": ["yes", "no", "maybe"]}
ADAPTIVE = {"overlap": {"k_min": K_MIN, "k_max": K_MAX, "target": TARGET}, "method": "mv"}
DEADLINE_SECONDS = 50.0
PENDING = ReviewState.PENDING.value
REJECTED = ReviewState.REJECTED.value


def utc_now() -> datetime:
    return datetime.now(UTC)


def scripted_label(item_id: int, expert_id: int, *, sloppy: bool = False) -> str:
    if sloppy:
        return "maybe"
    return "yes" if item_id % 2 == 0 or expert_id % 2 == 0 else "no"


@dataclass
class Run:
    """What the threads of one test share: the stop signal, failures, the refresher's tally."""

    database: Database
    project_id: int
    deadline: float = field(default_factory=lambda: time.monotonic() + DEADLINE_SECONDS)
    stop: threading.Event = field(default_factory=threading.Event)
    failures: list[BaseException] = field(default_factory=list)
    tally: Counter[str] = field(default_factory=Counter)

    def over(self) -> bool:
        return bool(self.failures) or time.monotonic() > self.deadline

    def guarded(self, target: Callable[[], None]) -> Callable[[], None]:
        def body() -> None:
            try:
                target()
            except BaseException as error:  # re-raised in the test's thread
                self.failures.append(error)
                self.stop.set()

        return body


def _count(table: Any, project_id: int, *where: Any) -> Any:
    query = select(func.count()).select_from(table).where(table.project_id == project_id, *where)
    return query.scalar_subquery()


def settled(database: Database, project_id: int) -> bool:
    """Nothing left to claim, submit or review, read in one statement (one snapshot): only a
    refresh opening a slot can change anything from here."""
    left = select(
        _count(Item, project_id, Item.state != "complete"),
        _count(Assignment, project_id, Assignment.status == "active"),
        _count(Judgment, project_id, Judgment.review_state == PENDING),
    )
    with database.scoped(write=False) as session:
        return tuple(session.execute(left).one()) == (0, 0, 0)


def refresh_once(database: Database, project_id: int, rng: np.random.Generator) -> int:
    """One refresh in its own transaction; how many slots it opened."""
    with database.scoped() as session:
        done = aggregation.refresh_project(
            session=session, project_id=project_id, now=utc_now(), rng=rng
        )
    assert done is not None, "nobody else refreshes this project"
    return done.slots_opened


def refresher(run: Run) -> None:
    """Refresh in a loop; stop everyone once a refresh begun on a settled project opens no
    slot (then nothing can move any more)."""
    rng = np.random.default_rng(5)
    while not run.over():
        quiet = settled(run.database, run.project_id)
        opened = refresh_once(run.database, run.project_id, rng)
        run.tally["refreshes"] += 1
        run.tally["slots_opened"] += opened
        if quiet and opened == 0:
            run.stop.set()
            return
        time.sleep(0.01)
    if not run.failures:
        raise AssertionError("the project never settled")


def expert_loop(run: Run, work: Callable[[], bool]) -> None:
    """Claim and submit (``work`` says whether a claim succeeded) until no claim succeeds
    after the refresher has declared the work done."""
    while not run.over():
        if work():
            continue
        if run.stop.is_set():
            return
        time.sleep(0.01)
    if not run.failures:
        raise AssertionError("an expert ran out of time")


class ServiceExpert:
    """An expert on its own sessions, through the services."""

    def __init__(self, run: Run, expert_id: int, *, sloppy: bool = False) -> None:
        self.run, self.actor, self.sloppy = run, Actor(expert_id, Role.EXPERT), sloppy
        self.submitted = 0

    def work(self) -> bool:
        database = self.run.database
        with database.scoped() as session:
            claim = queue.claim_next(
                session=session, actor=self.actor, project_id=self.run.project_id, now=utc_now()
            )
        if claim is None:
            return False
        label = scripted_label(claim.item.id, self.actor.id, sloppy=self.sloppy)
        with database.scoped() as session:
            judgments.submit_judgment(
                session=session,
                actor=self.actor,
                assignment_id=claim.assignment.id,
                value={"labels": [label]},
                rationale="checked",
                idempotency_key=f"{self.actor.id}-{claim.assignment.id}",
                now=utc_now(),
            )
        self.submitted += 1
        return True


class HttpExpert:
    """An expert over HTTP, on its own keep-alive client to one server process."""

    def __init__(self, run: Run, base_url: str, expert_id: int, token: str) -> None:
        self.run, self.expert_id = run, expert_id
        self.client = httpx.Client(
            base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {token}"}
        )
        self.submitted = 0

    def work(self) -> bool:
        claim = self.client.post(f"/api/v1/projects/{self.run.project_id}/claims")
        if claim.status_code == 204:
            return False
        assert claim.status_code == 200, claim.text
        body = claim.json()
        assignment_id = body["assignment_id"]
        answer = self.client.post(
            f"/api/v1/assignments/{assignment_id}/judgment",
            json={
                "value": {"labels": [scripted_label(body["item"]["id"], self.expert_id)]},
                "rationale": "checked",
                "idempotency_key": f"key-{assignment_id}",
            },
        )
        assert answer.status_code == 201, answer.text
        self.submitted += 1
        return True


class Reviewer:
    """Reviews every pending judgment: rejects the sloppy experts', accepts the others'."""

    def __init__(self, run: Run, reviewer_id: int, sloppy: set[int]) -> None:
        self.run, self.actor, self.sloppy = run, Actor(reviewer_id, Role.REVIEWER), sloppy
        self.verdicts: Counter[str] = Counter()

    def loop(self) -> None:
        while not self.run.stop.is_set() and not self.run.over():
            with self.run.database.scoped() as session:
                pending = reviews.review_queue(
                    session=session, actor=self.actor, project_id=self.run.project_id, limit=10
                )
            for entry in pending:
                self.review(entry.judgment.id, entry.judgment.expert_id)
            if not pending:
                time.sleep(0.01)

    def review(self, judgment_id: int, expert_id: int) -> None:
        verdict = "reject" if expert_id in self.sloppy else "accept"
        with self.run.database.scoped() as session:
            reviews.review_judgment(
                session=session,
                actor=self.actor,
                judgment_id=judgment_id,
                verdict=verdict,
                feedback="the guideline says otherwise" if verdict == "reject" else "",
                clarity=4,
                revised_value=None,
                now=utc_now(),
            )
        self.verdicts[verdict] += 1


def run_all(run: Run, targets: Sequence[Callable[[], None]]) -> None:
    """Start every thread at once, wait (bounded), re-raise the first failure."""
    threads = [threading.Thread(target=run.guarded(t), daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE_SECONDS + 30)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if run.failures:
        raise run.failures[0]


@dataclass(frozen=True)
class ItemFacts:
    overlap: int
    judgments_count: int
    state: str
    experts: list[int]
    """Every judgment's expert, rejected ones included."""
    labels: list[str]
    """The label of every judgment that counts (not rejected)."""


def item_facts(database: Database, project_id: int) -> dict[int, ItemFacts]:
    with database.scoped(write=False) as session:
        items = session.execute(
            select(Item.id, Item.overlap, Item.judgments_count, Item.state).where(
                Item.project_id == project_id
            )
        ).all()
        rows = session.execute(
            select(Judgment.item_id, Judgment.expert_id, Judgment.value, Judgment.review_state)
            .where(Judgment.project_id == project_id)
            .order_by(Judgment.id)
        ).all()
    experts: dict[int, list[int]] = {item.id: [] for item in items}
    labels: dict[int, list[str]] = {item.id: [] for item in items}
    for item_id, expert_id, value, review_state in rows:
        experts[item_id].append(expert_id)
        if review_state != REJECTED:
            labels[item_id].extend(value["labels"])
    return {
        item.id: ItemFacts(
            item.overlap, item.judgments_count, item.state, experts[item.id], labels[item.id]
        )
        for item in items
    }


def assert_exact_adaptive(database: Database, project_id: int) -> dict[int, ItemFacts]:
    """Exact collection: counted judgments == counter == overlap, in [k_min, k_max], distinct
    experts, no live lease or pending review, counters recount clean."""
    facts = item_facts(database, project_id)
    assert len(facts) == ITEMS
    for item_id, item in facts.items():
        counted = len(item.labels)
        assert item.judgments_count == counted == item.overlap, (item_id, item)
        assert K_MIN <= item.overlap <= K_MAX, (item_id, item)
        assert item.state == "complete", (item_id, item)
        assert len(set(item.experts)) == len(item.experts), ("an expert judged twice", item)
    counts = assignment_counts(database, project_id)
    assert counts.get("active", 0) == 0, counts
    assert counts.get("submitted", 0) == sum(len(f.experts) for f in facts.values()), counts
    with database.scoped(write=False) as session:
        assert recount_items(session, project_id, utc_now()) == []
    assert settled(database, project_id)  # no pending review either
    return facts


def assert_consensus_follows(
    database: Database, project_id: int, facts: dict[int, ItemFacts]
) -> Counter[str]:
    """Each item's consensus is majority vote over its counted judgments: agreed at or above
    the target, else disputed at k_max. Returns how many items are in each state."""
    with database.scoped(write=False) as session:
        rows = {
            row.item_id: row
            for row in session.scalars(select(Consensus).where(Consensus.project_id == project_id))
        }
    assert set(rows) == set(facts)
    states: Counter[str] = Counter()
    for item_id, item in facts.items():
        row = rows[item_id]
        label, votes = Counter(item.labels).most_common(1)[0]
        share = votes / len(item.labels)
        assert row.judgments == len(item.labels), (item_id, item, row.judgments)
        assert row.confidence == pytest.approx(share), (item_id, item, row.confidence)
        if share >= TARGET:
            assert row.state == ConsensusState.AGREED.value, (item_id, item, row.state)
            assert row.value == {"labels": [label]}
        else:
            assert item.overlap == K_MAX, ("below target with room left", item_id, item)
            assert row.state == ConsensusState.DISPUTED.value, (item_id, item, row.state)
        states[row.state] += 1
    return states


def assert_settled(run: Run) -> None:
    """Nothing moves any more: a last refresh opens no slot."""
    assert settled(run.database, run.project_id)
    assert refresh_once(run.database, run.project_id, np.random.default_rng(11)) == 0


def assert_adaptive_outcome(run: Run) -> Counter[str]:
    """Without reviews: unanimous items stopped at k_min and are agreed; split ones climbed
    to k_max one slot at a time and are disputed."""
    assert_settled(run)
    facts = assert_exact_adaptive(run.database, run.project_id)
    states = assert_consensus_follows(run.database, run.project_id, facts)
    for item_id, item in facts.items():
        unanimous = len(set(item.labels)) == 1
        assert item.overlap == (K_MIN if unanimous else K_MAX), (item_id, item)
        if item_id % 2 == 0:
            assert unanimous, (item_id, item)
    assert states[ConsensusState.AGREED.value] > 0 and states[ConsensusState.DISPUTED.value] > 0
    assert run.tally["slots_opened"] == (K_MAX - K_MIN) * states[ConsensusState.DISPUTED.value]
    return states


def make_project(factory: Any, *, quality: dict[str, Any]) -> tuple[Any, list[Any], int]:
    lead = factory.user("lead")
    people = [factory.user("expert") for _ in range(EXPERTS)]
    project_id = factory.project(lead=lead, spec=SPEC, items=ITEMS, quality=quality)
    assert {person.id % 2 for person in people} == {0, 1}
    return lead, people, project_id


def test_adaptive_overlap_12_threads_with_refresher_collects_exactly(
    database: Database, factory: Any
) -> None:
    _lead, people, project_id = make_project(factory, quality=ADAPTIVE)
    run = Run(database, project_id)
    experts = [ServiceExpert(run, person.id) for person in people]
    started = time.monotonic()
    run_all(run, [partial(refresher, run), *[partial(expert_loop, run, e.work) for e in experts]])
    assert_adaptive_outcome(run)
    assert sum(1 for e in experts if e.submitted) > 1  # the work was really shared
    assert time.monotonic() - started < DEADLINE_SECONDS


def test_adaptive_overlap_with_concurrent_rejections_collects_exactly(
    database: Database, factory: Any
) -> None:
    quality = {**ADAPTIVE, "review": {"share": 0.3}}
    _lead, people, project_id = make_project(factory, quality=quality)
    reviewer_id = factory.user("reviewer").id
    run = Run(database, project_id)
    sloppy = {person.id for person in people[:SLOPPY]}
    experts = [ServiceExpert(run, p.id, sloppy=p.id in sloppy) for p in people]
    reviewer = Reviewer(run, reviewer_id, sloppy)
    workers = [partial(expert_loop, run, e.work) for e in experts]
    run_all(run, [partial(refresher, run), reviewer.loop, *workers])
    assert_settled(run)
    facts = assert_exact_adaptive(database, project_id)
    states = assert_consensus_follows(database, project_id, facts)
    assert reviewer.verdicts["reject"] > 0 and reviewer.verdicts["accept"] > 0, reviewer.verdicts
    rejected = sum(len(f.experts) - len(f.labels) for f in facts.values())
    assert rejected == reviewer.verdicts["reject"]  # each rejection left consensus, slot refilled
    assert sum(states.values()) == ITEMS


def test_adaptive_overlap_two_server_processes_with_refresher_collects_exactly(
    database: Database, factory: Any, tmp_path: Any
) -> None:
    if database.sqlite:
        pytest.skip(
            "PostgreSQL only: two server processes plus a refresher share one database "
            "through row locks (SKIP LOCKED); SQLite's multi-process claims are covered by "
            "tests/api/test_multiprocess.py"
        )
    _lead, people, project_id = make_project(factory, quality=ADAPTIVE)
    run = Run(database, project_id)
    with running_servers(database.url, tmp_path, count=2) as servers:
        run.deadline = time.monotonic() + DEADLINE_SECONDS  # the servers' start-up not counted
        experts = [
            HttpExpert(run, servers[index % 2].base_url, person.id, person.token)
            for index, person in enumerate(people)
        ]
        try:
            targets = [partial(expert_loop, run, e.work) for e in experts]
            run_all(run, [partial(refresher, run), *targets])
        finally:
            for expert in experts:
                expert.client.close()
    assert_adaptive_outcome(run)
    for half in (experts[0::2], experts[1::2]):  # both servers did real work
        assert sum(e.submitted for e in half) > 0


def claim_and_submit(
    database: Database, project_id: int, expert_id: int, label: str, session: Session
) -> int:
    """Claim and submit ``label`` as this expert in ``session``; the judgment's id."""
    actor = Actor(expert_id, Role.EXPERT)
    with database.scoped() as claiming:
        claim = queue.claim_next(
            session=claiming, actor=actor, project_id=project_id, now=utc_now()
        )
    assert claim is not None
    done = judgments.submit_judgment(
        session=session,
        actor=actor,
        assignment_id=claim.assignment.id,
        value={"labels": [label]},
        rationale="checked",
        idempotency_key=None,
        now=utc_now(),
    )
    return done.judgment.id


def test_refresh_due_sees_a_judgment_committed_after_a_newer_one(
    database: Database, factory: Any
) -> None:
    """PostgreSQL hands out judgment ids at INSERT, not at COMMIT: a submit whose commit is
    slow can become visible after a newer judgment and after a refresh that recorded that
    newer id as its high-water mark. The worker must still refresh the project, or the split
    item it completes never gets its next slot (the project stalls)."""
    if database.sqlite:
        pytest.skip("SQLite's single writer commits judgments in id order")
    lead = factory.user("lead")
    first, second = factory.user("expert").id, factory.user("expert").id
    project_id = factory.project(lead=lead, spec=SPEC, items=2, quality=ADAPTIVE)
    rng = np.random.default_rng(3)
    with database.scoped() as session:
        claim_and_submit(database, project_id, first, "yes", session)  # item X, 1 of 2
    with database.scoped() as slow:
        slow.commit = lambda: None  # type: ignore[method-assign]  # the request's COMMIT is late
        late = claim_and_submit(database, project_id, second, "no", slow)  # X, 2 of 2: split
        with database.scoped() as session:
            newer = claim_and_submit(database, project_id, first, "yes", session)  # item Y
        assert newer > late
        refreshed = aggregation.refresh_due(sessions=database.scoped, now=utc_now, rng=rng)
        assert [r.project_id for r in refreshed] == [project_id]
        Session.commit(slow)
    refreshed = aggregation.refresh_due(sessions=database.scoped, now=utc_now, rng=rng)
    assert [r.slots_opened for r in refreshed] == [1], "the split item X got no third slot"
