"""The fast ``raw`` export against the general path on a real database: the same JSONL rows
(parsed), the same Parquet table and the same dataset card, for a pairwise project with
consensus and a label project with revised and rejected judgments, a gold item, an item
without consensus, an adjudicated item and a chat prompt."""

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
from export_jobs_kit import judged_pairwise_project, refresh, split_export
from judging import judge_all

LABELS = {"q0": "yes", "q1": "no", "q2": "yes", "q3": "no", "q4": "yes", "chat": "no"}


def _label_project(client: Any, factory: Any, database: Database, clock: Any) -> int:
    project_id = factory.project(kind="label", overlap=2, items=5)
    chat = [{"role": "user", "content": "Is this café's claim «supported»?"}]
    with database.scoped() as session:
        import_items(
            session=session,
            actor=None,
            project_id=project_id,
            rows=[
                {"external_id": "chat", "prompt": chat, "responses": [{"id": "A", "text": "Ja"}]}
            ],
            now=clock(),
        )
    experts = [factory.user("expert", attributes={"sector": s}) for s in ("NHS", "private")]
    for number, person in enumerate(experts):
        flip = {"q2": "no"} if number else {}
        judge_all(
            client, person, project_id, lambda ext, f=flip: {"labels": [f.get(ext, LABELS[ext])]}
        )
    refresh(database, project_id, clock)
    _review_and_shape(database, factory, project_id, clock)
    return project_id


def _review_and_shape(database: Database, factory: Any, project_id: int, clock: Any) -> None:
    """Revise one judgment, reject another; one item gold, one without consensus, one
    adjudicated; a rationale in Unicode."""
    reviewer = factory.user("lead")
    actor = Actor(reviewer.id, Role(reviewer.role))
    with database.scoped() as session:
        ids = session.scalars(
            select(Judgment.id).where(Judgment.project_id == project_id).order_by(Judgment.id)
        ).all()
        session.execute(
            update(Judgment).where(Judgment.id.in_(ids[:2])).values(review_state="pending")
        )
        session.execute(
            update(Judgment).where(Judgment.id == ids[2]).values(rationale="dosis «máx» ✓")
        )
        items = session.scalars(
            select(Item.id).where(Item.project_id == project_id).order_by(Item.id)
        ).all()
        session.execute(update(Item).where(Item.id == items[1]).values(state="gold"))
        session.execute(delete(Consensus).where(Consensus.item_id == items[2]))
        session.execute(
            update(Consensus).where(Consensus.item_id == items[3]).values(state="adjudicated")
        )
        tallies.recount(session, project_id)  # the item made gold above, around the services
        session.commit()
    verdicts = [("revise", {"labels": ["no"]}), ("reject", None)]
    for judgment_id, (verdict, value) in zip(ids[:2], verdicts, strict=True):
        with database.scoped() as session:
            review_judgment(
                session=session,
                actor=actor,
                judgment_id=judgment_id,
                verdict=verdict,
                feedback="checked",
                clarity=3,
                revised_value=value,
                now=clock(),
            )


def _export(
    database: Database, project_id: int, path: Path, file_format: str, *, fast: bool
) -> ExportWritten:
    with database.scoped(write=False) as session:
        stream = open_export(
            session=session, actor=None, project_id=project_id, request=ExportRequest()
        )
        chosen = ExportFileFormat(file_format)
        assert fast_applies(stream, chosen)
        if fast:
            return write_fast(session=session, stream=stream, path=path, file_format=chosen)
        return write_export(
            stream.rows,
            path=path,
            file_format=chosen,
            format_name="raw",
            summary=stream.summary,
        )


def _both(
    database: Database, project_id: int, tmp_path: Path, file_format: str
) -> tuple[ExportWritten, ExportWritten]:
    general = _export(
        database, project_id, tmp_path / f"general.{file_format}", file_format, fast=False
    )
    fast = _export(database, project_id, tmp_path / f"fast.{file_format}", file_format, fast=True)
    return general, fast


