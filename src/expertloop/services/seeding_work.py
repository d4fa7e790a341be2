"""Use case: seed work on a demo project so its quality pages have something to show.

The experts of a script claim items through the lease queue (``claim_next``), judge them with
the script's answers (``submit_judgment``, which scores gold and picks judgments for review),
and the consensus is refreshed (``refresh_project``) until adaptive overlap opens no slot. Each
claim and each refresh is its own transaction in its own session, as requests and workers are.
Items that arrive after the work (``later_items``) mark it done: a run that finds them all
imports nothing and judges nothing; one that stopped half-way resumes the queue where it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from expertloop.core.errors import FieldError, invalid
from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services.aggregation import SessionFactory, refresh_project
from expertloop.services.gold import GoldDraft, list_gold, mark_gold
from expertloop.services.items import import_items
from expertloop.services.judgments import submit_judgment
from expertloop.services.quality import QualityReport, get_quality_report
from expertloop.services.queue import Claim, claim_next, heartbeat
from expertloop.services.seeding import SeededProject, SeedProject, ensure_project
from expertloop.store import Session
from expertloop.store import items as item_store
from expertloop.store import reviews as review_store
from expertloop.store import users as user_store
from expertloop.store.tables import User

ScriptedAnswer = tuple[dict[str, Any], str]
"""A judgment value and its rationale."""
MAX_ROUNDS = 10
"""Refreshes at most while seeding work (each opens at most one slot per item). A refresh
another worker holds ends the work early; that worker computes the consensus instead."""
PENDING_LIMIT = 10_000


@dataclass(frozen=True)
class SeedWork:
    """A project to show quality on: its first items and gold answers, the answer each expert
    gives to each item the queue serves them, and items imported once that work settled (left
    open; while any is missing, the work is not done)."""

    project: SeedProject
    gold: list[GoldDraft]
    answers: Mapping[str, Mapping[str, ScriptedAnswer]]
    """By item external id, then by expert email."""
    experts: tuple[str, ...]
    """The emails of the experts who work, taking turns in this order."""
    later_items: list[dict[str, Any]]
    began: timedelta = timedelta(hours=2)
    """How long before the seeding the project and its work are dated."""


@dataclass(frozen=True)
class SeededWork:
    """The project, the judgments this run added, its quality report and pending reviews."""

    project: SeededProject
    judgments_added: int
    report: QualityReport
    pending_reviews: int


def seed_work(
    *,
    sessions: SessionFactory,
    owner_email: str,
    work: SeedWork,
    now: datetime,
    rng: np.random.Generator,
) -> SeededWork:
    """Make sure the project, its items and gold answers exist; the first time, let the
    experts claim and judge through the queue (``claim_next``, ``submit_judgment``) and
    refresh the consensus until no slot opens, then import the later items. Each claim and
    each refresh gets a session of its own from ``sessions``, as a request would.

    Raises:
        Invalid: ``seed.unknown`` for an unknown user, ``seed.no_answer`` when the queue serves
            an item the script has no answer for; the errors of the use cases called.
    """
    start = now - work.began
    with sessions() as session:
        actor = Actor(_user(session, owner_email).id, Role.LEAD)
        seeded = ensure_project(session, actor, work.project, start)
        project_id = seeded.project.id
        _ensure_gold(session, actor, project_id, work.gold, start)
        ids = [str(row["external_id"]) for row in work.later_items]
        taken = item_store.existing_external_ids(session, project_id, ids)
        session.commit()  # ends the last read
    missing = [row for row in work.later_items if str(row["external_id"]) not in taken]
    judged = 0
    if missing:
        judged = _work_until_settled(sessions, project_id, work, start + timedelta(minutes=5), rng)
    with sessions() as session:
        added = 0
        if missing:
            added = import_items(
                session=session, actor=actor, project_id=project_id, rows=missing, now=now
            )
        report = get_quality_report(session=session, actor=None, project_id=project_id)
        pending = review_store.list_pending(  # ids start at 1: nobody's judgments left out
            session, project_ids=[project_id], exclude_expert_id=0, limit=PENDING_LIMIT
        )
        session.commit()  # ends the last read
    entry = SeededProject(seeded.project, seeded.created, seeded.items_created + added)
    return SeededWork(entry, judged, report, len(pending))


def _user(session: Session, email: str) -> User:
    user = user_store.get_user_by_email(session, email)
    if user is None:
        raise invalid("seed.unknown", [FieldError("users", f"no user {email}")])
    return user


def _ensure_gold(
    session: Session, actor: Actor, project_id: int, drafts: list[GoldDraft], now: datetime
) -> None:
    marked = {
        item.external_id
        for item, _ in list_gold(session=session, actor=actor, project_id=project_id)
    }
    todo = [draft for draft in drafts if draft.external_id not in marked]
    if todo:
        mark_gold(session=session, actor=actor, project_id=project_id, drafts=todo, now=now)


def _work_until_settled(
    sessions: SessionFactory,
    project_id: int,
    work: SeedWork,
    start: datetime,
    rng: np.random.Generator,
) -> int:
    """Experts work until the queue has nothing for them, then a refresh; again while the
    refresh opens slots (adaptive overlap). Returns the judgments made."""
    with sessions() as session:
        workers = [(email, _user(session, email)) for email in work.experts]
        session.commit()  # ends the last read
    actors = [(email, Actor(user.id, Role(user.role))) for email, user in workers]
    clock, judged = start, 0
    for _ in range(MAX_ROUNDS):
        made, clock = _work_dry(sessions, project_id, actors, work.answers, clock, rng)
        judged += made
        with sessions() as session:
            refreshed = refresh_project(session=session, project_id=project_id, now=clock, rng=rng)
        if refreshed is None or refreshed.slots_opened == 0:
            break
    return judged


def _work_dry(
    sessions: SessionFactory,
    project_id: int,
    workers: list[tuple[str, Actor]],
    answers: Mapping[str, Mapping[str, ScriptedAnswer]],
    clock: datetime,
    rng: np.random.Generator,
) -> tuple[int, datetime]:
    """Each expert in turn claims and judges one item, until no claim returns one."""
    judged, working = 0, list(workers)
    while working:
        for email, actor in list(working):
            with sessions() as session:
                claim = claim_next(session=session, actor=actor, project_id=project_id, now=clock)
                if claim is None:
                    working.remove((email, actor))
                    continue
                answer = _scripted(answers, claim, email)
                clock = _judge(session, actor, claim, answer, clock, rng)
            judged += 1
    return judged, clock


def _scripted(
    answers: Mapping[str, Mapping[str, ScriptedAnswer]], claim: Claim, email: str
) -> ScriptedAnswer:
    found = answers.get(str(claim.item.external_id), {}).get(email)
    if found is None:
        problem = FieldError("answers", f"{email} has no answer for {claim.item.external_id}")
        raise invalid("seed.no_answer", [problem])
    return found


def _judge(
    session: Session,
    actor: Actor,
    claim: Claim,
    answer: ScriptedAnswer,
    clock: datetime,
    rng: np.random.Generator,
) -> datetime:
    """Read (a heartbeat half-way), submit; returns the time the expert moves on."""
    reading, deciding, pause = (timedelta(seconds=int(s)) for s in rng.integers(20, 60, size=3))
    lease = claim.assignment.id
    heartbeat(session=session, actor=actor, assignment_id=lease, now=clock + reading)
    value, rationale = answer
    submit_judgment(
        session=session,
        actor=actor,
        assignment_id=lease,
        value=dict(value),
        rationale=rationale,
        idempotency_key=f"demo-{lease}",
        now=clock + reading + deciding,
    )
    return clock + reading + deciding + pause
