"""Policy walk rows of adjudication: the queue, one dispute, the decision. The walk sends the
same decision once per allowed role: the first decides it, the others are retries answered 200
unchanged; ``test_adjudication_api.py`` covers a different second decision (409)."""

from __future__ import annotations

from typing import Any

from walk import Area, Route, WalkContext

from dispute_kit import Vote, disputed_item

DECIDERS = {"admin", "lead", "reviewer"}

ROWS: dict[Route, tuple[set[str], Any]] = {
    ("GET", "/api/v1/adjudications"): (set(DECIDERS), None),
    ("GET", "/api/v1/items/{item_id}/dispute"): (set(DECIDERS), None),
    ("POST", "/api/v1/items/{item_id}/adjudication"): (
        set(DECIDERS),
        {"value": {"labels": ["yes"]}, "reason": "The cited trial supports it."},
    ),
}


def prepare(ctx: WalkContext, route: Route) -> dict[str, Any]:
    """A label item the walk's owner judged, left disputed."""
    vote = Vote(ctx.owner, {"labels": ["no"]}, "Not in the abstract.")
    _, item_id = disputed_item(
        ctx.factory, lead=ctx.people["lead"], kind="label", votes=[vote], leading={"labels": ["no"]}
    )
    return {"item_id": item_id}


AREA = Area(rows=ROWS, prepare=prepare)
