"""Reading item rows (from the API, JSONL or CSV) into validated drafts.

An item is what experts judge: a prompt (text, or chat messages), candidate responses, metadata
and a priority. A batch is accepted whole or not at all; every error names its row and field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from expertloop.core.errors import FieldError, invalid
from expertloop.core.kinds import TaskKind

ROLES = ("system", "user", "assistant")
MAX_RESPONSES = 9
MAX_TEXT_CHARS = 1_000_000
ITEM_KEYS = {"external_id", "prompt", "context", "responses", "data", "metadata", "priority"}
RESPONSE_KEYS = {"id", "text", "model"}
_ID_TYPES = (str, int)


@dataclass(frozen=True)
class ItemDraft:
    """One validated item, ready to store."""

    external_id: str | None
    prompt: str | list[dict[str, str]]
    context: str | None
    responses: list[dict[str, Any]]
    metadata: dict[str, Any] = field(default_factory=dict)
    priority: int = 0
    data: dict[str, Any] = field(default_factory=dict)


def read_items(
    rows: Iterable[Mapping[str, Any]], *, kind: TaskKind, spec: dict[str, Any], first_row: int = 0
) -> list[ItemDraft]:
    """Validate a batch of raw item rows.

    Args:
        rows: raw mappings, as decoded from JSON or CSV.
        kind: the project's task kind, which checks kind-specific rules (e.g. two responses).
        spec: the project's normalised spec.
        first_row: index of the first row, so errors name rows of the whole file.

    Returns:
        One draft per row, in order.

    Raises:
        Invalid: ``items.invalid`` naming every bad row and field; nothing is accepted.
    """
    checked = check_items(rows, kind=kind, spec=spec, first_row=first_row)
    if checked.errors:
        raise invalid("items.invalid", checked.errors)
    return [draft for _, draft in checked.drafts]


@dataclass(frozen=True)
class CheckedItems:
    """A batch of rows read: the drafts of its good rows, each with its row index, and the
    errors of the others (each naming its row and field, in row order)."""

    drafts: list[tuple[int, ItemDraft]]
    errors: list[FieldError]


def check_items(
    rows: Iterable[Mapping[str, Any]], *, kind: TaskKind, spec: dict[str, Any], first_row: int = 0
) -> CheckedItems:
    """Validate a batch of raw item rows, keeping the good ones and naming the bad ones.

    Args:
        rows: raw mappings, as decoded from JSON or CSV.
        kind: the project's task kind, which checks kind-specific rules (e.g. two responses).
        spec: the project's normalised spec.
        first_row: index of the first row, so errors name rows of the whole file.

    Returns:
        The drafts of the rows without errors and the errors of the others. A row repeating
        the external id of an earlier good row of the batch is an error.

    Example:
        >>> from expertloop.core.kinds import get_kind
        >>> rows = [{"prompt": "a", "external_id": "x"}, {"prompt": "", "external_id": "y"}]
        >>> checked = check_items(rows, kind=get_kind("label"), spec={}, first_row=10)
        >>> [(row, draft.external_id) for row, draft in checked.drafts]
        [(10, 'x')]
        >>> [(e.row, e.field, e.message) for e in checked.errors]
        [(11, 'prompt', 'must not be empty')]
    """
    drafts: list[tuple[int, ItemDraft]] = []
    errors: list[FieldError] = []
    for index, draft, row_errors in read_each(rows, kind=kind, spec=spec, first_row=first_row):
        if draft is None:
            errors.extend(row_errors)
        else:
            drafts.append((index, draft))
    return CheckedItems(drafts, errors)


def read_each(
    rows: Iterable[Mapping[str, Any]], *, kind: TaskKind, spec: dict[str, Any], first_row: int = 0
) -> Iterator[tuple[int, ItemDraft | None, list[FieldError]]]:
    """Validate raw item rows one at a time, as they are asked for (``check_items`` for a
    stream): each row's index and its draft, or None and its errors. A row repeating the
    external id of an earlier good row is an error."""
    seen: set[str] = set()
    for offset, row in enumerate(rows):
        index = first_row + offset
        draft, row_errors = _read_item(row, kind=kind, spec=spec, index=index)
        if draft is not None and draft.external_id is not None:
            if draft.external_id in seen:
                message = f"repeats {draft.external_id!r}, used by an earlier row"
                yield index, None, [FieldError("external_id", message, index)]
                continue
            seen.add(draft.external_id)
        yield index, draft, row_errors


def _is_mapping(value: object) -> bool:
    """``isinstance(value, Mapping)``, quick for the usual plain dict."""
    return type(value) is dict or isinstance(value, Mapping)


def _is_blank(text: str) -> bool:
    """``not text.strip()`` without copying the text."""
    return not text or text.isspace()


def _unknown_fields(row: Mapping[str, Any], index: int) -> list[FieldError]:
    if ITEM_KEYS.issuperset(row):
        return []
    return [
        FieldError(field=key, message="unknown field", row=index)
        for key in sorted(set(row) - ITEM_KEYS)
    ]


def _read_item(
    row: Mapping[str, Any], *, kind: TaskKind, spec: dict[str, Any], index: int
) -> tuple[ItemDraft | None, list[FieldError]]:
    if not _is_mapping(row):
        return None, [FieldError(field="item", message="must be an object", row=index)]
    errors = _unknown_fields(row, index)
    external_id = row.get("external_id")
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)
    if external_id is not None and (
        not isinstance(external_id, str) or _is_blank(external_id) or len(external_id) > 200
    ):
        errors.append(FieldError("external_id", "must be a non-empty string of at most 200", index))
    prompt = _read_prompt(row.get("prompt"), index, errors)
    context = row.get("context")
    if context is not None and not isinstance(context, str):
        errors.append(FieldError("context", "must be a string", index))
    responses = _read_responses(row.get("responses", []), index, errors)
    metadata = row.get("metadata")
    metadata = {} if metadata is None else metadata
    if not _is_mapping(metadata):
        errors.append(FieldError("metadata", "must be an object", index))
    data = row.get("data")
    data = {} if data is None else data
    if not _is_mapping(data):
        errors.append(FieldError("data", "must be an object", index))
    priority = row.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int) or abs(priority) > 1_000_000:
        errors.append(FieldError("priority", "must be an integer from -1000000 to 1000000", index))
    if not errors:
        data = dict(data)
        problems = kind.check_item(spec, responses, data)
        errors.extend(FieldError(e.field, e.message, index) for e in problems)
    if errors:
        return None, errors
    draft = ItemDraft(
        external_id=external_id if isinstance(external_id, str) else None,
        prompt=prompt,  # type: ignore[arg-type]
        context=context,
        responses=responses,
        metadata=dict(metadata),
        priority=int(priority),
        data=data,  # a copy already
    )
    return draft, []


def _read_prompt(
    prompt: object, index: int, errors: list[FieldError]
) -> str | list[dict[str, str]] | None:
    if isinstance(prompt, str):
        if _is_blank(prompt):
            errors.append(FieldError("prompt", "must not be empty", index))
        elif len(prompt) > MAX_TEXT_CHARS:
            errors.append(
                FieldError("prompt", f"is longer than {MAX_TEXT_CHARS} characters", index)
            )
        return prompt
    if isinstance(prompt, list) and prompt:
        messages = []
        for position, message in enumerate(prompt):
            where = f"prompt[{position}]"
            if not isinstance(message, Mapping) or set(message) - {"role", "content"}:
                errors.append(FieldError(where, "must be {role, content}", index))
            elif message.get("role") not in ROLES:
                errors.append(
                    FieldError(f"{where}.role", f"must be one of {', '.join(ROLES)}", index)
                )
            elif not isinstance(message.get("content"), str):
                errors.append(FieldError(f"{where}.content", "must be a string", index))
            else:
                messages.append({"role": message["role"], "content": message["content"]})
        return messages
    errors.append(
        FieldError("prompt", "must be a text or a non-empty list of chat messages", index)
    )
    return None


def _read_responses(
    responses: object, index: int, errors: list[FieldError]
) -> list[dict[str, Any]]:
    if not isinstance(responses, list) or len(responses) > MAX_RESPONSES:
        errors.append(FieldError("responses", f"must be a list of at most {MAX_RESPONSES}", index))
        return []
    result: list[dict[str, Any]] = []
    ids: set[str] = set()
    for position, response in enumerate(responses):
        if type(response) is not dict and not isinstance(response, Mapping):
            errors.append(FieldError(f"responses[{position}]", "must be an object", index))
            continue
        if not RESPONSE_KEYS.issuperset(response):
            for key in sorted(set(response) - RESPONSE_KEYS):
                errors.append(FieldError(f"responses[{position}].{key}", "unknown field", index))
        text = response.get("text")
        if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
            errors.append(FieldError(f"responses[{position}].text", "must be a string", index))
        response_id = response["id"] if "id" in response else chr(ord("A") + position)
        key = str(response_id)
        if not isinstance(response_id, _ID_TYPES) or isinstance(response_id, bool):
            errors.append(FieldError(f"responses[{position}].id", "must be a string", index))
        elif key in ids:
            message = f"repeats the id {response_id!r}"
            errors.append(FieldError(f"responses[{position}].id", message, index))
        model = response.get("model")
        if model is not None and not isinstance(model, str):
            errors.append(FieldError(f"responses[{position}].model", "must be a string", index))
        ids.add(key)
        result.append({"id": key, "text": text, "model": model})
    return result


def prompt_line(prompt: Any, limit: int = 160) -> str:
    """An item's prompt on one line for lists (a chat's last user turn), cut to ``limit``.

    Example:
        >>> chat = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yes?"}]
        >>> prompt_line([*chat, {"role": "user", "content": "Is  it\\nsafe?"}])
        'Is it safe?'
        >>> prompt_line("a b c d", limit=4)
        'a b…'
    """
    if isinstance(prompt, list):
        turns = [turn for turn in prompt if isinstance(turn, dict)]
        users = [turn for turn in turns if turn.get("role") == "user"] or turns
        prompt = users[-1].get("content", "") if users else ""
    text = " ".join(str(prompt or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
