"""Writing exports: streaming in batches, the card beside the data, and the errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from export_cases import CHAT, PAIR, TEXT, cases, consensus, export, items, judgment

from expertloop.core.errors import DomainError, Invalid, Unavailable
from expertloop.core.exports import kto, sft
from expertloop.core.exports.card import CardSummary
from expertloop.core.exports.records import ExportItem
from expertloop.services.export_files import ExportFileFormat, ExportWritten, write_export

CASES = {case.name: case for case in cases()}
FILES = [ExportFileFormat.JSONL, ExportFileFormat.PARQUET]


def _write(rows: Any, path: Path, file_format: ExportFileFormat, name: str, **kw: Any) -> Any:
    summary = CardSummary(name="demo", format=name, license="cc-by-4.0")
    written = write_export(
        rows, path=path, file_format=file_format, format_name=name, summary=summary, **kw
    )
    return written, summary


def _kto_rows(count: int) -> Iterator[dict[str, Any]]:
    """``count`` KTO rows over ``count // 2`` items, agreement None on the first item only."""
    votes = [judgment("e-1", {"choice": "A"}), judgment("e-2", {"choice": "A"}, tracks=("law",))]
    for number in range(count // 2):
        source = ExportItem(number + 1, "pairwise", TEXT, f"ext-{number + 1}", PAIR)
        agreed = consensus({"choice": "A"}, agreement=None if number == 0 else 0.5)
        yield from kto.rows(source, votes, agreed)


@pytest.mark.parametrize("file_format", FILES)
def test_write_file_puts_card_beside_and_reports_what_it_wrote(
    file_format: ExportFileFormat, tmp_path: Path
) -> None:
    target = tmp_path / f"train.{file_format.value}"
    written, summary = _write(_kto_rows(6), target, file_format, "kto")
    assert written == ExportWritten(6, (target,), tmp_path / "train.README.md",
                                    target.stat().st_size)  # fmt: skip
    assert written.bytes > 0 and summary.rows == 6
    card = written.card.read_text(encoding="utf-8")
    assert card.startswith("---\nlicense: cc-by-4.0\n")
    assert "expertloop format: `kto`" in card and "KTOTrainer" in card
    assert "| rows | items | experts |\n|---|---|---|\n| 6 | 3 | 2 |" in card
    assert "| desirable | 3 |" in card and "| undesirable | 3 |" in card
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.README.md", target.name]


def test_dataset_directory_holds_data_and_readme_card(tmp_path: Path) -> None:
    target = tmp_path / "kto-dataset"
    written, _ = _write(_kto_rows(4), target, ExportFileFormat.DATASET, "kto")
    assert written.card == target / "README.md" and written.rows == 4
    assert "| 4 | 2 | 2 |" in written.card.read_text(encoding="utf-8")
    assert written.paths and all(p.parent == target and p.is_file() for p in written.paths)
    assert written.bytes == sum(p.stat().st_size for p in written.paths)
    assert any(p.suffix == ".arrow" for p in written.paths)
    loaded = datasets.load_from_disk(str(target))
    assert loaded.num_rows == 4 and loaded["label"] == [True, False, True, False]
    assert [p.name for p in tmp_path.iterdir()] == ["kto-dataset"]  # no temporary left


def test_parquet_streams_one_row_group_per_batch(tmp_path: Path) -> None:
    target = tmp_path / "kto.parquet"
    seen: list[int] = []
    written, _ = _write(_kto_rows(8), target, ExportFileFormat.PARQUET, "kto",
                        batch_rows=3, progress=seen.append)  # fmt: skip
    metadata = pq.ParquetFile(target).metadata
    assert written.rows == metadata.num_rows == 8
    assert [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)] == [3, 3, 2]
    assert seen == [3, 6, 8]


def test_jsonl_reports_progress_every_batch(tmp_path: Path) -> None:
    seen: list[int] = []
    _write(_kto_rows(8), tmp_path / "kto.jsonl", ExportFileFormat.JSONL, "kto",
           batch_rows=4, progress=seen.append)  # fmt: skip
    assert seen == [4, 8]


def test_parquet_schema_is_explicit_not_inferred_from_first_batch(tmp_path: Path) -> None:
    target = tmp_path / "kto.parquet"
    _write(_kto_rows(4), target, ExportFileFormat.PARQUET, "kto", batch_rows=2)
    origin = pq.read_schema(target).field("provenance").type
    # the first batch has agreement None everywhere: inference would find the null type
    assert origin.field("agreement").type == pa.float64()
    assert origin.field("experts").type.value_type.field("guideline_version").type == pa.int64()
    assert pq.read_table(target).column("provenance").to_pylist()[2]["agreement"] == 0.5


def test_unknown_provenance_keys_are_kept_as_json_in_extra(tmp_path: Path) -> None:
    rows = CASES["stepwise"].rows[:1]
    rows = [{**rows[0], "provenance": {**rows[0]["provenance"], "note": {"why": "é"}}}]
    target = tmp_path / "prm.parquet"
    _write(rows, target, ExportFileFormat.PARQUET, "stepwise")
    origin = pq.read_table(target).column("provenance").to_pylist()[0]
    assert json.loads(origin["extra"]) == {"note": {"why": "é"}}
    assert origin["first_error"] == 1 and origin["label_source"] == "consensus"