def _fast_with_progress(
    database: Database, project_id: int, path: Path, processes: int = 1
) -> tuple[ExportWritten, list[int]]:
    """The fast raw export to ``path`` (its suffix the file format) and the progress seen."""
    seen: list[int] = []
    with database.scoped(write=False) as session:
        stream = open_export(
            session=session, actor=None, project_id=project_id, request=ExportRequest()
        )
        fast = write_fast(
            session=session,
            stream=stream,
            path=path,
            file_format=ExportFileFormat(path.suffix[1:]),
            progress=seen.append,
            processes=processes,
        )
    return fast, seen


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("build", [judged_pairwise_project, _label_project])
def test_fast_raw_jsonl_has_the_general_rows_and_card(
    build: Any, client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    project_id = build(client, factory, database, clock)
    general, fast = _both(database, project_id, tmp_path, "jsonl")
    expected, got = _lines(general.paths[0]), _lines(fast.paths[0])
    assert len(expected) > 8
    assert got == expected
    assert [list(row) for row in got] == [list(row) for row in expected]  # key order too
    assert [list(r["provenance"]) for r in got] == [list(r["provenance"]) for r in expected]
    assert fast.rows == general.rows == len(expected)
    assert fast.card.read_text() == general.card.read_text()
    assert not list(tmp_path.glob(".fast*"))  # the temporary file was renamed


def test_the_label_project_covers_every_case(
    client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    project_id = _label_project(client, factory, database, clock)
    _, fast = _both(database, project_id, tmp_path, "jsonl")
    rows = _lines(fast.paths[0])
    judgments = [r for r in rows if r["type"] == "judgment"]
    assert {r["review_state"] for r in judgments} >= {"revised", "rejected", None}
    revised = next(r for r in judgments if r["review_state"] == "revised")
    assert revised["value"] == {"labels": ["no"]}
    assert any(r["rationale"] == "dosis «máx» ✓" for r in judgments)
    consensus = [r for r in rows if r["type"] == "consensus"]
    assert any(r["adjudicated"] for r in consensus)
    with_consensus = {r["item_id"] for r in consensus}
    assert {r["item_id"] for r in judgments} - with_consensus  # one item has none
    assert {r["external_id"] for r in judgments} >= {"chat", "q1"}  # gold q1 kept
    assert "| consensus rows |" in fast.card.read_text()


@pytest.mark.parametrize("build", [judged_pairwise_project, _label_project])
def test_fast_raw_parquet_is_the_general_table(
    build: Any, client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    project_id = build(client, factory, database, clock)
    general, fast = _both(database, project_id, tmp_path, "parquet")
    expected, got = pq.read_table(general.paths[0]), pq.read_table(fast.paths[0])
    assert got.schema == expected.schema
    assert got.to_pylist() == expected.to_pylist()
    assert got.num_rows > 8
    assert fast.card.read_text() == general.card.read_text()


def test_fast_raw_of_a_project_without_judgments_is_empty(
    factory: Any, database: Database, tmp_path: Path
) -> None:
    project_id = factory.project(kind="label", items=2)
    for file_format in ("jsonl", "parquet"):
        general, fast = _both(database, project_id, tmp_path, file_format)
        assert fast.rows == general.rows == 0
        assert fast.card.read_text() == general.card.read_text()
    assert pq.read_table(tmp_path / "fast.parquet").schema == pq.read_schema(
        tmp_path / "general.parquet"
    )
    assert (tmp_path / "fast.jsonl").read_bytes() == b""


def test_the_fast_path_applies_to_raw_and_pairwise_consensus_rows_filtered_or_not(
    factory: Any, database: Database
) -> None:
    pairwise = factory.project(kind="pairwise", items=1)
    rubric = factory.project(kind="rubric", spec={"criteria": [{"id": "a", "name": "A"}]})
    cases = [
        (pairwise, {}, "parquet", True),
        (pairwise, {}, "dataset", False),
        (pairwise, {"filters": {"min_confidence": 0.5}}, "jsonl", True),
        (pairwise, {"format": "kto", "filters": {"metadata": {"a": "b"}}}, "parquet", True),
        (pairwise, {"format": "preference"}, "jsonl", True),
        (pairwise, {"format": "preference", "options": {"per_judgment": True}}, "jsonl", False),
        (pairwise, {"format": "kto"}, "parquet", True),
        (rubric, {"format": "kto"}, "parquet", False),
    ]
    with database.scoped(write=False) as session:
        for project_id, body, file_format, fast in cases:
            request = ExportRequest.from_dict(body)
            stream = open_export(
                session=session, actor=None, project_id=project_id, request=request
            )
            assert fast_applies(stream, ExportFileFormat(file_format)) is fast, body


@pytest.mark.parametrize(
    "stored",
    ["2026-12-02 10:00:00.000000", "2026-12-02 10:00:00.250000", "2026-12-02 10:00:00"],
)
def test_sqlite_timestamps_read_as_isoformat_writes_them(stored: str) -> None:
    from datetime import UTC, datetime

    from expertloop.services.export_fast_items import iso

    expected = datetime.fromisoformat(stored).replace(tzinfo=UTC).isoformat()
    assert iso(stored) == expected
    assert iso(datetime.fromisoformat(stored).replace(tzinfo=UTC)) == expected


def test_write_stream_takes_the_general_path_for_what_the_fast_path_does_not_write(
    client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    from expertloop.services.export_fast import write_stream

    project_id = judged_pairwise_project(client, factory, database, clock)
    body = {"format": "preference", "options": {"per_judgment": True}}
    request = ExportRequest.from_dict(body)
    written = []
    for name in ("stream", "general"):
        with database.scoped(write=False) as session:
            stream = open_export(
                session=session, actor=None, project_id=project_id, request=request
            )
            assert not fast_applies(stream, ExportFileFormat.JSONL)
            path = tmp_path / f"{name}.jsonl"
            if name == "stream":
                write_stream(
                    session=session, stream=stream, path=path, file_format=ExportFileFormat.JSONL
                )
            else:
                write_export(
                    stream.rows,
                    path=path,
                    file_format=ExportFileFormat.JSONL,
                    format_name="preference",
                    summary=stream.summary,
                )
            written.append(path.read_bytes())
    assert written[0] == written[1] and written[0]  # byte for byte: the same writer


def test_write_fast_refuses_what_the_fast_path_does_not_write(
    factory: Any, database: Database
) -> None:
    from expertloop.core.errors import Invalid

    project_id = factory.project(kind="label", items=1)
    with database.scoped(write=False) as session:
        stream = open_export(
            session=session, actor=None, project_id=project_id, request=ExportRequest()
        )
        with pytest.raises(Invalid) as caught:
            write_fast(
                session=session,
                stream=stream,
                path=Path("unused"),
                file_format=ExportFileFormat.DATASET,
            )
    assert caught.value.errors[0].field == "format"
    assert "not raw as dataset" in caught.value.errors[0].message


@pytest.mark.parametrize("split", ["chunks", "runs"])
@pytest.mark.parametrize("file_format", ["jsonl", "parquet"])
def test_fast_raw_in_chunks_and_in_runs_of_other_processes_is_the_general_export(
    file_format: str,
    split: str,
    client: Any,
    factory: Any,
    database: Database,
    clock: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from expertloop.services import export_parts

    project_id = _label_project(client, factory, database, clock)
    general = _export(database, project_id, tmp_path / f"g.{file_format}", file_format, fast=False)
    processes = split_export(monkeypatch, split, items=6)  # three chunks, or three runs
    if split == "runs":
        with database.scoped(write=False) as session:
            assert len(export_parts.plan(session, project_id, processes)) == 3
    path = tmp_path / f"f.{file_format}"
    fast, seen = _fast_with_progress(database, project_id, path, processes)
    assert seen == [2, 4, 6] if split == "chunks" else seen[-1] == 6 and seen == sorted(seen)
    if file_format == "jsonl":
        assert _lines(fast.paths[0]) == _lines(general.paths[0])
    else:
        fast_table = pq.read_table(fast.paths[0])
        assert fast_table.schema == pq.read_schema(general.paths[0])
        assert fast_table.to_pylist() == pq.read_table(general.paths[0]).to_pylist()
        if split == "chunks":
            assert pq.ParquetFile(fast.paths[0]).num_row_groups == 3  # one per chunk
    assert fast.rows == general.rows
    assert fast.card.read_text() == general.card.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"f.{file_format}", "f.README.md", f"g.{file_format}", "g.README.md"]
    )  # no temporary file is left


def test_runs_need_a_database_other_processes_can_open(tmp_path: Path) -> None:
    from expertloop.services import export_parts

    memory = Database("sqlite://")
    on_disk = Database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with memory.scoped(write=False) as session:
            assert export_parts.shared_url(session) is None
        with on_disk.scoped(write=False) as session:
            assert export_parts.shared_url(session) == f"sqlite:///{tmp_path / 'x.db'}"
    finally:
        memory.dispose()
        on_disk.dispose()


def test_a_small_project_is_one_run(factory: Any, database: Database) -> None:
    from expertloop.services import export_parts

    project_id = factory.project(kind="label", items=3)
    with database.scoped(write=False) as session:
        assert export_parts.plan(session, project_id, 4) == [export_parts.WHOLE]
        assert export_parts.plan(session, project_id, 1) == [export_parts.WHOLE]


@pytest.mark.parametrize("file_format", ["jsonl", "parquet"])
def test_fast_raw_of_items_without_any_consensus(
    file_format: str, client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    project_id = judged_pairwise_project(client, factory, database, clock)
    with database.scoped() as session:
        session.execute(delete(Consensus))
        session.commit()
    general, fast = _both(database, project_id, tmp_path, file_format)
    assert fast.rows == general.rows > 0
    if file_format == "jsonl":
        assert _lines(fast.paths[0]) == _lines(general.paths[0])
    else:
        assert (
            pq.read_table(fast.paths[0]).to_pylist() == pq.read_table(general.paths[0]).to_pylist()
        )
    assert fast.card.read_text() == general.card.read_text()
