"""Which items and judgments an export keeps: the filters, and each item's agreement.

Filters (all optional, combined with AND):

* ``accepted_only``: items whose consensus was accepted as final, ``agreed`` or
  ``adjudicated`` (never ``open`` or ``disputed``, nor items with no consensus yet);
* ``min_confidence``: items whose consensus confidence reaches it;
* ``guideline_versions``: judgments made under one of these versions;
* ``since`` / ``until``: judgments made at or after ``since`` and before ``until``;
* ``metadata``: items whose metadata holds every one of these key/value pairs (compared as
  strings, so ``{"source": "hh-rlhf"}`` and ``{"year": "2024"}`` both work).

An item all of whose judgments are filtered out gives no rows. The consensus copied into
provenance is the project's, computed from every judgment.

Example:
    >>> from expertloop.core.exports.records import ExportConsensus, ExportItem, ExportJudgment
    >>> item = ExportItem(1, "label", "Spam?", metadata={"source": "web"})
    >>> agreed = ExportConsensus({"labels": ["spam"]}, 0.92, "agreed", "dawid_skene")
    >>> keep_item(item, agreed, ExportFilters(min_confidence=0.9, metadata={"source": "web"}))
    True
    >>> keep_item(item, None, ExportFilters(accepted_only=True))
    False
    >>> votes = [ExportJudgment("e-1", {"labels": ["spam"]}),
    ...          ExportJudgment("e-2", {"labels": ["ham"]})]
    >>> item_agreement("label", votes, agreed)
    0.5
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from expertloop.core.errors import FieldError, invalid
from expertloop.core.exports.common import usable
from expertloop.core.exports.records import ExportConsensus, ExportItem, ExportJudgment

ACCEPTED_STATES = frozenset({"agreed", "adjudicated"})


def _labels(value: Mapping[str, Any]) -> Any:
    return tuple(sorted(value.get("labels") or ()))


def _choice(value: Mapping[str, Any]) -> Any:
    return value.get("choice")


def _verdict(value: Mapping[str, Any]) -> Any:
    return (value.get("verdict"), value.get("correction"))


LABEL_LIKE: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "label": _labels,
    "pairwise": _choice,
    "verify": _verdict,
}


@dataclass(frozen=True)
class ExportFilters:
    """What an export keeps; the defaults keep everything (see the module docstring)."""

    accepted_only: bool = False
    min_confidence: float | None = None
    guideline_versions: frozenset[int] | None = None
    since: datetime | None = None
    until: datetime | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        errors = []
        if self.min_confidence is not None and not 0 <= self.min_confidence <= 1:
            errors.append(FieldError("min_confidence", "must be between 0 and 1"))
        if self.since and self.until and self.since >= self.until:
            errors.append(FieldError("until", "must be after since"))
        if self.guideline_versions is not None and not all(
            isinstance(v, int) and v >= 1 for v in self.guideline_versions
        ):
            errors.append(FieldError("guideline_versions", "must be versions 1 or above"))
        if errors:
            raise invalid("export.invalid", errors)


def keep_item(item: ExportItem, consensus: ExportConsensus | None, filters: ExportFilters) -> bool:
    """Whether the item passes the item-level filters (consensus state, confidence, metadata)."""
    if consensus is None:
        found = keep_consensus(None, None, filters)
    else:
        found = keep_consensus(consensus.state, consensus.confidence, filters)
    return found and keep_metadata(item.metadata, filters)


def keep_consensus(state: str | None, confidence: float | None, filters: ExportFilters) -> bool:
    """Whether an item's consensus (its state and confidence; None for both when the item has
    no consensus value) passes ``accepted_only`` and ``min_confidence``."""
    if filters.accepted_only and state not in ACCEPTED_STATES:
        return False
    floor = filters.min_confidence
    return floor is None or (confidence is not None and not confidence < floor)


def keep_metadata(metadata: Mapping[str, Any], filters: ExportFilters) -> bool:
    """Whether an item's metadata holds every pair of the ``metadata`` filter (as strings)."""
    return all(str(metadata.get(k)) == str(v) for k, v in filters.metadata.items())


def keep_judgment(judgment: ExportJudgment, filters: ExportFilters) -> bool:
    """Whether the judgment passes the judgment-level filters (guideline version, dates)."""
    versions = filters.guideline_versions
    if versions is not None and judgment.guideline_version not in versions:
        return False
    made = judgment.created_at
    if filters.since is not None and (made is None or made < filters.since):
        return False
    return filters.until is None or (made is not None and made < filters.until)


def item_agreement(
    kind: str, judgments: Sequence[ExportJudgment], consensus: ExportConsensus | None
) -> float | None:
    """The share of the item's usable judgments that give the consensus answer.

    Defined for kinds whose answer is one class (``label``, ``pairwise``, ``verify``);
    ``None`` for the others and for items without a consensus value or judgments.
    """
    key = LABEL_LIKE.get(kind)
    votes = usable(judgments)
    if key is None or consensus is None or not consensus.value or not votes:
        return None
    target: Any = key(consensus.value)
    agreeing = [j for j in votes if key(j.value) == target]
    return len(agreeing) / len(votes)
