"""What the adjudication tests share: experts judge an item through the real claim and submit
services, then the item's consensus is written as disputed (standing in for the background
aggregation, which the adjudication tests do not exercise)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services import judgments, queue
from expertloop.services.items import import_items
from expertloop.store import Database
from expertloop.store.quality import add_consensus
from expertloop.store.tables import Item

WORK_SECONDS = 42.0
"""How long each expert works on the item (the clock moves this much between claim and
submit; below the idle cap, so all of it is active time)."""

PAIRWISE_ROW: dict[str, Any] = {
    "external_id": "dose-7",
    "prompt": "A 70 kg adult needs **amoxicillin** for community-acquired pneumonia. "
    "What oral dose would you suggest?",
    "responses": [
        {"id": "A", "text": "Give *3 g* every 4 hours for three weeks.", "model": "m-a"},
        {"id": "B", "text": "**1 g three times daily** for 5 days.\n\n- reassess", "model": "m-b"},
    ],
}
LABEL_ROW: dict[str, Any] = {
    "external_id": "claim-3",
    "prompt": "Claim: *statins reduce all-cause mortality in primary prevention.*",
    "responses": [{"id": "A", "text": "JUPITER reported HR 0.80 for all-cause mortality."}],
}


@dataclass(frozen=True)
class Vote:
    """One expert's judgment of the disputed item."""

    person: Any
    value: dict[str, Any]
    rationale: str


def actor_of(person: Any) -> Actor:
    return Actor(person.id, Role(person.role))


def judge(database: Database, clock: Any, project_id: int, vote: Vote) -> int:
    """Claim the next item as the voter and submit the vote; the judgment's id."""
    actor = actor_of(vote.person)
    with database.scoped() as session:
        claim = queue.claim_next(session=session, actor=actor, project_id=project_id, now=clock())
    assert claim is not None, "nothing to claim"
    clock.advance(WORK_SECONDS)
    with database.scoped() as session:
        submitted = judgments.submit_judgment(
            session=session,
            actor=actor,
            assignment_id=claim.assignment.id,
            value=vote.value,
            rationale=vote.rationale,
            idempotency_key=None,
            now=clock(),
        )
    return submitted.judgment.id


def mark_disputed(
    database: Database,
    clock: Any,
    item_id: int,
    value: dict[str, Any],
    *,
    confidence: float = 0.55,
    state: str = "disputed",
    judgments_count: int = 3,
) -> None:
    """Write the item's consensus as aggregation would leave a disputed item."""
    with database.scoped() as session:
        item = session.get(Item, item_id)
        assert item is not None
        add_consensus(
            session,
            {
                "item_id": item.id,
                "project_id": item.project_id,
                "value": value,
                "confidence": confidence,
                "method": "ds",
                "state": state,
                "judgments": judgments_count,
                "detail": {"posterior": {"leading": confidence}},
                "updated_at": clock(),
            },
        )
        session.commit()


def disputed_item(
    factory: Any,
    *,
    lead: Any,
    kind: str,
    votes: list[Vote],
    leading: dict[str, Any],
    row: dict[str, Any] | None = None,
    spec: dict[str, Any] | None = None,
    state: str = "disputed",
) -> tuple[int, int]:
    """A project with one item that every voter judged, its consensus ``state`` with the
    ``leading`` value; (project id, item id)."""
    project_id = factory.project(lead=lead, kind=kind, overlap=len(votes), spec=spec)
    source = row or (PAIRWISE_ROW if kind == "pairwise" else LABEL_ROW)
    with factory.database.scoped() as session:
        import_items(
            session=session, actor=None, project_id=project_id, rows=[source], now=factory.clock()
        )
    for vote in votes:
        judge(factory.database, factory.clock, project_id, vote)
    item_id = first_item(factory.database, project_id)
    mark_disputed(
        factory.database, factory.clock, item_id, leading, state=state, judgments_count=len(votes)
    )
    return project_id, item_id


def first_item(database: Database, project_id: int) -> int:
    with database.scoped(write=False) as session:
        return int(session.scalars(select(Item.id).where(Item.project_id == project_id)).one())
