"""Helpers every export format shares: chat detection, message shaping and provenance.

TRL calls a row *conversational* when its text columns are lists of ``{"role", "content"}``
messages, and *standard* when they are plain strings
(https://huggingface.co/docs/trl/dataset_formats, "Overview of the dataset formats and types").

Example:
    >>> is_chat([{"role": "user", "content": "Hi"}]), is_chat("Hi")
    (True, False)
    >>> as_messages("Hi")
    [{'role': 'user', 'content': 'Hi'}]
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from expertloop.core.exports.records import (
    ExportConsensus,
    ExportItem,
    ExportJudgment,
    ExportOptions,
    Prompt,
)

JSON = dict[str, Any]
REJECTED = "rejected"
SCALARS = frozenset({str, int, float, bool, type(None)})


def json_copy(value: Any) -> Any:
    """A deep copy of JSON-like data: dicts and lists rebuilt, scalars shared (they are
    immutable); anything else through ``copy.deepcopy``. Several times faster than
    ``deepcopy`` on the small values judgments hold."""
    kind = value.__class__
    if kind in SCALARS:
        return value
    if kind is dict:
        return {key: json_copy(item) for key, item in value.items()}
    if kind is list:
        return [json_copy(item) for item in value]
    return copy.deepcopy(value)


def is_chat(value: object) -> bool:
    """Whether ``value`` is a non-empty list of ``{"role", "content"}`` messages."""
    if value is None or value.__class__ is str:  # the common case, without ABC checks
        return False
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence) or not value:
        return False
    return all(isinstance(m, Mapping) and {"role", "content"} <= set(m) for m in value)


def as_messages(prompt: Prompt) -> list[dict[str, str]]:
    """The prompt as chat messages (a text becomes one user message); always a fresh copy."""
    if isinstance(prompt, str):
        return [{"role": "user", "content": prompt}]
    return [{"role": str(m["role"]), "content": str(m["content"])} for m in prompt]


def as_text(prompt: Prompt) -> str:
    """The prompt as one text (a chat's contents joined by blank lines)."""
    if isinstance(prompt, str):
        return prompt
    return "\n\n".join(str(m["content"]) for m in prompt)


def assistant(text: str) -> list[dict[str, str]]:
    """One assistant message, as TRL's conversational completions and preferences hold it."""
    return [{"role": "assistant", "content": text}]


def conversational(item: ExportItem, options: ExportOptions) -> bool:
    """Rows of this item are written as messages: its prompt is a chat, or options ask."""
    return options.conversational or is_chat(item.prompt)


def usable(judgments: Iterable[ExportJudgment]) -> list[ExportJudgment]:
    """The judgments training rows may rest on: every one a reviewer did not reject."""
    return [j for j in judgments if j.review_state != REJECTED]


def response_text(item: ExportItem, response_id: str) -> str | None:
    """The text of the item's response ``response_id``; None when the item has none such."""
    for response in item.responses:
        if str(response.get("id")) == response_id:
            return str(response.get("text", ""))
    return None


def provenance(
    item: ExportItem,
    judgments: Sequence[ExportJudgment],
    consensus: ExportConsensus | None,
    **extra: Any,
) -> JSON:
    """Where a row comes from: the item, the experts behind it and how sure the panel was.

    Args:
        item: the item the row was shaped from.
        judgments: the judgments the row rests on (one for a per-judgment row).
        consensus: the item's consensus, if any.
        **extra: format-specific fields (e.g. ``source`` kind, ``chosen`` response id).

    Returns:
        A JSON-ready dict: ``item_id``, ``external_id``, ``experts`` (a list of
        ``{"id", "tracks", "guideline_version", "active_seconds"}``, Arrow-friendly),
        ``tracks`` and ``guideline_versions`` (sorted, distinct), ``active_seconds`` (total),
        ``judgments`` (count), and the consensus ``confidence``, ``agreement``, ``state``,
        ``method`` and ``adjudicated`` (``None`` without a consensus), then ``extra``.
    """
    if len(judgments) == 1:  # per-judgment rows: no sets to build
        only = judgments[0]
        tracks = sorted(only.tracks)
        experts = [_expert(only, tracks)]
        versions = [only.guideline_version]
        seconds = float(only.active_seconds)
    else:
        experts = [_expert(j, sorted(j.tracks)) for j in judgments]
        tracks = sorted({t for j in judgments for t in j.tracks})
        versions = sorted({j.guideline_version for j in judgments})
        seconds = float(sum(j.active_seconds for j in judgments))
    confidence, agreement, state, method, adjudicated = _consensus_fields(consensus)
    return {
        "item_id": item.item_id,
        "external_id": item.external_id,
        "kind": item.kind,
        "experts": experts,
        "tracks": tracks,
        "guideline_versions": versions,
        "active_seconds": seconds,
        "judgments": len(judgments),
        "confidence": confidence,
        "agreement": agreement,
        "consensus_state": state,
        "method": method,
        "adjudicated": adjudicated,
        **extra,
    }


def _consensus_fields(
    consensus: ExportConsensus | None,
) -> tuple[float | None, float | None, str | None, str | None, bool | None]:
    if consensus is None:
        return None, None, None, None, None
    return (
        float(consensus.confidence),
        consensus.agreement,
        consensus.state,
        consensus.method,
        consensus.adjudicated,
    )


def _expert(judgment: ExportJudgment, tracks: list[str]) -> JSON:
    return {
        "id": judgment.expert,
        "tracks": tracks,
        "guideline_version": judgment.guideline_version,
        "active_seconds": float(judgment.active_seconds),
    }
