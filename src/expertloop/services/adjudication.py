"""Adjudication of disputed items: the reviewers' queue, one dispute side by side, the decision.

An item is disputed when its experts disagreed and aggregation stayed below the project's
confidence target with no expert left to ask (``ConsensusState``). A reviewer, lead or admin who
did not judge it reads every judgment and rationale, pseudonymously ("Expert 1".."Expert n", by
the order the judgments came in, so the labels are stable for the item), and decides the answer
with a reason; that answer becomes the consensus and aggregation never overwrites it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from expertloop.core.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, invalid
from expertloop.core.items import prompt_line
from expertloop.core.lifecycles import ConsensusState, ProjectStatus, check_consensus_transition
from expertloop.core.policies import (
    Actor,
    ProjectPolicy,
    ProjectRef,
    ReviewPolicy,
    authorize,
    is_allowed,
)
from expertloop.services.projects import get_project_or_raise, ref
from expertloop.services.values import validate_for_item
from expertloop.store import Session, audit
from expertloop.store import adjudication as store
from expertloop.store import items as item_store
from expertloop.store import projects as project_store
from expertloop.store import quality as quality_store
from expertloop.store.tables import Consensus, Item, Judgment, Project, Review

DEFAULT_LIMIT = 100
MAX_REASON_CHARS = 5_000


@dataclass(frozen=True)
class Disputed:
    """One item in the adjudication queue."""

    item_id: int
    project_id: int
    project_name: str
    kind: str
    external_id: str | None
    prompt_preview: str
    value: dict[str, Any] | None
    """The leading answer aggregation found."""
    confidence: float | None
    method: str
    judgments: int
    updated_at: datetime
    """When aggregation last wrote the consensus."""


@dataclass(frozen=True)
class JudgmentView:
    """One judgment of a disputed item, with a pseudonym instead of the expert."""

    judgment_id: int
    expert: str
    value: dict[str, Any]
    rationale: str
    active_seconds: float
    guideline_version: int
    review_state: str | None
    revised_value: dict[str, Any] | None
    """The reviewer's value when a review revised the judgment."""
    created_at: datetime


@dataclass(frozen=True)
class Dispute:
    """An item, its consensus and every judgment side by side; ``may_adjudicate`` says whether
    the actor may decide it now (it is disputed and they did not judge it)."""

    item: Item
    project: Project
    consensus: Consensus
    judgments: list[JudgmentView]
    may_adjudicate: bool


def adjudication_queue(
    *, session: Session, actor: Actor, project_id: int | None = None, limit: int = DEFAULT_LIMIT
) -> list[Disputed]:
    """Disputed items the actor may adjudicate (never one they judged), oldest item first,
    across the projects they see, or in one project.

    Raises:
        Forbidden: for experts. NotFound: ``project.not_found``.
    """
    authorize(actor, ReviewPolicy.queue())
    if project_id is not None:
        get_project_or_raise(session=session, actor=actor, project_id=project_id, policy="watch")
    rows = store.waiting_items(
        session,
        state=ConsensusState.DISPUTED.value,
        exclude_expert=actor.id,
        project_statuses=_visible_statuses(actor),
        project_id=project_id,
        limit=limit,
    )
    session.commit()
    return [_disputed(consensus, item, project) for consensus, item, project in rows]


def get_dispute(*, session: Session, actor: Actor, item_id: int) -> Dispute:
    """The item, its consensus and every judgment with its rationale, pseudonymously.

    Raises:
        Forbidden: for experts. NotFound: ``item.not_found``; ``consensus.not_found`` when
            aggregation has not reached the item yet.
    """
    authorize(actor, ReviewPolicy.queue())
    item, project = _item_or_raise(session, actor, item_id)
    consensus = quality_store.get_consensus(session, item.id)
    if consensus is None:
        raise NotFound("consensus.not_found", f"item {item_id} has no consensus yet")
    rows = store.item_judgments(session, item.id)
    judged = frozenset(judgment.expert_id for judgment, _ in rows)
    session.commit()
    return Dispute(
        item=item,
        project=project,
        consensus=consensus,
        judgments=[_judgment_view(n, j, r) for n, (j, r) in enumerate(rows, start=1)],
        may_adjudicate=consensus.state == ConsensusState.DISPUTED.value
        and is_allowed(actor, ReviewPolicy.adjudicate(judged)),
    )


