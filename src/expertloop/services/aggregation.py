"""Background aggregation: recompute a project's consensus, experts' reliability and agreement,
and let adaptive overlap open slots or send items to adjudication.

Worker processes (``expertloop worker``, or the one ``expertloop serve`` starts) call
``refresh_due``; ``refresh_project`` is also the on-demand recompute of the CLI. Workers
coordinate through the database: each project's ``project_quality`` row is locked with SKIP
LOCKED (PostgreSQL) or under the single writer (SQLite), so two workers never refresh the same
project at once. Request handlers never aggregate; they only ask for a refresh.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from expertloop.core.aggregation.leaderboard import leaderboard
from expertloop.core.agreement import agreement_report, pairwise_cohen
from expertloop.core.consensus import (
    ProjectConsensus,
    Vote,
    answer_key,
    compute_consensus,
    decide,
)
from expertloop.core.lifecycles import ConsensusState
from expertloop.core.policies import Actor, GoldPolicy, authorize
from expertloop.core.quality_policy import METHODS_BY_KIND, QualityPolicy
from expertloop.services.projects import get_project_or_raise, quality_policy, ref
from expertloop.store import Session
from expertloop.store import quality as store
from expertloop.store.queue import move_item_counts
from expertloop.store.tables import Project

SessionFactory = Callable[[], Any]
SETTLE = timedelta(seconds=60)
"""A refresh counts a judgment or review as seen once it is this old: longer than any submit
transaction takes (and any clock skew between app hosts), so one that committed late, after a
newer one, still makes its project due again. Active projects are refreshed on every worker pass
for this long after their last judgment."""


@dataclass(frozen=True)
class Refreshed:
    """What one refresh did."""

    project_id: int
    items: int
    slots_opened: int
    disputed: int
    report: dict[str, Any]


def refresh_project(
    *, session: Session, project_id: int, now: datetime, rng: np.random.Generator
) -> Refreshed | None:
    """Recompute one project's consensus in one transaction; None when another worker holds
    it. Adjudicated items are never overwritten."""
    state = store.lock_project_quality_nowait(session, project_id)
    if state is None:
        session.rollback()
        return None
    project = get_project_or_raise(session=session, actor=None, project_id=project_id)
    policy = quality_policy(project)
    method = policy.method_for(project.kind)
    settled = store.settled_ids(session, project.id, before=now - SETTLE)
    votes = [Vote(*vote) for vote in store.votes_for(session, project.id)]
    failed = ""
    try:
        result = (
            compute_consensus(project.kind, votes, method=method or "", rng=rng) if method else None
        )
    except ValueError as error:  # data the method cannot fit: keep the last consensus, say why
        failed, result = f"{method}: {error}", None
    opened = disputed = 0
    if result is not None:
        opened, disputed = _write_consensus(session, project, policy, result, now)
        store.set_reliabilities(
            session, project_id=project.id, reliabilities=result.reliability, now=now
        )
    if not failed:
        state.report = _report(project, votes, result, now)
        if project.kind == "pairwise":
            models = store.response_models(session, project.id)
            state.report = {**state.report, "leaderboard": _leaderboard(votes, models)}
    state.last_judgment_id, state.last_review_id = settled
    state.requested_at, state.refreshed_at, state.error = None, now, failed
    report = dict(state.report)
    session.commit()
    return Refreshed(project.id, len(result.items) if result else 0, opened, disputed, report)


def _write_consensus(
    session: Session,
    project: Project,
    policy: QualityPolicy,
    result: ProjectConsensus,
    now: datetime,
) -> tuple[int, int]:
    existing = store.consensus_by_item(session, project.id)
    counts = store.item_counts(session, sorted(result.items))
    opened = disputed = 0
    for item_id, found in sorted(result.items.items()):
        row = existing.get(item_id)
        if row is not None and row.state == ConsensusState.ADJUDICATED.value:
            continue
        overlap, judgments = counts[item_id]
        decision = decide(
            confidence=found.confidence, judgments=judgments, overlap=overlap, rules=policy.overlap
        )
        opened += decision.open_slot and _open_slot(session, policy, item_id, overlap)
        disputed += decision.state is ConsensusState.DISPUTED
        values = {
            "value": found.value,
            "confidence": found.confidence,
            "method": result.method,
            "state": decision.state.value,
            "judgments": found.judgments,
            "detail": found.detail,
        }
        if row is None:
            store.add_consensus(
                session, {"item_id": item_id, "project_id": project.id, "updated_at": now, **values}
            )
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():  # rows that did not change are not written
                setattr(row, name, value)
            row.updated_at = now
    return opened, disputed


def _open_slot(session: Session, policy: QualityPolicy, item_id: int, overlap: int) -> bool:
    """One more slot for an item below the confidence target (adaptive overlap)."""
    assert policy.overlap is not None  # decide() opens slots only under adaptive overlap
    if not store.open_slot(
        session, item_id=item_id, seen_overlap=overlap, k_max=policy.overlap.k_max
    ):
        return False
    move_item_counts(session, item_id)  # derive the item's state anew: open
    return True


def _report(
    project: Project, votes: list[Vote], result: ProjectConsensus | None, now: datetime
) -> dict[str, Any]:
    """The project-level figures: method, judgments counted, agreement, mean confidence."""
    confidences = [c.confidence for c in result.items.values()] if result else []
    return {
        "method": result.method if result else None,
        "judgments": len(votes),
        "items": len(confidences),
        "mean_confidence": round(float(np.mean(confidences)), 4) if confidences else None,
        "agreement": _agreement(project, votes),
        "refreshed_at": now.isoformat(),
    }


def _agreement(project: Project, votes: list[Vote]) -> dict[str, Any]:
    """Chance-corrected agreement: over the answer for label-like kinds, per criterion
    (interval) for rubrics, per step for step reviews."""
    kind = project.kind
    rows: list[tuple[Any, int, str]]
    if kind in ("label", "pairwise", "verify"):
        rows = [(v.item_id, v.expert_id, str(answer_key(kind, v.value))) for v in votes]
        return {"answer": dict(agreement_report(rows, level="nominal")), "pairs": _pairs(rows)}
    if kind == "rubric":
        return _rubric_agreement(votes)
    if kind == "step_review":
        rows = [
            ((v.item_id, index), v.expert_id, step["label"])
            for v in votes
            for index, step in enumerate(v.value["steps"])
        ]
        return {"steps": dict(agreement_report(rows, level="nominal"))}
    return {}


def _pairs(rows: list[tuple[Any, int, str]], limit: int = 100) -> list[dict[str, Any]]:
    """Cohen's kappa per pair of experts who share at least two items, most shared first."""
    pairs = [p for p in pairwise_cohen(rows) if p.n >= 2 and not math.isnan(p.kappa)]
    pairs.sort(key=lambda p: (-p.n, p.coder_a, p.coder_b))
    return [
        {"expert_a": p.coder_a, "expert_b": p.coder_b, "kappa": round(p.kappa, 4), "n": p.n}
        for p in pairs[:limit]
    ]


