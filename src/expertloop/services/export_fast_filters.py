"""An export's filters on the fast path: what the read takes (``window``: the judgments'
date range in SQL, the items' metadata when the ``metadata`` filter needs it) and what a
chunk keeps of what was read (``Gate``: the items whose consensus and metadata pass, the
judgments of a kept guideline version), as ``core.exports.selection`` decides for the general
path. The writers then see a chunk as if the project held only what was kept: an item left
without judgments gives no rows, agreement and provenance count the kept judgments."""

from __future__ import annotations

from typing import Any

from expertloop.core.exports.selection import ExportFilters, keep_consensus, keep_metadata
from expertloop.services.export_fast_items import loads
from expertloop.store import export_columns as columns


def window(filters: ExportFilters) -> columns.Window:
    """What the fast read takes for these filters."""
    return columns.Window(filters.since, filters.until, metadata=bool(filters.metadata))


class Gate:
    """Keeps of each chunk what the item filters (consensus, metadata) and the guideline
    version filter keep."""

    def __init__(self, filters: ExportFilters) -> None:
        self.filters = filters
        self.versions = filters.guideline_versions
        self.by_item = (
            filters.accepted_only or filters.min_confidence is not None or bool(filters.metadata)
        )

    @staticmethod
    def of(filters: ExportFilters) -> Gate | None:
        """The gate of these filters, None when a chunk keeps all it read (no filter, or
        only the date range, which the read applies)."""
        gate = Gate(filters)
        return gate if gate.by_item or gate.versions is not None else None

    def kept(self, chunk: columns.RawChunk) -> columns.RawChunk:
        """The chunk with only what passes."""
        items = chunk.items
        if self.by_item:
            items = [item for item in items if self._keep(item[0], chunk)]
        ids = {item_id for item_id, _ in items}
        versions = self.versions
        judgments = [
            row
            for row in chunk.judgments
            if row[0] in ids and (versions is None or row[4] in versions)
        ]
        return columns.RawChunk(
            items,
            judgments,
            {k: v for k, v in chunk.consensus.items() if k in ids},
            {k: v for k, v in chunk.texts.items() if k in ids},
        )

    def _keep(self, item_id: int, chunk: columns.RawChunk) -> bool:
        found = chunk.consensus.get(item_id)
        if found is None or found.value is None or found.value == "null":
            passed = keep_consensus(None, None, self.filters)
        else:
            passed = keep_consensus(found.state, float(found.confidence or 0.0), self.filters)
        return passed and keep_metadata(self._metadata(chunk.metadata.get(item_id)), self.filters)

    def _metadata(self, text: str | None) -> Any:
        if not self.filters.metadata:
            return {}
        return (loads(text) if text else None) or {}
