"""Use cases on gold items: mark and unmark them, serve them by the project's quota, score an
expert's answer to one, and suspend a qualification automatically when measured gold accuracy
falls below the project's bar (``requirements.min_quality``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from expertloop.core.eligibility import Requirements
from expertloop.core.errors import Conflict, FieldError, Invalid, NotFound, invalid
from expertloop.core.gold import (
    GOLD_KINDS,
    GoldRecord,
    below_bar,
    gold_due,
    gold_matches,
    suspension_reason,
)
from expertloop.core.lifecycles import ItemState, QualificationAction, QualificationStatus
from expertloop.core.policies import Actor, GoldPolicy, authorize
from expertloop.services.projects import get_project_or_raise, quality_policy, ref
from expertloop.services.qualifications import apply_action
from expertloop.services.values import validate_for_item
from expertloop.store import Session, audit, qualifications
from expertloop.store import gold as store
from expertloop.store import items as item_store
from expertloop.store import quality as quality_store
from expertloop.store.queue import move_item_counts
from expertloop.store.tables import ExpertQuality, GoldAnswer, Item, Judgment, Project


@dataclass(frozen=True)
class GoldDraft:
    """A gold answer a lead gives for one item, named by id or by external id."""

    answer: dict[str, Any]
    explanation: str = ""
    item_id: int | None = None
    external_id: str | None = None

    @property
    def item_field(self) -> str:
        return "item_id" if self.external_id is None else "external_id"


def _managed_project(session: Session, actor: Actor | None, project_id: int) -> Project:
    project = get_project_or_raise(session=session, actor=actor, project_id=project_id, lock=True)
    if actor is not None:
        authorize(actor, GoldPolicy.manage(ref(project)))
    if project.kind not in GOLD_KINDS:
        raise Conflict("gold.unsupported_kind", f"{project.kind} projects have no gold answers")
    return project


def _find_item(session: Session, project: Project, draft: GoldDraft, row: int | None) -> Item:
    item = None
    if draft.item_id is not None:
        item = item_store.get_item(session, draft.item_id, lock=True)
    elif draft.external_id is not None:
        item = item_store.get_by_external_id(session, project.id, draft.external_id)
    if item is None or item.project_id != project.id:
        raise invalid("gold.unknown_item", [FieldError(draft.item_field, "no such item", row)])
    if item.leases_count > 0 and item.state != ItemState.GOLD.value:
        problem = FieldError(draft.item_field, "is leased to an expert right now", row)
        raise invalid("gold.item_busy", [problem])
    return item


def _checked_answer(
    session: Session, project: Project, item: Item, draft: GoldDraft, row: int | None
) -> dict[str, Any]:
    try:
        return validate_for_item(
            session, project=project, item_id=item.id, value=draft.answer, rationale=None
        )
    except Invalid as error:
        problems = [
            FieldError(problem.field.replace("value", "answer", 1), problem.message, row)
            for problem in error.errors
        ]
        raise invalid("gold.invalid_answer", problems) from None


def _mark(
    session: Session,
    project: Project,
    draft: GoldDraft,
    *,
    actor: Actor | None,
    now: datetime,
    row: int | None,
) -> GoldAnswer:
    item = _find_item(session, project, draft, row)
    answer = _checked_answer(session, project, item, draft, row)
    item.state = ItemState.GOLD.value
    return store.put_gold_answer(
        session,
        {
            "item_id": item.id,
            "project_id": project.id,
            "answer": answer,
            "explanation": draft.explanation.strip(),
            "created_by": actor.id if actor else None,
            "created_at": now,
        },
    )


def mark_gold(
    *,
    session: Session,
    actor: Actor | None,
    project_id: int,
    drafts: list[GoldDraft],
    now: datetime,
) -> int:
    """Give items known answers (all or nothing); a marked item leaves overlap and consensus
    and is served unmarked by the gold policy. Marking again replaces the answer.

    Raises:
        NotFound: ``project.not_found``. Forbidden: unless the actor may edit the project.
        Conflict: ``gold.unsupported_kind`` for written work.
        Invalid: ``gold.unknown_item``, ``gold.item_busy`` or ``gold.invalid_answer``, naming
            the row (with more than one draft) and the field.
    """
    project = _managed_project(session, actor, project_id)
    many = len(drafts) > 1
    for index, draft in enumerate(drafts):
        _mark(session, project, draft, actor=actor, now=now, row=index if many else None)
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="gold.mark",
        entity="project",
        entity_id=project.id,
        now=now,
        detail={"items": len(drafts)},
    )
    session.commit()
    return len(drafts)


def unmark_gold(
    *, session: Session, actor: Actor | None, project_id: int, item_id: int, now: datetime
) -> None:
    """Take an item's gold answer away; it goes back to collecting judgments. Unmarking an item
    that is not gold does nothing.

    Raises:
        NotFound: ``project.not_found`` or ``item.not_found``.
    """
    project = _managed_project(session, actor, project_id)
    item = item_store.get_item(session, item_id, lock=True)
    if item is None or item.project_id != project.id:
        raise NotFound("item.not_found", f"item {item_id} is not an item of this project")
    if store.get_gold_answer(session, item_id) is None:
        session.commit()
        return  # not gold (any more): nothing to do, as a repeated DELETE expects
    store.remove_gold_answer(session, item_id)
    item.state = ItemState.OPEN.value
    session.flush()
    move_item_counts(session, item_id)
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="gold.unmark",
        entity="item",
        entity_id=item_id,
        now=now,
    )
    session.commit()


def list_gold(*, session: Session, actor: Actor, project_id: int) -> list[tuple[Item, GoldAnswer]]:
    """The project's gold items with their answers (for the people who manage them)."""
    project = get_project_or_raise(session=session, actor=actor, project_id=project_id)
    authorize(actor, GoldPolicy.manage(ref(project)))
    return store.list_gold(session, project.id)