def _leaderboard(votes: list[Vote], models: dict[int, tuple[str, str]]) -> list[dict[str, Any]]:
    """Bradley-Terry over the models behind responses A and B, best first, with intervals."""
    records = [(*models[v.item_id], str(v.value["choice"])) for v in votes if v.item_id in models]
    return [
        {
            "model": str(row.model),
            "score": round(row.score, 4),
            "low": round(row.low, 4),
            "high": round(row.high, 4),
            "wins": row.wins,
            "losses": row.losses,
            "ties": row.ties,
            "n": row.n,
        }
        for row in leaderboard(records)
    ]


def _rubric_agreement(votes: list[Vote]) -> dict[str, Any]:
    by_criterion: dict[str, list[tuple[Any, int, float]]] = {}
    for vote in votes:
        for response, criteria in vote.value["scores"].items():
            for criterion, entry in criteria.items():
                by_criterion.setdefault(criterion, []).append(
                    ((vote.item_id, response), vote.expert_id, float(entry["score"]))
                )
    return {
        criterion: dict(agreement_report(rows, level="interval"))
        for criterion, rows in sorted(by_criterion.items())
    }


def refresh_due(
    *, sessions: SessionFactory, now: Callable[[], datetime], rng: np.random.Generator
) -> list[Refreshed]:
    """Refresh every project that has new judgments or reviews, or asked for it; each in its
    own transaction. Returns what was refreshed (projects another worker held are skipped)."""
    with sessions() as session:
        due = store.projects_due(session, kinds=METHODS_BY_KIND)
        session.rollback()
    done = []
    for project_id in due:
        with sessions() as session:
            refreshed = refresh_project(session=session, project_id=project_id, now=now(), rng=rng)
        if refreshed is not None:
            done.append(refreshed)
    return done


def request_refresh(*, session: Session, actor: Actor, project_id: int, now: datetime) -> datetime:
    """Ask the workers to recompute this project soon; returns when it was asked.

    Raises:
        NotFound: ``project.not_found``. Forbidden: unless the actor may see quality.
    """
    project = get_project_or_raise(session=session, actor=actor, project_id=project_id)
    authorize(actor, GoldPolicy.quality_report(ref(project)))
    state = store.get_project_quality(session, project.id, lock=True)
    state.requested_at = now
    session.commit()
    return now