@pytest.mark.parametrize("file_format", list(ExportFileFormat))
def test_mixed_conversational_and_standard_rows_are_refused(
    file_format: ExportFileFormat, tmp_path: Path
) -> None:
    standard = CASES["sft-prompt-completion"].rows[:2]
    chat = export(sft.rows, items("correction", CHAT, count=1, responses=PAIR),
                  [judgment("e-1", {"edited": "Paris."})], None)  # fmt: skip
    with pytest.raises(Invalid) as caught:
        _write([*standard, *chat], tmp_path / "sft", file_format, "sft", batch_rows=1)
    assert caught.value.code == "export.invalid_row"
    assert caught.value.errors[0].row == 3
    assert "conversational=True" in caught.value.message
    assert "has columns messages but the first row has prompt (text)" in caught.value.message
    assert list(tmp_path.iterdir()) == []  # nothing half-written, no temporary left


def test_value_of_the_wrong_type_names_row_and_column(tmp_path: Path) -> None:
    rows = list(_kto_rows(4))
    rows[2] = {**rows[2], "label": "yes"}
    with pytest.raises(Invalid) as caught:
        _write(rows, tmp_path / "kto.parquet", ExportFileFormat.PARQUET, "kto", batch_rows=2)
    error = caught.value.errors[0]
    assert (caught.value.code, error.row, error.field) == ("export.invalid_row", 3, "label")
    assert list(tmp_path.iterdir()) == []


def test_unknown_column_and_missing_columns_are_refused(tmp_path: Path) -> None:
    row = CASES["kto-rubric"].rows[0]
    for bad, field in (
        ({**row, "score": 1}, "score"),
        ({"prompt": "Q", "provenance": {}}, "columns"),
    ):
        with pytest.raises(Invalid) as caught:
            _write([bad], tmp_path / "kto.jsonl", ExportFileFormat.JSONL, "kto")
        assert caught.value.errors[0].field == field and caught.value.errors[0].row == 1


@pytest.mark.parametrize("file_format", list(ExportFileFormat))
def test_unwritable_path_is_cannot_write(file_format: ExportFileFormat, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out"
    with pytest.raises(Invalid) as caught:
        _write(_kto_rows(2), target, file_format, "kto")
    assert caught.value.code == "export.cannot_write"
    assert f"cannot write {target}" in caught.value.message


@pytest.mark.parametrize("file_format", FILES)
def test_file_export_onto_a_directory_is_cannot_write(
    file_format: ExportFileFormat, tmp_path: Path
) -> None:
    (tmp_path / "taken").mkdir()
    with pytest.raises(Invalid) as caught:
        _write(_kto_rows(2), tmp_path / "taken", file_format, "kto")
    assert caught.value.code == "export.cannot_write"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_dataset_export_onto_a_file_is_cannot_write(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    with pytest.raises(Invalid) as caught:
        _write(_kto_rows(2), tmp_path / "taken", ExportFileFormat.DATASET, "kto")
    assert caught.value.code == "export.cannot_write" and "directory" in caught.value.message


def test_dataset_format_without_the_extra_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "datasets", None)  # import datasets -> ImportError
    with pytest.raises(Unavailable) as caught:
        _write(_kto_rows(2), tmp_path / "ds", ExportFileFormat.DATASET, "kto")
    assert caught.value.code == "export.needs_datasets"
    assert "pip install 'expertloop[datasets]'" in caught.value.message
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_name_and_bad_batch_size_are_refused(tmp_path: Path) -> None:
    cases_ = ((("dpo", 10), "export.unknown_format"), (("kto", 0), "export.invalid_batch"))
    for (name, batch), code in cases_:
        with pytest.raises(DomainError) as caught:
            _write([], tmp_path / "x.jsonl", ExportFileFormat.JSONL, name, batch_rows=batch)
        assert caught.value.code == code


def test_existing_file_is_replaced(tmp_path: Path) -> None:
    target = tmp_path / "kto.jsonl"
    target.write_text("old\n")
    _write(_kto_rows(2), target, ExportFileFormat.JSONL, "kto")
    assert [json.loads(line)["label"] for line in target.read_text().splitlines()] == [True, False]


@pytest.mark.parametrize("file_format", list(ExportFileFormat))
def test_empty_export_writes_an_empty_standard_dataset(
    file_format: ExportFileFormat, tmp_path: Path
) -> None:
    seen: list[int] = []
    target = tmp_path / "empty"
    written, _ = _write(iter(()), target, file_format, "preference", progress=seen.append)
    assert written.rows == 0 and seen == [0]
    assert "| 0 | 0 | 0 |" in written.card.read_text(encoding="utf-8")
    if file_format is ExportFileFormat.PARQUET:
        schema = pq.read_schema(target)
        assert schema.names == ["prompt", "chosen", "rejected", "provenance"]
        assert schema.field("prompt").type == pa.string()
    if file_format is ExportFileFormat.DATASET:
        assert datasets.load_from_disk(str(target)).num_rows == 0
