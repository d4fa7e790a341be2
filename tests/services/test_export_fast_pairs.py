"""The fast ``preference`` and ``kto`` exports of a pairwise project against the general path
on a real database: the same JSONL rows (parsed, keys in order), the same Parquet table and the
same dataset card, standard and conversational, with and without the margin, in chunks and in
runs of other processes; for a project with a revised and a rejected judgment, a split vote, a
tie (no row), a gold item (no row), an item without consensus (no row), an adjudicated item,
Unicode, an item whose every judgment was rejected, and (conversational) a chat prompt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import delete, select, update

from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services.export_fast import fast_applies, write_fast
from expertloop.services.export_files import ExportFileFormat, ExportWritten, write_export
from expertloop.services.exports import ExportRequest, open_export
from expertloop.services.items import import_items
from expertloop.services.reviews import review_judgment
from expertloop.store import Database, tallies
from expertloop.store.quality_tables import Consensus
from expertloop.store.tables import Item, Judgment
from export_jobs_kit import refresh, split_export
from judging import judge_all

VOTES = {
    "q0": "AAA",
    "q1": "BBB",
    "q2": "AAB",  # split: agreement 2/3
    "q3": "TTT",  # tie: no row
    "q4": "AAA",  # gold: no row
    "q5": "BBA",  # no consensus: no row
    "q6": "BAB",  # every judgment rejected
    "uni": "BBB",
    "chat": "ABA",
}
"""Each item's choice by the three experts (``T`` a tie)."""


def _pairwise_project(
    client: Any, factory: Any, database: Database, clock: Any, *, chat: bool
) -> int:
    project_id = factory.project(kind="pairwise", overlap=3, items=7)
    extra = [
        {
            "external_id": "uni",
            "prompt": "¿Dosis «máxima» de paracetamol? ✓",
            "responses": [{"id": "A", "text": "4 g/día"}, {"id": "B", "text": "≤ 3 g «seguro»"}],
        }
    ]
    if chat:
        extra.append(
            {
                "external_id": "chat",
                "prompt": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "Which is safer?"},
                ],
                "responses": [{"id": "A", "text": "Plan A"}, {"id": "B", "text": "Plan B"}],
            }
        )
    with database.scoped() as session:
        import_items(session=session, actor=None, project_id=project_id, rows=extra, now=clock())
    for number, region in enumerate(("EU", "US", "EU")):
        person = factory.user("expert", attributes={"region": region})

        def vote(external: str, n: int = number) -> dict[str, Any]:
            choice = VOTES[external][n]
            if choice == "T":
                return {"choice": "tie"}
            return {"choice": choice, "strength": n + 1}

        judge_all(client, person, project_id, vote)
    refresh(database, project_id, clock)
    _review_and_shape(database, factory, project_id, clock)
    return project_id


def _review_and_shape(database: Database, factory: Any, project_id: int, clock: Any) -> None:
    """q0's first judgment revised to B, q1's first rejected, every judgment of q6 rejected;
    q4 gold, q5 without consensus, q2 adjudicated."""
    with database.scoped() as session:
        items = dict(
            session.execute(
                select(Item.external_id, Item.id).where(Item.project_id == project_id)
            ).all()
        )
        judged = session.execute(select(Judgment.id, Judgment.item_id).order_by(Judgment.id)).all()
        by_item: dict[int, list[int]] = {}
        for judgment_id, item_id in judged:
            by_item.setdefault(item_id, []).append(judgment_id)
        session.execute(update(Item).where(Item.id == items["q4"]).values(state="gold"))
        session.execute(delete(Consensus).where(Consensus.item_id == items["q5"]))
        session.execute(
            update(Consensus).where(Consensus.item_id == items["q2"]).values(state="adjudicated")
        )
        reviewed = [
            (by_item[items["q0"]][0], "revise", {"choice": "B", "strength": 3}),
            (by_item[items["q1"]][0], "reject", None),
            *((j, "reject", None) for j in by_item[items["q6"]]),
        ]
        session.execute(
            update(Judgment)
            .where(Judgment.id.in_([j for j, _, _ in reviewed]))
            .values(review_state="pending")
        )
        tallies.recount(session, project_id)  # the item made gold above, around the services
        session.commit()
    lead = factory.user("lead")
    for judgment_id, verdict, value in reviewed:
        with database.scoped() as session:
            review_judgment(
                session=session,
                actor=Actor(lead.id, Role(lead.role)),
                judgment_id=judgment_id,
                verdict=verdict,
                feedback="checked",
                clarity=3,
                revised_value=value,
                now=clock(),
            )


def _export(
    database: Database,
    project_id: int,
    path: Path,
    options: dict[str, Any],
    *,
    fast: bool,
    processes: int = 1,
    fmt: str = "preference",
    filters: dict[str, Any] | None = None,
) -> ExportWritten:
    request = ExportRequest.from_dict({"format": fmt, "options": options, "filters": filters})
    chosen = ExportFileFormat(path.suffix[1:])
    with database.scoped(write=False) as session:
        stream = open_export(session=session, actor=None, project_id=project_id, request=request)
        assert fast_applies(stream, chosen)
        if fast:
            return write_fast(
                session=session,
                stream=stream,
                path=path,
                file_format=chosen,
                processes=processes,
            )
        return write_export(
            stream.rows,
            path=path,
            file_format=chosen,
            format_name=fmt,
            summary=stream.summary,
        )


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _same(general: ExportWritten, fast: ExportWritten) -> None:
    """The fast export holds the general one's rows, in order, and the same card."""
    path = general.paths[0]
    if path.suffix == ".jsonl":
        expected, got = _lines(path), _lines(fast.paths[0])
        assert got == expected
        assert [list(row) for row in got] == [list(row) for row in expected]  # key order
        assert [list(r["provenance"]) for r in got] == [list(r["provenance"]) for r in expected]
    else:
        expected_table, got_table = pq.read_table(path), pq.read_table(fast.paths[0])
        assert got_table.schema == expected_table.schema
        assert got_table.to_pylist() == expected_table.to_pylist()
    assert fast.rows == general.rows
    assert fast.card.read_text() == general.card.read_text()


