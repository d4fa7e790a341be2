"""The lead's escalation list: rubric judgments with safety / policy flags, successful attacks.

Judgment values are JSON, and filtering on a key inside them differs between SQLite and
PostgreSQL, so the list is filtered in Python (``core.escalations``) over a bounded scan of the
project's judgments, newest first, along the ``(project_id, id)`` index. The scan stops at
``limit`` escalations or after ``limit * SCAN_FACTOR`` judgments, whichever comes first; an
escalation older than that window is not listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from expertloop.core.escalations import ESCALATING_KINDS, Flag, Reason, escalation_of
from expertloop.core.policies import Actor
from expertloop.services.projects import get_project_or_raise
from expertloop.store import Session
from expertloop.store import escalations as store
from expertloop.store.tables import Item, Judgment, User

DEFAULT_LIMIT = 200
SCAN_FACTOR = 50
"""How many judgments are read, at most, per escalation asked for."""


@dataclass(frozen=True)
class Escalation:
    """One judgment in the lead's escalation list.

    ``flags`` are the rubric flags (response, flag, note) or the single flag
    ``attack_succeeded`` of a red_team judgment, which also sets ``harm_category`` and
    ``severity``. ``note`` is the expert's own text for the judgment as a whole: the
    red-team notes, or the rubric rationale.
    """

    item_id: int
    external_id: str | None
    judgment_id: int
    expert_id: int
    expert_name: str
    flags: tuple[Flag, ...]
    harm_category: str | None
    severity: int | None
    note: str
    created_at: datetime


def list_escalations(
    *, session: Session, actor: Actor, project_id: int, limit: int = DEFAULT_LIMIT
) -> list[Escalation]:
    """The project's escalated judgments, newest first (policy ``watch``).

    Raises:
        NotFound: ``project.not_found``. Forbidden: for experts, who never see others' work.
    """
    project = get_project_or_raise(
        session=session, actor=actor, project_id=project_id, policy="watch"
    )
    found: list[Escalation] = []
    if project.kind in ESCALATING_KINDS and limit > 0:
        rows = store.iter_newest_judgments(session, project.id)
        for judgment, item, user in islice(rows, limit * SCAN_FACTOR):
            reason = escalation_of(project.kind, judgment.value)
            if reason is not None:
                found.append(_escalation(judgment, item, user, reason))
            if len(found) >= limit:
                break
    session.commit()
    return found


def _escalation(judgment: Judgment, item: Item, user: User, reason: Reason) -> Escalation:
    note = judgment.value.get("notes") or judgment.rationale
    return Escalation(
        item_id=item.id,
        external_id=item.external_id,
        judgment_id=judgment.id,
        expert_id=user.id,
        expert_name=user.name,
        flags=reason.flags,
        harm_category=reason.harm_category,
        severity=reason.severity,
        note=str(note or ""),
        created_at=judgment.created_at,
    )
