"""Use case: import items into a project, all or nothing, from a stream of batches.

One transaction for the whole import, however long: each batch is validated and stored as it
comes, so memory holds one batch. The unique external id of a project is the database's to
keep: a batch that repeats one the project has (those of earlier batches of this import
included) is undone and looked at again to name the rows. A bad row anywhere and nothing is
committed; the errors name every bad row and field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from expertloop.core.errors import FieldError, invalid
from expertloop.core.items import ItemDraft, check_items, read_each
from expertloop.core.kinds import TaskKind, get_kind
from expertloop.core.lifecycles import ItemState
from expertloop.core.policies import Actor
from expertloop.services.projects import get_project_or_raise
from expertloop.store import IntegrityError, Session, audit
from expertloop.store import items as store
from expertloop.store.tables import Project

BATCH_ROWS = 5_000
"""Rows validated and stored at a time: memory holds about one batch of rows and drafts."""


@dataclass(frozen=True)
class ItemBatch:
    """Raw item rows of one import, with what each row is called in errors.

    ``numbers[i]`` names ``rows[i]`` in errors: its index in the request, or its line in a
    file. ``problems`` are errors the caller found in rows it could not hand over (a line that
    is not JSON), already named; they fail the import like any other.
    """

    rows: Sequence[Any]
    numbers: Sequence[int]
    problems: Sequence[FieldError] = ()


def import_items(
    *,
    session: Session,
    actor: Actor | None,
    project_id: int,
    rows: Iterable[Mapping[str, Any]],
    now: datetime,
    first_row: int = 0,
) -> int:
    """Validate and store items (rows read lazily, ``BATCH_ROWS`` at a time); returns how many
    were created. Errors name rows by their index, counted from ``first_row``.

    Raises:
        Invalid: ``items.invalid`` naming each bad row and field, including external ids the
            project already has; nothing is stored.
    """
    return import_item_batches(
        session=session,
        actor=actor,
        project_id=project_id,
        batches=batches_of(rows, first_row),
        now=now,
    )


def batches_of(rows: Iterable[Any], first_row: int = 0) -> Iterator[ItemBatch]:
    """``rows`` cut into batches of ``BATCH_ROWS``, numbered from ``first_row``."""
    source = iter(rows)
    start = first_row
    while chunk := list(islice(source, BATCH_ROWS)):
        yield ItemBatch(chunk, range(start, start + len(chunk)))
        start += len(chunk)


def import_item_batches(
    *,
    session: Session,
    actor: Actor | None,
    project_id: int,
    batches: Iterable[ItemBatch],
    now: datetime,
    on_stored: Callable[[int], None] | None = None,
    max_problems: int | None = None,
) -> int:
    """Validate and store every batch in one transaction; returns how many items were created.

    ``on_stored`` gets the number of items stored so far after each batch. With
    ``max_problems``, no further batch is read once that many problems are found.

    Raises:
        Invalid: ``items.invalid`` naming each bad row and field (by ``ItemBatch.numbers``), in
            order; nothing is stored.
    """
    project = get_project_or_raise(
        session=session, actor=actor, project_id=project_id, policy="edit"
    )
    run = _Import(project, store.last_item_id(session, project.id), now)
    for batch in batches:
        run.store(session, batch)
        if on_stored is not None:
            on_stored(run.created)
        if max_problems is not None and len(run.problems) >= max_problems:
            break
    if run.problems:
        session.rollback()
        raise invalid("items.invalid", run.problems)
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="items.import",
        entity="project",
        entity_id=project.id,
        now=now,
        detail={"created": run.created},
    )
    session.commit()
    return run.created


@dataclass
class _Import:
    """One import under way: the project, where its earlier items end, what it has done."""

    project: Project
    last_id: int
    """The project's highest item id before the import: higher ones are this import's."""
    now: datetime
    created: int = 0
    problems: list[FieldError] = field(default_factory=list)

    @property
    def kind(self) -> TaskKind:
        return get_kind(self.project.kind)

    def store(self, session: Session, batch: ItemBatch) -> None:
        """Validate the batch as it is stored; when an external id is taken (the insert is
        undone), validate it again, name the taken ids and store the rest.

        Good rows are stored even after a problem (the import will be rolled back), so that
        a later row repeating their external id is still found.
        """
        errors: list[FieldError] = []
        shared = _new_item(self.project)
        try:
            created = store.insert_items(
                session, self._drafts(batch, errors), shared=shared, now=self.now
            )
        except IntegrityError:
            checked = check_items(batch.rows, kind=self.kind, spec=self.project.spec)
            taken, drafts = self._taken(session, checked.drafts)
            if not taken:
                raise  # not an external id: a bug or a race, not the rows' fault
            errors = [*checked.errors, *taken]
            created = store.insert_items(session, drafts, shared=shared, now=self.now)
        named = [FieldError(e.field, e.message, _number(batch, e.row)) for e in errors]
        self.problems.extend(sorted([*batch.problems, *named], key=_row))
        self.created += created

    def _drafts(self, batch: ItemBatch, errors: list[FieldError]) -> Iterator[ItemDraft]:
        """The batch's good drafts as they are read; the errors of the others go to
        ``errors``."""
        for _, draft, row_errors in read_each(batch.rows, kind=self.kind, spec=self.project.spec):
            if draft is None:
                errors.extend(row_errors)
            else:
                yield draft

    def _taken(
        self, session: Session, drafts: list[tuple[int, ItemDraft]]
    ) -> tuple[list[FieldError], list[ItemDraft]]:
        """Errors for the drafts whose external id is stored already; the other drafts."""
        ids = [d.external_id for _, d in drafts if d.external_id is not None]
        found = store.find_external_ids(session, self.project.id, ids) if ids else {}
        errors: list[FieldError] = []
        free: list[ItemDraft] = []
        for row, draft in drafts:
            item_id = found.get(draft.external_id) if draft.external_id is not None else None
            if item_id is None:
                free.append(draft)
            elif item_id > self.last_id:
                message = f"repeats {draft.external_id!r}, used by an earlier row"
                errors.append(FieldError("external_id", message, row))
            else:
                message = f"the project already has an item {draft.external_id!r}"
                errors.append(FieldError("external_id", message, row))
        return errors, free


def _number(batch: ItemBatch, row: int | None) -> int | None:
    return None if row is None else batch.numbers[row]


def _row(error: FieldError) -> int:
    return -1 if error.row is None else error.row


def _new_item(project: Project) -> dict[str, Any]:
    """What every new item of the project starts with: every slot open, nothing started."""
    return {
        "project_id": project.id,
        "overlap": project.overlap,
        "state": ItemState.OPEN.value,
        "started": False,
        "judgments_count": 0,
        "leases_count": 0,
    }
