"""Raw rows: every judgment as made (rejected ones too), then the consensus."""

from __future__ import annotations

import json

from export_data import assert_provenance, consensus, item, judgment

from expertloop.core.exports import raw


def test_raw_rows_keep_every_judgment_then_the_consensus() -> None:
    votes = [
        judgment("e-1", {"labels": ["spam"]}),
        judgment("e-2", {"labels": ["ham"]}, review_state="rejected", created_at=None),
    ]
    agreed = consensus({"labels": ["spam"]}, adjudicated=True)
    out = list(raw.rows(item("label"), votes, agreed))
    assert [r["type"] for r in out] == ["judgment", "judgment", "consensus"]
    first = {k: v for k, v in out[0].items() if k != "provenance"}
    assert first == {
        "type": "judgment",
        "item_id": 11,
        "external_id": "ext-11",
        "kind": "label",
        "expert": "e-1",
        "value": {"labels": ["spam"]},
        "rationale": "because",
        "guideline_version": 2,
        "active_seconds": 30.0,
        "review_state": None,
        "tracks": ["stem"],
        "created_at": "2026-01-02T03:04:05+00:00",
    }
    assert out[1]["review_state"] == "rejected" and out[1]["created_at"] is None
    last = out[2]
    assert (last["value"], last["confidence"], last["state"], last["agreement"]) == (
        {"labels": ["spam"]}, 0.9, "agreed", 0.75,
    )  # fmt: skip
    assert last["adjudicated"] is True
    assert_provenance(out[0], ["e-1"])
    assert_provenance(last, ["e-1", "e-2"])
    json.dumps(out)  # JSON-ready


def test_raw_rows_copy_values() -> None:
    value = {"labels": ["spam"]}
    row = next(raw.rows(item("label"), [judgment("e-1", value)], None))
    row["value"]["labels"].append("ham")
    assert value == {"labels": ["spam"]}


def test_raw_without_consensus_has_judgment_rows_only() -> None:
    out = list(raw.rows(item("label"), [judgment("e-1", {"labels": ["x"]})], None))
    assert [r["type"] for r in out] == ["judgment"]
