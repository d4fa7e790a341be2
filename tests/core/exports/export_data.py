"""Small items, judgments and consensus shared by the export tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from expertloop.core.exports.records import ExportConsensus, ExportItem, ExportJudgment

CHAT = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Capital of France?"},
]
PAIR = [
    {"id": "A", "text": "Paris.", "model": "m1"},
    {"id": "B", "text": "Lyon.", "model": "m2"},
]
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def judgment(expert: str, value: dict[str, Any], **fields: Any) -> ExportJudgment:
    """A judgment with stable defaults for the provenance fields."""
    defaults: dict[str, Any] = {
        "rationale": "because",
        "guideline_version": 2,
        "active_seconds": 30.0,
        "tracks": ("stem",),
        "created_at": WHEN,
    }
    return ExportJudgment(expert, value, **{**defaults, **fields})


def consensus(value: dict[str, Any], **fields: Any) -> ExportConsensus:
    """An agreed consensus with agreement 0.75 unless told otherwise."""
    defaults: dict[str, Any] = {
        "confidence": 0.9,
        "state": "agreed",
        "method": "test",
        "agreement": 0.75,
    }
    return ExportConsensus(value, **{**defaults, **fields})


def item(kind: str, prompt: Any = "Capital of France?", **fields: Any) -> ExportItem:
    """An item of ``kind`` with id 11 and external id ``ext-11``."""
    return ExportItem(item_id=11, kind=kind, prompt=prompt, external_id="ext-11", **fields)


def assert_provenance(row: dict[str, Any], experts: list[str]) -> None:
    """The row carries provenance naming the item and exactly these experts."""
    origin = row["provenance"]
    assert origin["item_id"] == 11
    assert origin["external_id"] == "ext-11"
    assert [e["id"] for e in origin["experts"]] == experts
    assert origin["judgments"] == len(experts)
    for key in ("tracks", "guideline_versions", "active_seconds", "confidence", "agreement"):
        assert key in origin
    assert "adjudicated" in origin and "consensus_state" in origin
