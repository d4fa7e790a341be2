"""Every export format, written as JSONL, Parquet and a datasets directory, loads with
``datasets`` and meets TRL's dataset format conventions.

Conventions (columns and types per trainer, conversational detection) are written out in
``trl_conventions`` from https://huggingface.co/docs/trl/dataset_formats and
https://huggingface.co/docs/trl/data_utils (``is_conversational``).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import datasets
import pytest
from export_cases import Case, cases
from trl_conventions import assert_trl_format, is_conversational

from expertloop.core.exports.card import CardSummary
from expertloop.services.export_files import ExportFileFormat, write_export
from expertloop.services.export_schemas import KNOWN_PROVENANCE

CASES = {case.name: case for case in cases()}
SUFFIX = {ExportFileFormat.JSONL: ".jsonl", ExportFileFormat.PARQUET: ".parquet"}


def _load(case: Case, file_format: ExportFileFormat, tmp_path: Path) -> datasets.Dataset:
    """Write the case's rows, then load them back the way a TRL user would."""
    target = tmp_path / f"{case.name}{SUFFIX.get(file_format, '')}"
    summary = CardSummary(name=case.name, format=case.format_name)
    written = write_export(
        iter(case.rows),
        path=target,
        file_format=file_format,
        format_name=case.format_name,
        summary=summary,
        batch_rows=2,
    )
    assert written.rows == len(case.rows) == summary.rows
    cache = str(tmp_path / "hf-cache")
    if file_format is ExportFileFormat.DATASET:
        loaded = datasets.load_from_disk(str(target))
    else:
        builder = file_format.value if file_format is ExportFileFormat.PARQUET else "json"
        loaded = datasets.load_dataset(
            builder, data_files=str(target), split="train", cache_dir=cache
        )
    assert isinstance(loaded, datasets.Dataset)
    return loaded


def test_cases_cover_every_format_and_form() -> None:
    forms = {(case.format_name, case.conversational) for case in CASES.values()}
    assert forms == {
        ("sft", False), ("sft", True), ("preference", False), ("preference", True),
        ("kto", False), ("kto", True), ("stepwise", False), ("raw", False),
    }  # fmt: skip
    for case in CASES.values():
        assert len(case.rows) >= 3, case.name  # more rows than batch_rows=2: several batches
        assert {is_conversational(row) for row in case.rows} == {case.conversational}


@pytest.mark.parametrize("file_format", list(ExportFileFormat))
@pytest.mark.parametrize("name", [name for name in CASES if name != "raw"])
def test_export_loads_in_trl_format(
    name: str, file_format: ExportFileFormat, tmp_path: Path
) -> None:
    case = CASES[name]
    loaded = _load(case, file_format, tmp_path)
    assert_trl_format(loaded, case.format_name, case.conversational)
    assert loaded.num_rows == len(case.rows)
    columns = set(case.rows[0]) - {"provenance"}
    assert set(loaded.column_names) == columns | {"provenance"}
    for example, row in zip(loaded, case.rows, strict=True):
        assert {column: example[column] for column in columns} == {c: row[c] for c in columns}
        _assert_provenance(example["provenance"], row["provenance"], file_format)


def _assert_provenance(loaded: dict[str, Any], original: dict[str, Any], file_format: str) -> None:
    """JSONL keeps provenance as shaped; Parquet has every struct field (null when absent)."""
    if file_format == ExportFileFormat.JSONL:
        assert loaded == original
        return
    assert {key: loaded[key] for key in original} == original
    assert set(loaded) == KNOWN_PROVENANCE | {"extra"}
    assert loaded["extra"] is None  # the core's provenance keys all have struct fields


@pytest.mark.parametrize("file_format", list(ExportFileFormat))
def test_raw_export_loads_with_value_as_json(file_format: ExportFileFormat, tmp_path: Path) -> None:
    case = CASES["raw"]
    loaded = _load(case, file_format, tmp_path)
    assert loaded.features["type"] == datasets.Value("string")
    assert loaded["type"] == ["judgment", "judgment", "consensus"] * 3
    assert loaded["review_state"][:3] == [None, "rejected", None]
    values = loaded["value"]
    if file_format == ExportFileFormat.JSONL:  # nested objects (older datasets fill absent keys)
        # pyarrow's JSON reader parses ISO timestamps (to naive UTC); Parquet keeps the text
        assert loaded["created_at"][:2] == [datetime(2026, 1, 2, 3, 4, 5), None]
        assert values[0] == {"choice": "A", "strength": 2}
        assert {key: v for key, v in values[1].items() if v is not None} == {"choice": "B"}
    else:  # one JSON string per row, whatever the task kind's value looks like
        assert loaded.features["value"] == datasets.Value("string")
        assert [json.loads(value) for value in values] == [row["value"] for row in case.rows]
        assert loaded["created_at"][:2] == ["2026-01-02T03:04:05+00:00", None]
        assert loaded["confidence"][:3] == [None, None, 0.9]


def test_jsonl_lines_are_rows_exactly_as_shaped(tmp_path: Path) -> None:
    case = CASES["preference-chat"]
    target = tmp_path / "dpo.jsonl"
    summary = CardSummary(name="dpo", format="preference")
    write_export(case.rows, path=target, file_format=ExportFileFormat.JSONL,
                 format_name="preference", summary=summary)  # fmt: skip
    text = target.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert [json.loads(line) for line in lines] == [dict(row) for row in case.rows]
    assert text.endswith("\n") and len(lines) == len(case.rows)
    assert "Paris, évidemment." in text  # not escaped to \\u00e9
