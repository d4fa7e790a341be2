"""Preference rows (TRL's shape: ``prompt``, ``chosen``, ``rejected``) read as pairwise items.

A row with ``prompt``, ``chosen`` and ``rejected`` and no ``responses`` becomes a ``pairwise``
item whose two responses A and B hold the chosen and the rejected completion. Which one is A is
decided by a hash of the row's external id (of its texts when it has none): the same row always
gets the same order, and about half the rows put the chosen completion second, so experts cannot
learn that A is the better one. The original preference goes to ``metadata.reference_choice``
(``"A"`` or ``"B"``), which the workbench never shows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from expertloop.core.errors import FieldError, invalid

PREFERENCE_KEYS = frozenset({"prompt", "chosen", "rejected"})
ITEM_KEYS = ("context", "priority")
FULL_KEYS = {"chosen_full": "chosen", "rejected_full": "rejected"}
HH_RLHF_START = "\n\nHuman:"


def is_preference_row(row: object) -> bool:
    """Whether ``row`` has TRL's preference shape (prompt, chosen, rejected, no responses)."""
    return isinstance(row, Mapping) and set(row) >= PREFERENCE_KEYS and "responses" not in row


def preference_item(row: Mapping[str, Any]) -> dict[str, Any]:
    """Map one preference row to a ``pairwise`` item row, ready for ``read_items``.

    The mapping: ``id`` (or ``external_id``) -> ``external_id``; ``prompt`` -> ``prompt`` as it
    is (a text or chat messages); ``chosen`` and ``rejected`` (texts, or chat messages whose
    contents are joined) -> responses A and B in an order fixed by a hash of the external id;
    ``context``, ``priority`` and ``metadata`` as they are; ``metadata.reference_choice`` = the
    response holding ``chosen``; ``metadata.source`` = ``"hh-rlhf"`` when the prompt is an
    Anthropic HH-RLHF transcript (starts with ``"\\n\\nHuman:"``), else ``"preference"``
    (unless the row's metadata names a source). ``chosen_full`` / ``rejected_full`` are dropped
    when they are the prompt followed by the completion; every other column is copied to
    ``metadata``.

    Args:
        row: one decoded row of a preference dataset.

    Returns:
        The item row; its contents are checked later by ``read_items``.

    Raises:
        Invalid: ``items.invalid`` naming each field that is missing or not a completion.
    """
    present = {key for key, value in row.items() if value is not None}
    errors = [FieldError(key, "is missing") for key in sorted(PREFERENCE_KEYS - present)]
    chosen = _completion(row.get("chosen"), "chosen", errors)
    rejected = _completion(row.get("rejected"), "rejected", errors)
    if errors:
        raise invalid("items.invalid", errors)
    external_id = row.get("external_id", row.get("id"))
    key = str(external_id) if external_id is not None else f"{row['prompt']}|{chosen}|{rejected}"
    chosen_first = hashlib.sha256(key.encode("utf-8")).digest()[0] % 2 == 0
    texts = (chosen, rejected) if chosen_first else (rejected, chosen)
    item: dict[str, Any] = {
        "prompt": row["prompt"],
        "responses": [{"id": rid, "text": text} for rid, text in zip("AB", texts, strict=True)],
        "metadata": _metadata(row, chosen_first),
    }
    if external_id is not None:
        item["external_id"] = external_id
    item.update({k: row[k] for k in ITEM_KEYS if row.get(k) is not None})
    return item


def _completion(value: object, field: str, errors: list[FieldError]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(_is_message(m) for m in value):
        return "\n\n".join(message["content"] for message in value)
    if value is not None:
        errors.append(FieldError(field, "must be a text or a list of chat messages"))
    return ""  # missing: named by the caller


def _is_message(message: object) -> bool:
    return isinstance(message, Mapping) and isinstance(message.get("content"), str)


def _metadata(row: Mapping[str, Any], chosen_first: bool) -> dict[str, Any]:
    given = row.get("metadata")
    metadata: dict[str, Any] = dict(given) if isinstance(given, Mapping) else {}
    handled = {*PREFERENCE_KEYS, *ITEM_KEYS, "id", "external_id", "metadata"}
    prompt = row["prompt"]
    for key, value in row.items():
        if key in handled or value is None:
            continue
        part = FULL_KEYS.get(key)
        if part is not None and isinstance(prompt, str) and value == prompt + str(row[part]):
            continue  # the whole transcript again: nothing new
        metadata.setdefault(key, value)
    metadata["reference_choice"] = "A" if chosen_first else "B"
    hh = isinstance(prompt, str) and prompt.startswith(HH_RLHF_START)
    metadata.setdefault("source", "hh-rlhf" if hh else "preference")
    return metadata
