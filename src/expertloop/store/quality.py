"""Measured quality: each expert's gold record per project, consensus rows, and the state of
each project's background aggregation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from expertloop.store.tables import (
    Consensus,
    ExpertQuality,
    Item,
    Judgment,
    Project,
    ProjectQuality,
    Review,
    Track,
    User,
)


def _insert_ignore(session: Session, table: Any, values: dict[str, Any]) -> None:
    """INSERT that does nothing when the primary key exists (races create the row once)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(table).values(**values).on_conflict_do_nothing())


def lock_expert_quality(
    session: Session, *, project_id: int, expert_id: int, now: datetime
) -> ExpertQuality:
    """The expert's quality row for the project, created if missing, locked for update."""
    _insert_ignore(
        session,
        ExpertQuality,
        {"project_id": project_id, "expert_id": expert_id, "updated_at": now},
    )
    query = (
        select(ExpertQuality)
        .where(ExpertQuality.project_id == project_id, ExpertQuality.expert_id == expert_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).one()


def get_expert_quality(
    session: Session, *, project_id: int, expert_id: int
) -> ExpertQuality | None:
    return session.get(ExpertQuality, (project_id, expert_id))


def list_expert_quality(session: Session, project_id: int) -> list[tuple[ExpertQuality, str]]:
    """The project's expert quality rows with each expert's name, by expert id."""
    query = (
        select(ExpertQuality, User.name)
        .join(User, User.id == ExpertQuality.expert_id)
        .where(ExpertQuality.project_id == project_id)
        .order_by(ExpertQuality.expert_id)
    )
    return [(row, name) for row, name in session.execute(query)]


def find_project_quality(session: Session, project_id: int) -> ProjectQuality | None:
    """The project's aggregation state, None before its first refresh (reads only)."""
    return session.get(ProjectQuality, project_id)


def reset_track_windows(session: Session, *, expert_id: int, track_id: int) -> None:
    """Start the expert's gold windows afresh on every project that requires this track (a
    reinstatement gives them a clean slate there)."""
    track = session.get(Track, track_id)
    rows = session.execute(
        select(ExpertQuality, Project.requirements)
        .join(Project, Project.id == ExpertQuality.project_id)
        .where(ExpertQuality.expert_id == expert_id)
    )
    for row, requirements in rows:
        if track is not None and track.name in (requirements or {}).get("tracks", []):
            row.window_answered = 0
            row.window_correct = 0


def set_reliabilities(
    session: Session, *, project_id: int, reliabilities: dict[int, float], now: datetime
) -> None:
    """Store the reliability aggregation estimated for each expert of the project."""
    for expert_id, reliability in sorted(reliabilities.items()):
        row = lock_expert_quality(session, project_id=project_id, expert_id=expert_id, now=now)
        row.reliability = reliability
        row.updated_at = now


def get_project_quality(session: Session, project_id: int, *, lock: bool = False) -> ProjectQuality:
    """The project's aggregation state, created if missing (locked when ``lock``)."""
    _insert_ignore(session, ProjectQuality, {"project_id": project_id, "report": {}})
    query = select(ProjectQuality).where(ProjectQuality.project_id == project_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one()


def projects_due(session: Session, *, kinds: Iterable[str], limit: int = 20) -> list[int]:
    """Projects of these kinds with judgments or reviews newer than their last aggregation, or
    with a refresh asked for. Each newest id is one index look-up per project, whatever the
    number of judgments."""
    newest_judgment = (
        select(func.max(Judgment.id)).where(Judgment.project_id == Project.id).scalar_subquery()
    )
    newest_review = (
        select(func.max(Review.id)).where(Review.project_id == Project.id).scalar_subquery()
    )
    query = (
        select(Project.id)
        .join(ProjectQuality, ProjectQuality.project_id == Project.id, isouter=True)
        .where(Project.kind.in_(list(kinds)))
        .where(
            or_(
                ProjectQuality.requested_at.is_not(None),
                func.coalesce(newest_judgment, 0)
                > func.coalesce(ProjectQuality.last_judgment_id, 0),
                func.coalesce(newest_review, 0) > func.coalesce(ProjectQuality.last_review_id, 0),
            )
        )
        .order_by(Project.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def lock_project_quality_nowait(session: Session, project_id: int) -> ProjectQuality | None:
    """Lock the project's aggregation state unless another worker holds it (then None); the
    row is created on first use."""
    locked = (
        select(ProjectQuality)
        .where(ProjectQuality.project_id == project_id)
        .with_for_update(skip_locked=True)
    )
    found = session.scalars(locked).first()
    if found is not None:
        return found
    exists = select(ProjectQuality.project_id).where(ProjectQuality.project_id == project_id)
    if session.scalar(exists) is not None:
        return None  # there, and locked by another worker
    _insert_ignore(session, ProjectQuality, {"project_id": project_id, "report": {}})
    return session.scalars(locked).first()


def consensus_by_item(session: Session, project_id: int) -> dict[int, Consensus]:
    """The project's consensus rows, locked: an adjudication in flight finishes first, and
    the refresh then sees it (and leaves it alone)."""
    query = (
        select(Consensus)
        .where(Consensus.project_id == project_id)
        .order_by(Consensus.item_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.item_id: row for row in session.scalars(query)}


def get_consensus(session: Session, item_id: int, *, lock: bool = False) -> Consensus | None:
    query = select(Consensus).where(Consensus.item_id == item_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def add_consensus(session: Session, values: dict[str, Any]) -> Consensus:
    row = Consensus(**values)
    session.add(row)
    return row


def list_consensus(
    session: Session, project_id: int, *, state: str | None = None, limit: int = 100
) -> list[Consensus]:
    query = select(Consensus).where(Consensus.project_id == project_id)
    if state is not None:
        query = query.where(Consensus.state == state)
    return list(session.scalars(query.order_by(Consensus.item_id).limit(limit)))


def count_consensus(session: Session, project_id: int) -> dict[str, int]:
    """How many items of the project are in each consensus state."""
    query = (
        select(Consensus.state, func.count())
        .where(Consensus.project_id == project_id)
        .group_by(Consensus.state)
    )
    return {state: count for state, count in session.execute(query)}


def votes_for(session: Session, project_id: int) -> list[tuple[int, int, dict[str, Any]]]:
    """(item id, expert id, value) of every judgment that counts toward consensus, oldest
    first. Gold items and rejected judgments are left out; a revised judgment counts with the
    reviewer's value."""
    query = (
        select(Judgment.item_id, Judgment.expert_id, Judgment.value, Review.revised_value)
        .join(Item, Item.id == Judgment.item_id)
        .outerjoin(Review, Review.judgment_id == Judgment.id)
        .where(
            Judgment.project_id == project_id,
            Item.state != "gold",
            or_(Judgment.review_state.is_(None), Judgment.review_state != "rejected"),
        )
        .order_by(Judgment.id)
    )
    return [
        (item_id, expert_id, revised if revised is not None else value)
        for item_id, expert_id, value, revised in session.execute(query)
    ]


def settled_ids(session: Session, project_id: int, *, before: datetime) -> tuple[int, int]:
    """The newest judgment id and review id of the project made at or before ``before``.

    On PostgreSQL an id is taken when a row is inserted, not when it commits, so a newer id
    can be visible while an older one is still in flight. A refresh marks as seen only what
    is older than the longest a submit takes; newer rows keep the project due until then.
    """
    judgment = session.scalar(
        select(func.max(Judgment.id)).where(
            Judgment.project_id == project_id, Judgment.created_at <= before
        )
    )
    review = session.scalar(
        select(func.max(Review.id)).where(
            Review.project_id == project_id, Review.created_at <= before
        )
    )
    return judgment or 0, review or 0


def item_counts(session: Session, item_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(overlap, judgments) of each item."""
    found: dict[int, tuple[int, int]] = {}
    for start in range(0, len(item_ids), 500):
        chunk = item_ids[start : start + 500]
        query = select(Item.id, Item.overlap, Item.judgments_count).where(Item.id.in_(chunk))
        found.update({row.id: (row.overlap, row.judgments_count) for row in session.execute(query)})
    return found


def open_slot(session: Session, *, item_id: int, seen_overlap: int, k_max: int) -> bool:
    """Raise an item's overlap by one, only if it is still what aggregation saw and below
    ``k_max`` (a concurrent change makes this a no-op); True when it rose."""
    raised = session.execute(
        update(Item)
        .where(
            Item.id == item_id,
            Item.overlap == seen_overlap,
            Item.overlap < k_max,
            Item.judgments_count >= Item.overlap,
        )
        .values(overlap=Item.overlap + 1)
        .returning(Item.id)
    ).first()
    return raised is not None


def response_models(session: Session, project_id: int) -> dict[int, tuple[str, str]]:
    """(model of response A, model of response B) of each pairwise item that names both."""
    query = select(Item.id, Item.responses).where(
        Item.project_id == project_id, Item.state != "gold"
    )
    found = {}
    for item_id, responses in session.execute(query):
        models = [str(r.get("model") or "") for r in (responses or [])[:2]]
        if len(models) == 2 and all(models) and models[0] != models[1]:
            found[item_id] = (models[0], models[1])
    return found


def expert_rows(session: Session, expert_id: int) -> list[tuple[ExpertQuality, Project]]:
    """The expert's quality rows with their projects, by project id."""
    query = (
        select(ExpertQuality, Project)
        .join(Project, Project.id == ExpertQuality.project_id)
        .where(ExpertQuality.expert_id == expert_id)
        .order_by(Project.id)
    )
    return [(row, project) for row, project in session.execute(query)]