def adjudicate(
    *,
    session: Session,
    actor: Actor,
    item_id: int,
    value: dict[str, Any],
    reason: str,
    now: datetime,
) -> Consensus:
    """Decide a disputed item: the value becomes its consensus (confidence 1), with the
    reason and who decided. The same value and reason again return it unchanged (a retry).

    Raises:
        Forbidden: for experts; ``adjudication.own_judgment`` for someone who judged the item.
        NotFound: ``item.not_found``.
        Invalid: ``judgment.invalid_value`` naming the field (and ``reason`` if that is wrong
            too), or ``adjudication.invalid`` naming ``reason``.
        Conflict: ``consensus.<state>`` unless the item is disputed (``consensus.open`` when
            aggregation has not reached it).
    """
    authorize(actor, ReviewPolicy.queue())
    item, project = _item_or_raise(session, actor, item_id)
    consensus = quality_store.get_consensus(session, item.id, lock=True)
    if not is_allowed(actor, ReviewPolicy.adjudicate(store.judged_by(session, item.id))):
        raise Forbidden("adjudication.own_judgment", "nobody adjudicates an item they judged")
    clean, reason = _checked(session, project, item.id, value, reason)
    current = ConsensusState(consensus.state) if consensus else ConsensusState.OPEN
    if consensus is not None and _is_replay(consensus, current, clean, reason):
        session.commit()
        return consensus
    if consensus is None or current is not ConsensusState.DISPUTED:
        raise Conflict(
            f"consensus.{current.value}",
            f"this item's consensus is {current.value}: only a disputed item is adjudicated",
        )
    check_consensus_transition(current, ConsensusState.ADJUDICATED)
    _record(session, actor, consensus, clean, reason, now)
    consensus.state = ConsensusState.ADJUDICATED.value
    consensus.value, consensus.confidence = clean, 1.0
    consensus.adjudicated_by, consensus.reason, consensus.updated_at = actor.id, reason, now
    session.commit()
    return consensus


def _checked(
    session: Session, project: Project, item_id: int, value: dict[str, Any], reason: str
) -> tuple[dict[str, Any], str]:
    """The value as stored and the stripped reason; every problem of both at once."""
    reason = reason.strip()
    problems = []
    if not reason:
        problems.append(FieldError("reason", "is required: say why this answer is right"))
    elif len(reason) > MAX_REASON_CHARS:
        problems.append(FieldError("reason", f"must be at most {MAX_REASON_CHARS} characters"))
    try:
        clean = validate_for_item(
            session, project=project, item_id=item_id, value=value, rationale=None
        )
    except Invalid as error:
        raise invalid(error.code, [*error.errors, *problems]) from None
    if problems:
        raise invalid("adjudication.invalid", problems)
    return clean, reason


def _is_replay(
    consensus: Consensus, current: ConsensusState, value: dict[str, Any], reason: str
) -> bool:
    return (
        current is ConsensusState.ADJUDICATED
        and consensus.value == value
        and consensus.reason == reason
    )


def _record(
    session: Session,
    actor: Actor,
    consensus: Consensus,
    value: dict[str, Any],
    reason: str,
    now: datetime,
) -> None:
    audit.record(
        session,
        actor_id=actor.id,
        action="consensus.adjudicate",
        entity="item",
        entity_id=consensus.item_id,
        now=now,
        detail={
            "value": value,
            "reason": reason,
            "before": {
                "value": consensus.value,
                "confidence": consensus.confidence,
                "method": consensus.method,
            },
        },
    )


def _visible_statuses(actor: Actor) -> list[str]:
    """The project statuses whose projects the actor sees (reviewers: active ones only)."""
    return [
        status.value
        for status in ProjectStatus
        if is_allowed(actor, ProjectPolicy.view(ProjectRef(0, None, status)))
    ]


def _item_or_raise(session: Session, actor: Actor, item_id: int) -> tuple[Item, Project]:
    """The item and its project, when the actor sees the project and may watch its work."""
    item = item_store.get_item(session, item_id)
    project = project_store.get_project(session, item.project_id) if item else None
    if item is None or project is None or not is_allowed(actor, ProjectPolicy.view(ref(project))):
        raise NotFound("item.not_found", f"item {item_id} does not exist")
    authorize(actor, ProjectPolicy.watch(ref(project)))
    return item, project


def _disputed(consensus: Consensus, item: Item, project: Project) -> Disputed:
    return Disputed(
        item_id=item.id,
        project_id=project.id,
        project_name=project.name,
        kind=project.kind,
        external_id=item.external_id,
        prompt_preview=prompt_line(item.prompt),
        value=consensus.value,
        confidence=consensus.confidence,
        method=consensus.method,
        judgments=consensus.judgments,
        updated_at=consensus.updated_at,
    )


def _judgment_view(number: int, judgment: Judgment, review: Review | None) -> JudgmentView:
    return JudgmentView(
        judgment_id=judgment.id,
        expert=f"Expert {number}",
        value=dict(judgment.value),
        rationale=judgment.rationale,
        active_seconds=round(judgment.active_seconds, 1),
        guideline_version=judgment.guideline_version,
        review_state=judgment.review_state,
        revised_value=review.revised_value if review is not None else None,
        created_at=judgment.created_at,
    )
