"""Filtered exports on the fast path against the general path on a real database: raw (a label
and a pairwise project), preference and kto, as JSONL and Parquet, with each filter alone and
together (accepted only, minimum confidence, guideline versions, a date range in another zone,
item metadata), in one chunk, in chunks of two items and in runs of other processes: the same
rows, in order, and the same dataset card; and each filter keeps fewer rows than none."""

from __future__ import annotations

from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from test_export_fast import _label_project
from test_export_fast_pairs import _export, _pairwise_project, _same

from expertloop.store import Database
from expertloop.store.quality_tables import Consensus
from expertloop.store.tables import Item, Judgment
from export_jobs_kit import split_export

ZONE = timezone(timedelta(hours=2))


def _shape(database: Database, project_id: int) -> dict[str, Any]:
    """Vary what the filters look at: items' metadata (even ids ``web``, odd ``book`` of
    2024), every seventh judgment under guideline version 2, every fourth made ten days
    earlier, the first agreed consensus disputed; the filters (some computed from what is
    stored) keyed by case."""
    with database.scoped() as session:
        items = session.scalars(select(Item.id).where(Item.project_id == project_id)).all()
        for item_id in items:
            metadata = {"source": "web"} if item_id % 2 == 0 else {"source": "book", "year": 2024}
            session.execute(update(Item).where(Item.id == item_id).values(metadata_=metadata))
        judged = session.scalars(
            select(Judgment.id).where(Judgment.project_id == project_id).order_by(Judgment.id)
        ).all()
        session.execute(
            update(Judgment).where(Judgment.id.in_(judged[::7])).values(guideline_version=2)
        )
        for judgment_id in judged[::4]:
            made = session.scalar(select(Judgment.created_at).where(Judgment.id == judgment_id))
            earlier = made - timedelta(days=10)
            session.execute(
                update(Judgment).where(Judgment.id == judgment_id).values(created_at=earlier)
            )
        agreed = select(Consensus.item_id).where(
            Consensus.item_id.in_(items), Consensus.state == "agreed"
        )
        disputed = session.scalars(agreed.order_by(Consensus.item_id)).first()
        session.execute(
            update(Consensus).where(Consensus.item_id == disputed).values(state="disputed")
        )
        confidences = sorted(
            session.scalars(select(Consensus.confidence).where(Consensus.item_id.in_(items)))
        )
        newest = session.scalar(select(Judgment.created_at).order_by(Judgment.created_at.desc()))
        session.commit()
    cut = newest.astimezone(ZONE).isoformat()  # since keeps the newest, until drops them
    return {
        "accepted": {"accepted_only": True},
        "confidence": {"min_confidence": confidences[len(confidences) // 2]},
        "versions": {"guideline_versions": [2]},
        "since": {"since": cut},
        "until": {"until": cut},
        "metadata": {"metadata": {"source": "book", "year": "2024"}},
        "together": {"accepted_only": True, "guideline_versions": [1], "since": cut},
    }


def _project(kind: str, client: Any, factory: Any, database: Database, clock: Any) -> int:
    if kind == "label":
        return _label_project(client, factory, database, clock)
    return _pairwise_project(client, factory, database, clock, chat=False)


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [("label", "raw"), ("pairwise", "raw"), ("pairwise", "preference"), ("pairwise", "kto")],
)
def test_each_filter_on_the_fast_path_keeps_what_the_general_path_keeps(
    kind: str, fmt: str, client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    project_id = _project(kind, client, factory, database, clock)
    cases = _shape(database, project_id)
    options = {"margin": fmt == "preference"}
    everything = _export(database, project_id, tmp_path / "all.jsonl", options, fast=True, fmt=fmt)
    kept_all = set()
    for case, filters in cases.items():
        for suffix in ("jsonl", "parquet"):
            general, fast = (
                _export(database, project_id, tmp_path / f"{name}.{suffix}", options,
                        fast=name == "f", fmt=fmt, filters=filters)
                for name in ("g", "f")
            )  # fmt: skip
            _same(general, fast)
        assert fast.rows <= everything.rows, case
        if fast.rows == everything.rows:
            kept_all.add(case)
    assert kept_all == set()


@pytest.mark.parametrize("fmt", ["raw", "preference", "kto"])
@pytest.mark.parametrize("split", ["chunks", "runs"])
def test_filtered_fast_exports_in_chunks_and_in_runs_of_other_processes(
    fmt: str,
    split: str,
    client: Any,
    factory: Any,
    database: Database,
    clock: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project_id = _pairwise_project(client, factory, database, clock, chat=False)
    filters = _shape(database, project_id)["together"] | {"metadata": {"source": "book"}}
    processes = split_export(monkeypatch, split, items=9)
    for suffix in ("jsonl", "parquet"):
        general, fast = (
            _export(database, project_id, tmp_path / f"{name}.{suffix}", {}, fast=name == "f",
                    processes=processes, fmt=fmt, filters=filters)
            for name in ("g", "f")
        )  # fmt: skip
        _same(general, fast)
