"""Judgment values checked against a project's spec and the item they judge."""

from __future__ import annotations

from typing import Any

from expertloop.core.errors import invalid
from expertloop.core.kinds import get_kind
from expertloop.store import Session
from expertloop.store import items as item_store
from expertloop.store.tables import Project


def validate_for_item(
    session: Session,
    *,
    project: Project,
    item_id: int,
    value: dict[str, Any],
    rationale: str | None,
) -> dict[str, Any]:
    """The value to store: checked against the project's spec and, where it matters, against
    the item, plus what the kind derives from both (only kinds that check their item derive).
    ``rationale=None`` skips the rationale's minimum length (gold answers, reviewers' values).

    Raises:
        Invalid: ``judgment.invalid_value`` naming the field.
    """
    kind = get_kind(project.kind)
    spec = project.spec if rationale is not None else {**project.spec, "min_rationale_chars": 0}
    clean = kind.validate_value(spec, value, rationale or "")
    if kind.checks_value_against_item:
        item = item_store.get_item(session, item_id)
        assert item is not None  # the caller's lease or item row guarantees it
        problems = kind.check_value_against_item(spec, clean, item.responses, item.data)
        if problems:
            raise invalid("judgment.invalid_value", problems)
        clean = kind.derive_value(spec, clean, item.responses, item.data)
    return clean
