"""Escalations: a project's judgments newest first, for the escalation list to filter."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertloop.store.tables import Item, Judgment, User

SCAN_CHUNK = 500


def iter_newest_judgments(
    session: Session, project_id: int, *, chunk: int = SCAN_CHUNK
) -> Iterator[tuple[Judgment, Item, User]]:
    """The project's judgments with item and expert, newest first, read in keyset chunks.

    Walks ``ix_judgments_project`` (project_id, id) backwards; the caller stops when it has
    seen enough, so only the chunks it consumes are read.
    """
    before: int | None = None
    while True:
        query = (
            select(Judgment, Item, User)
            .join(Item, Item.id == Judgment.item_id)
            .join(User, User.id == Judgment.expert_id)
            .where(Judgment.project_id == project_id)
            .order_by(Judgment.id.desc())
            .limit(chunk)
        )
        if before is not None:
            query = query.where(Judgment.id < before)
        rows = [(judgment, item, user) for judgment, item, user in session.execute(query)]
        yield from rows
        if len(rows) < chunk:
            return
        before = rows[-1][0].id
