"""Raw rows: every judgment as it was made, then the item's consensus.

For audit and for re-aggregation outside expertloop: nothing is dropped (rejected judgments
included, with their ``review_state``) and nothing is converted. Each row names its ``type``
(``judgment`` or ``consensus``); timestamps are ISO 8601 strings.

Example:
    >>> from expertloop.core.exports.records import (
    ...     ExportConsensus, ExportItem, ExportJudgment, ExportOptions)
    >>> item = ExportItem(2, "label", "Spam?")
    >>> votes = [ExportJudgment("e-1", {"labels": ["spam"]}, review_state="rejected")]
    >>> agreed = ExportConsensus({"labels": ["spam"]}, 0.8, "agreed", "dawid_skene")
    >>> [row["type"] for row in rows(item, votes, agreed, options=ExportOptions())]
    ['judgment', 'consensus']
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from expertloop.core.exports.common import JSON, json_copy, provenance
from expertloop.core.exports.records import (
    DEFAULT_OPTIONS,
    ExportConsensus,
    ExportItem,
    ExportJudgment,
    ExportOptions,
)


def rows(
    item: ExportItem,
    judgments: Sequence[ExportJudgment],
    consensus: ExportConsensus | None,
    *,
    options: ExportOptions = DEFAULT_OPTIONS,
) -> Iterator[JSON]:
    """One row per judgment, then one consensus row when the item has a consensus.

    Args:
        item: any item.
        judgments: all the item's judgments, rejected ones included.
        consensus: the item's consensus, if any.
        options: unused; accepted so every format has the same signature.

    Returns:
        An iterator of ``{"type": "judgment", ...}`` rows (expert pseudonym, value, rationale,
        guideline version, active seconds, review state, tracks, created_at) and a final
        ``{"type": "consensus", ...}`` row (value, confidence, state, method, agreement,
        adjudicated), each with ``provenance``.
    """
    for judgment in judgments:
        yield {
            "type": "judgment",
            "item_id": item.item_id,
            "external_id": item.external_id,
            "kind": item.kind,
            "expert": judgment.expert,
            "value": json_copy(dict(judgment.value)),
            "rationale": judgment.rationale,
            "guideline_version": judgment.guideline_version,
            "active_seconds": float(judgment.active_seconds),
            "review_state": judgment.review_state,
            "tracks": sorted(judgment.tracks),
            "created_at": None if judgment.created_at is None else judgment.created_at.isoformat(),
            "provenance": provenance(item, [judgment], consensus, source=item.kind),
        }
    if consensus is not None:
        yield {
            "type": "consensus",
            "item_id": item.item_id,
            "external_id": item.external_id,
            "kind": item.kind,
            "value": json_copy(dict(consensus.value)),
            "confidence": float(consensus.confidence),
            "state": consensus.state,
            "method": consensus.method,
            "agreement": consensus.agreement,
            "adjudicated": consensus.adjudicated,
            "provenance": provenance(item, judgments, consensus, source=item.kind),
        }
