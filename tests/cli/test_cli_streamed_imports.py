"""`expertloop import` reads its file as a stream of batches and stores it in one transaction:
a bad row deep in the file stores nothing and is named by its line, repeats across batches
are refused, and many batches store what one batch stores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from expertloop.cli import data
from expertloop.cli.item_files import FileFormat
from expertloop.cli.item_sources import iter_source
from expertloop.store import Database
from expertloop.store.items import iter_items

PAIR = [{"id": "A", "text": "yes", "model": "m"}, {"id": "B", "text": "no", "model": None}]


def items(count: int) -> list[dict[str, Any]]:
    return [
        {
            "external_id": f"q{n}",
            "prompt": f"Question {n}",
            "responses": PAIR,
            "metadata": {"n": str(n)},
            "priority": n % 3,
        }
        for n in range(count)
    ]


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    lines = ["external_id,prompt,priority,response_A,model_A,response_B,metadata.n"]
    for row in rows:
        a, b = row["responses"]
        cells = [row["external_id"], row["prompt"], row["priority"], a["text"], a["model"]]
        lines.append(",".join(str(c) for c in [*cells, b["text"], row["metadata"]["n"]]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored(database: Database, project_id: int) -> list[tuple[Any, ...]]:
    with database.scoped() as session:
        return [
            (i.external_id, i.prompt, i.responses, i.metadata_, i.priority)
            for i in iter_items(session, project_id)
        ]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data, "BATCH_ROWS", 4)


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "parquet"])
def test_many_batches_store_what_one_batch_stores(
    cli: Any,
    factory: Any,
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    suffix: str,
) -> None:
    path = tmp_path / f"items.{suffix}"
    if suffix == "jsonl":
        write_jsonl(path, items(18))
    elif suffix == "csv":
        write_csv(path, items(18))
    else:
        pq.write_table(pa.Table.from_pylist(items(18)), path, row_group_size=5)
    whole, batched = factory.project(kind="pairwise"), factory.project(kind="pairwise")
    assert cli("import", str(whole), str(path)).exit_code == 0
    monkeypatch.setattr(data, "BATCH_ROWS", 4)
    result = cli("import", str(batched), str(path))
    assert result.exit_code == 0, result.output
    assert "created 18 items" in result.stdout
    assert stored(database, batched) == stored(database, whole)
    assert len(stored(database, whole)) == 18


@pytest.mark.usefixtures("small_batches")
def test_a_bad_row_deep_in_the_file_stores_nothing_and_names_its_line(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    rows: list[Any] = items(30)
    rows[2]["external_id"] = "first"
    rows[27]["responses"] = PAIR[:1]
    rows[28]["external_id"] = "first"  # repeats a row of the first batch
    path = write_jsonl(tmp_path / "items.jsonl", rows)
    with path.open("a", encoding="utf-8") as out:
        out.write('{"prompt": "no end\n')
    project_id = factory.project(kind="pairwise")
    result = cli("import", str(project_id), str(path))
    assert result.exit_code == 1
    *lines, broken = result.stderr.splitlines()
    assert lines == [
        "error [items.invalid]: 3 problem(s) in items.jsonl; nothing was imported",
        "  line 28, responses: a pairwise item needs exactly 2 responses",
        "  line 29, external_id: repeats 'first', used by an earlier row",
    ]
    assert broken.startswith("  line 31, json: not valid JSON: ")
    assert stored(database, project_id) == []


@pytest.mark.usefixtures("small_batches")
def test_ids_the_project_has_are_refused_by_line(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    project_id = factory.project(kind="pairwise")
    assert cli("import", str(project_id), str(write_jsonl(tmp_path / "a.jsonl", items(2))))
    result = cli("import", str(project_id), str(write_jsonl(tmp_path / "b.jsonl", items(10))))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "  line 1, external_id: the project already has an item 'q0'",
        "  line 2, external_id: the project already has an item 'q1'",
    ]
    assert len(stored(database, project_id)) == 2


def test_reading_stops_after_too_many_problems(
    cli: Any, factory: Any, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "BATCH_ROWS", 2)
    monkeypatch.setattr(data, "MAX_PROBLEMS", 3)
    path = write_jsonl(tmp_path / "items.jsonl", [{"prompt": ""}] * 10)
    result = cli("import", str(factory.project(kind="label")), str(path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "error [items.invalid]: 4 problem(s) in items.jsonl; nothing was imported"
    assert lines[-1] == "  reading stopped at line 4; the rest of the file was not checked"
    path = write_jsonl(tmp_path / "items.jsonl", [{"prompt": ""}] * 4)  # read to its end
    result = cli("import", str(factory.project(kind="label")), str(path))
    assert result.stderr.splitlines()[-1] == "  line 4, prompt: must not be empty"


@pytest.mark.usefixtures("small_batches")
def test_preference_rows_are_read_as_such_in_every_batch(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    rows = [{"id": f"p{n}", "prompt": "P", "chosen": "good", "rejected": "bad"} for n in range(9)]
    project_id = factory.project(kind="pairwise")
    result = cli("import", str(project_id), str(write_jsonl(tmp_path / "prefs.jsonl", rows)))
    assert result.exit_code == 0, result.output
    assert {r[3]["source"] for r in stored(database, project_id)} == {"preference"}


def test_the_reader_hands_on_a_batch_before_reading_the_whole_file(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "items.jsonl", items(3000))
    read: list[int] = []
    parts = iter_source(path, FileFormat.JSONL, read.append, batch_rows=100)
    first = next(parts)
    assert (len(first.rows), first.lines[:2], first.lines[-1]) == (100, [1, 2], 100)
    assert read and read[-1] < path.stat().st_size / 2  # far from the end of the file
    rest = list(parts)
    assert sum(len(part.rows) for part in rest) == 2900
    assert rest[-1].lines[-1] == 3000
    assert read[-1] == path.stat().st_size