@dataclass(frozen=True)
class GoldTurn:
    """What the gold policy decided for one claim: the expert's quality row (None when the
    project serves no gold) and the gold item to lease (None: serve a normal item)."""

    record: ExpertQuality | None
    item: Item | None

    def count_claim(self, *, gold: bool) -> None:
        """Count a lease handed out, gold or not, toward the quota (in the claim's transaction)."""
        if self.record is not None:
            self.record.claims += 1
            self.record.gold_claims += int(gold)
            if gold and self.item is not None:
                self.record.gold_cursor = self.item.id


def gold_turn(session: Session, *, project: Project, expert_id: int, now: datetime) -> GoldTurn:
    """Inside a claim (no commit): whether this claim serves gold, and which item."""
    policy = quality_policy(project)
    if not policy.serves_gold:
        return GoldTurn(None, None)
    record = quality_store.lock_expert_quality(
        session, project_id=project.id, expert_id=expert_id, now=now
    )
    due = gold_due(policy.gold, claims=record.claims, gold_claims=record.gold_claims)
    item = None
    if due:
        item = store.next_gold_item(
            session, project_id=project.id, expert_id=expert_id, cursor=record.gold_cursor
        )
    return GoldTurn(record, item)


def score_gold(session: Session, *, project: Project, judgment: Judgment, now: datetime) -> None:
    """Inside a submit (no commit): if the item is gold, count the answer in the expert's
    record and suspend their qualifications for the project's tracks when accuracy falls
    below the bar."""
    if not quality_policy(project).serves_gold:
        return
    gold = store.get_gold_answer(session, judgment.item_id)
    if gold is None:
        return
    correct = gold_matches(project.kind, judgment.value, gold.answer)
    record = quality_store.lock_expert_quality(
        session, project_id=project.id, expert_id=judgment.expert_id, now=now
    )
    record.gold_answered += 1
    record.window_answered += 1
    record.gold_correct += int(correct)
    record.window_correct += int(correct)
    record.updated_at = now
    _hold_to_bar(session, project=project, record=record, now=now)


def _hold_to_bar(
    session: Session, *, project: Project, record: ExpertQuality, now: datetime
) -> None:
    requirements = Requirements.from_stored(project.requirements)
    bar = requirements.min_quality
    window = GoldRecord(answered=record.window_answered, correct=record.window_correct)
    min_answered = quality_policy(project).gold.min_answered
    if bar is None or not below_bar(window, bar=bar, min_answered=min_answered):
        return
    tracks = set(requirements.tracks)
    reason = suspension_reason(window, bar=bar, project_name=project.name)
    for qualification, track in qualifications.list_qualifications(session, record.expert_id):
        if track.name in tracks and qualification.status == QualificationStatus.GRANTED.value:
            apply_action(
                session,
                expert_id=record.expert_id,
                track_id=track.id,
                domain=qualification.domain or None,
                action=QualificationAction.SUSPEND,
                actor_id=None,
                reason=reason,
                source="gold",
                now=now,
            )
