"""The audit log: who changed what, when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertloop.store.tables import AuditEntry


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            actor_id=actor_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=detail or {},
            created_at=now,
        )
    )


def list_entries(session: Session, *, entity: str, entity_id: int) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id)
    )
    return list(session.scalars(query))
