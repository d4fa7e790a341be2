"""Label Studio tasks (its JSON export) read as item rows.

A Label Studio export is a JSON list of tasks ``{"id", "data": {...}, "annotations": [...],
"predictions": [...]}`` (plus bookkeeping keys such as ``created_at`` or ``project``, which are
ignored). Each key of ``data`` goes to an item field: through the field map when a
``--map`` pair reads it, else by its name (``DATA_KEYS``); a key that goes nowhere is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Real
from typing import Any

from expertloop.core.errors import FieldError, invalid
from expertloop.core.field_maps import FieldMap, fill_item

PROMPT_KEYS = ("prompt", "text", "question")
DATA_KEYS = {
    "external_id": "external_id",
    "context": "context",
    "priority": "priority",
    "responses": "responses",
    "metadata": "metadata",
    "data": "data",
    "steps": "data.steps",
    "members": "data.members",
    "proposed_name": "data.proposed_name",
    "prediction": "data.prediction",
}
"""Keys of a task's ``data`` that go to an item field of (about) the same name."""
RESPONSE_PREFIXES = {"response_": "", "model_": ".model"}


def label_studio_item(task: object, *, field_map: FieldMap, kind: str) -> dict[str, Any]:
    """Map one Label Studio task to an item row, ready for ``read_items``.

    The mapping, unless a ``--map`` pair fills the field: ``data.prompt`` (else ``data.text``,
    else ``data.question``) -> ``prompt``; ``data.response_<ID>`` / ``data.model_<ID>`` ->
    response ``<ID>``; the ``DATA_KEYS`` of ``data`` by name; ``id`` -> ``external_id``
    ``"ls-<id>"``. For ``verify`` projects, the first prediction's first ``choices`` result ->
    ``data.prediction`` (``label``: its first choice, ``model``: ``model_version``,
    ``confidence``: the result's or the prediction's ``score``). The task's ``id``,
    ``annotations`` and ``predictions`` are kept in ``metadata.label_studio`` for reference;
    experts never see them as the answer.

    Args:
        task: one element of the export's list.
        field_map: the ``--map`` pairs (sources are paths in the task: ``data.question``).
        kind: the project's task kind.

    Returns:
        The item row; its contents are checked later by ``read_items``.

    Raises:
        Invalid: ``items.invalid`` naming a task without ``data``, a missing source, a
            ``data`` key that goes nowhere, a ``verify`` task without a choices prediction.
    """
    if not isinstance(task, Mapping) or not isinstance(task.get("data"), Mapping):
        raise invalid("items.invalid", [FieldError("data", "a task must be {id, data: {...}}")])
    defaults, errors = _defaults(task["data"], field_map)
    item, missing = fill_item(field_map.plus(defaults), task)
    errors.extend(missing)
    if (
        not field_map.fills("external_id")
        and "external_id" not in item
        and task.get("id") is not None
    ):
        item["external_id"] = f"ls-{task['id']}"
    data = item.get("data", {})
    if kind == "verify" and isinstance(data, Mapping) and "prediction" not in data:
        prediction = _prediction(task.get("predictions"))
        if prediction is None:
            errors.append(FieldError("predictions", "a verify item needs a choices prediction"))
        else:
            item["data"] = {**data, "prediction": prediction}
    if errors:
        raise invalid("items.invalid", errors)
    metadata = item.get("metadata", {})
    if isinstance(metadata, Mapping):
        item["metadata"] = {**metadata, "label_studio": _reference(task)}
    return item


def _defaults(
    data: Mapping[str, Any], field_map: FieldMap
) -> tuple[list[tuple[str, str]], list[FieldError]]:
    """Pairs for the ``data`` keys no ``--map`` pair reads; an error per key that goes nowhere."""
    pairs: list[tuple[str, str]] = []
    errors: list[FieldError] = []
    taken = set(field_map.targets())
    for key in data:
        source = f"data.{key}"
        if field_map.uses(source):
            continue
        target = _default_target(key)
        if target is None or any(_overlap(target, other) for other in taken):
            message = f"goes to no item field; add --map FIELD={source} (e.g. metadata.{key})"
            errors.append(FieldError(source, message))
            continue
        taken.add(target)
        pairs.append((target, source))
    return pairs, errors


def _overlap(target: str, other: str) -> bool:
    if f"{other}.model" == target or f"{target}.model" == other:
        return False  # a response's text and its model
    return target == other or target.startswith(f"{other}.") or other.startswith(f"{target}.")


def _default_target(key: str) -> str | None:
    if key in PROMPT_KEYS:
        return "prompt"
    if key in DATA_KEYS:
        return DATA_KEYS[key]
    for prefix, suffix in RESPONSE_PREFIXES.items():
        if key.startswith(prefix) and len(key) > len(prefix) and "." not in key:
            return f"responses.{key.removeprefix(prefix)}{suffix}"
    return None


def _prediction(predictions: object) -> dict[str, Any] | None:
    """The first prediction's first ``choices`` result as ``{label, model, confidence}``."""
    if not isinstance(predictions, list) or not predictions:
        return None
    first = predictions[0]
    if not isinstance(first, Mapping) or not isinstance(first.get("result"), list):
        return None
    for result in first["result"]:
        value = result.get("value") if isinstance(result, Mapping) else None
        choices = value.get("choices") if isinstance(value, Mapping) else None
        if isinstance(choices, list) and choices:
            prediction: dict[str, Any] = {"label": choices[0]}
            if isinstance(first.get("model_version"), str) and first["model_version"]:
                prediction["model"] = first["model_version"]
            score = result.get("score", first.get("score"))
            if isinstance(score, Real) and not isinstance(score, bool):
                prediction["confidence"] = score
            return prediction
    return None


def _reference(task: Mapping[str, Any]) -> dict[str, Any]:
    reference: dict[str, Any] = {"id": task.get("id")}
    for key in ("annotations", "predictions"):
        if task.get(key):
            reference[key] = task[key]
    return reference
