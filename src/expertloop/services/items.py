"""Use case: import a batch of items into a project, all or nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from expertloop.core.errors import FieldError, invalid
from expertloop.core.items import ItemDraft, read_items
from expertloop.core.kinds import get_kind
from expertloop.core.lifecycles import ItemState
from expertloop.core.policies import Actor
from expertloop.services.projects import get_project_or_raise
from expertloop.store import Session, audit
from expertloop.store import items as store
from expertloop.store.tables import Project


def import_items(
    *,
    session: Session,
    actor: Actor | None,
    project_id: int,
    rows: Iterable[Mapping[str, Any]],
    now: datetime,
    first_row: int = 0,
) -> int:
    """Validate and store a batch of items; returns how many were created.

    Raises:
        Invalid: ``items.invalid`` naming each bad row and field, including external ids the
            project already has; nothing of the batch is stored.
    """
    project = get_project_or_raise(
        session=session, actor=actor, project_id=project_id, policy="edit"
    )
    drafts = read_items(rows, kind=get_kind(project.kind), spec=project.spec, first_row=first_row)
    _refuse_taken(session, project.id, drafts, first_row)
    rows_out = [_item_row(project, draft) for draft in drafts]
    created = store.insert_items(session, rows_out, now)
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="items.import",
        entity="project",
        entity_id=project.id,
        now=now,
        detail={"created": created},
    )
    session.commit()
    return created


def _refuse_taken(
    session: Session, project_id: int, drafts: list[ItemDraft], first_row: int
) -> None:
    ids = [d.external_id for d in drafts if d.external_id is not None]
    taken = store.existing_external_ids(session, project_id, ids)
    errors = [
        FieldError(
            "external_id", f"the project already has an item {d.external_id!r}", first_row + i
        )
        for i, d in enumerate(drafts)
        if d.external_id in taken
    ]
    if errors:
        raise invalid("items.invalid", errors)


def _item_row(project: Project, draft: ItemDraft) -> dict[str, Any]:
    """The stored row of a new item: every slot open, nothing started."""
    return {
        "project_id": project.id,
        "external_id": draft.external_id,
        "prompt": draft.prompt,
        "context": draft.context,
        "responses": draft.responses,
        "data": draft.data,
        "metadata_": draft.metadata,
        "priority": draft.priority,
        "overlap": project.overlap,
        "state": ItemState.OPEN.value,
        "started": False,
        "judgments_count": 0,
        "leases_count": 0,
    }