@pytest.mark.parametrize(
    ("chat", "options"),
    [(False, {}), (False, {"margin": True}), (True, {"margin": True})],
    ids=["standard", "margin", "chat-margin"],
)
def test_fast_preference_is_the_general_export(
    chat: bool,
    options: dict[str, Any],
    client: Any,
    factory: Any,
    database: Database,
    clock: Any,
    tmp_path: Path,
) -> None:
    project_id = _pairwise_project(client, factory, database, clock, chat=chat)
    for suffix in ("jsonl", "parquet"):
        general = _export(database, project_id, tmp_path / f"g.{suffix}", options, fast=False)
        fast = _export(database, project_id, tmp_path / f"f.{suffix}", options, fast=True)
        _same(general, fast)
    rows = {r["provenance"]["external_id"]: r for r in _lines(tmp_path / "f.jsonl")}
    assert sorted(rows) == sorted(["q0", "q1", "q2", "q6", "uni"] + (["chat"] if chat else []))
    assert rows["q0"]["provenance"]["chosen"] == "A"  # two As outvote the revised B
    assert rows["q1"]["provenance"]["judgments"] == 2  # the rejected one is not counted
    assert rows["q2"]["provenance"]["adjudicated"] is True
    assert rows["q2"]["provenance"]["agreement"] == pytest.approx(2 / 3)
    assert rows["q6"]["provenance"]["experts"] == []
    if chat:
        assert rows["chat"]["prompt"][0] == {"role": "system", "content": "Be brief."}
        assert rows["uni"]["chosen"] == [{"role": "assistant", "content": "≤ 3 g «seguro»"}]
    else:
        assert rows["uni"]["prompt"] == "¿Dosis «máxima» de paracetamol? ✓"
    if options.get("margin"):
        assert rows["q0"]["margin"] == pytest.approx((2 + 3) / 2)  # the As' strengths
    else:
        assert "margin" not in rows["q0"]


@pytest.mark.parametrize("chat", [False, True], ids=["standard", "chat"])
def test_fast_kto_is_the_general_export(
    chat: bool, client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    project_id = _pairwise_project(client, factory, database, clock, chat=chat)
    for suffix in ("jsonl", "parquet"):
        general = _export(database, project_id, tmp_path / f"g.{suffix}", {}, fast=False, fmt="kto")
        fast = _export(database, project_id, tmp_path / f"f.{suffix}", {}, fast=True, fmt="kto")
        _same(general, fast)
    rows = _lines(tmp_path / "f.jsonl")
    assert [(r["provenance"]["external_id"], r["label"]) for r in rows[:2]] == [
        ("q0", True),
        ("q0", False),
    ]
    assert rows[0]["provenance"]["response"] == "A" and rows[1]["provenance"]["response"] == "B"
    assert len(rows) == 2 * (6 if chat else 5)
    assert "| desirable |" in fast.card.read_text()


@pytest.mark.parametrize("fmt", ["preference", "kto"])
@pytest.mark.parametrize("split", ["chunks", "runs"])
def test_fast_training_rows_in_chunks_and_in_runs_of_other_processes(
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
    processes = split_export(monkeypatch, split, items=9)  # five chunks, or three runs
    options = {"margin": True}
    for suffix in ("jsonl", "parquet"):
        general = _export(
            database, project_id, tmp_path / f"g.{suffix}", options, fast=False, fmt=fmt
        )
        path = tmp_path / f"f.{suffix}"
        fast = _export(database, project_id, path, options, fast=True, processes=processes, fmt=fmt)
        _same(general, fast)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{stem}.{suffix}" for stem in ("f", "g") for suffix in ("jsonl", "parquet", "README.md")
    )  # no temporary file is left


@pytest.mark.parametrize("fmt", ["preference", "kto"])
def test_fast_training_rows_without_rows_have_the_general_empty_file(
    fmt: str, factory: Any, database: Database, tmp_path: Path
) -> None:
    project_id = factory.project(kind="pairwise", items=2)
    options = {"margin": True, "conversational": True}
    for suffix in ("jsonl", "parquet"):
        general = _export(
            database, project_id, tmp_path / f"g.{suffix}", options, fast=False, fmt=fmt
        )
        fast = _export(database, project_id, tmp_path / f"f.{suffix}", options, fast=True, fmt=fmt)
        assert fast.rows == general.rows == 0
        assert fast.card.read_text() == general.card.read_text()
    assert pq.read_schema(tmp_path / "f.parquet") == pq.read_schema(tmp_path / "g.parquet")
    assert (tmp_path / "f.jsonl").read_bytes() == b""


def test_preference_of_other_kinds_takes_the_general_path(factory: Any, database: Database) -> None:
    project_id = factory.project(kind="ranking")
    request = ExportRequest.from_dict({"format": "preference"})
    with database.scoped(write=False) as session:
        stream = open_export(session=session, actor=None, project_id=project_id, request=request)
    assert not fast_applies(stream, ExportFileFormat.JSONL)
