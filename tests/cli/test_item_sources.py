"""Readers of item sources: Parquet, saved Hugging Face datasets, Label Studio JSON, raw CSV."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from expertloop.cli.arrow_files import hf_data_files, plain
from expertloop.cli.item_files import FileFormat, SourceError
from expertloop.cli.item_sources import detect_source_format, read_source


def test_read_parquet_in_batches_numbers_rows_from_1(tmp_path: Path) -> None:
    rows = [{"prompt": f"p{n}", "meta": {"n": n}} for n in range(2500)]
    path = tmp_path / "items.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=700)
    seen: list[int] = []
    parsed = read_source(path, FileFormat.PARQUET, seen.append)
    assert parsed.rows == rows
    assert parsed.lines == list(range(1, 2501))
    assert parsed.errors == []
    assert len(seen) >= 3  # one tick per batch
    assert seen == sorted(seen)
    assert seen[-1] == path.stat().st_size


def test_read_parquet_names_the_row_of_a_binary_cell(tmp_path: Path) -> None:
    path = tmp_path / "items.parquet"
    table = pa.table({"prompt": ["a", "b"], "blob": pa.array([None, b"\x00"], pa.binary())})
    pq.write_table(table, path)
    parsed = read_source(path, FileFormat.PARQUET, lambda _: None)
    assert parsed.rows == [{"prompt": "a", "blob": None}]
    assert [(e.row, e.field) for e in parsed.errors] == [(2, "row")]


def test_read_a_file_that_is_not_parquet(tmp_path: Path) -> None:
    path = tmp_path / "items.parquet"
    path.write_text("prompt\nx\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"items\.parquet is not a Parquet file"):
        read_source(path, FileFormat.PARQUET, lambda _: None)


def test_plain_makes_arrow_values_json_ready() -> None:
    value = {
        "when": dt.datetime(2024, 5, 1, 9, 30),
        "d": [dt.date(2024, 5, 1)],
        "x": Decimal("1.5"),
    }
    assert plain(value) == {"when": "2024-05-01T09:30:00", "d": ["2024-05-01"], "x": "1.5"}
    assert plain(dt.timedelta(minutes=2)) == 120.0


def test_read_hf_dataset_without_the_datasets_package(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    rows = [{"prompt": f"p{n}", "tags": ["a", "b"], "score": n / 2} for n in range(10)]
    datasets.Dataset.from_list(rows).save_to_disk(str(tmp_path / "ds"), num_shards=2)
    assert detect_source_format(tmp_path / "ds", None) is FileFormat.HF_DATASET
    assert [f.name for f in hf_data_files(tmp_path / "ds", None)] == [
        "data-00000-of-00002.arrow",
        "data-00001-of-00002.arrow",
    ]
    parsed = read_source(tmp_path / "ds", FileFormat.HF_DATASET, lambda _: None)
    assert parsed.rows == rows
    assert parsed.lines == list(range(1, 11))


def test_hf_dataset_layout_errors(tmp_path: Path) -> None:
    single = tmp_path / "single"
    single.mkdir()
    (single / "state.json").write_text(json.dumps({"_data_files": "x"}), encoding="utf-8")
    with pytest.raises(SourceError, match="has no _data_files list"):
        hf_data_files(single, None)
    with pytest.raises(SourceError, match="is a single dataset, not a DatasetDict"):
        hf_data_files(single, "train")
    (single / "dataset_dict.json").write_text('{"splits": []}', encoding="utf-8")
    with pytest.raises(SourceError, match="lists no splits"):
        hf_data_files(single, None)


def test_detect_source_format() -> None:
    assert detect_source_format(Path("a.parquet"), None) is FileFormat.PARQUET
    assert detect_source_format(Path("a.json"), None) is FileFormat.LABEL_STUDIO
    assert detect_source_format(Path("a.JSONL"), None) is FileFormat.JSONL
    assert detect_source_format(Path("a.txt"), None) is None
    assert detect_source_format(Path("a.txt"), FileFormat.CSV) is FileFormat.CSV


def test_detect_a_directory_that_is_not_a_dataset(tmp_path: Path) -> None:
    assert detect_source_format(tmp_path, None) is None


def test_read_label_studio_numbers_tasks_from_1(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    tasks = [{"id": 1, "data": {"text": "a"}}, {"id": 2, "data": {"text": "b"}}]
    path.write_text(json.dumps(tasks), encoding="utf-8")
    parsed = read_source(path, FileFormat.LABEL_STUDIO, lambda _: None)
    assert (parsed.rows, parsed.lines) == (tasks, [1, 2])
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(SourceError, match=r"export\.json is not valid JSON"):
        read_source(path, FileFormat.LABEL_STUDIO, lambda _: None)


def test_read_raw_csv_rows_by_column_name(tmp_path: Path) -> None:
    path = tmp_path / "qa.csv"
    path.write_text("id,question\nq1,First?\nq2,\n", encoding="utf-8")
    parsed = read_source(path, FileFormat.CSV, lambda _: None, raw=True)
    assert parsed.rows == [{"id": "q1", "question": "First?"}, {"id": "q2", "question": None}]
    assert parsed.lines == [2, 3]
    path.write_text("id,id\n1,2\n", encoding="utf-8")
    parsed = read_source(path, FileFormat.CSV, lambda _: None, raw=True)
    assert [(e.row, e.field) for e in parsed.errors] == [(1, "id")]
