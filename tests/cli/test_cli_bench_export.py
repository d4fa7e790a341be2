"""`bench export` on a tiny size: the report's fields, and rows that match what was seeded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from expertloop.cli.main import app
from expertloop.config import Settings

RUN_KEYS = {
    "format",
    "file_format",
    "judgments",
    "rows",
    "bytes",
    "seconds",
    "cpu_seconds",
    "rows_per_second",
    "judgments_per_second",
    "peak_rss_mb",
    "children_peak_rss_mb",
    "start_rss_mb",
    "seconds_all",
}


def run_bench(tmp_path: Path, *extra: str) -> dict[str, Any]:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    args = ["bench", "export", "--judgments", "300", "--db", url, *extra]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.output.strip().splitlines()[-1])
    return report


@pytest.mark.slow
def test_bench_export_reports_rows_and_memory_at_both_sizes(tmp_path: Path) -> None:
    out = tmp_path / "files"
    report = run_bench(tmp_path, "--out-dir", str(out), "--file-formats", "jsonl,parquet")
    assert (report["judgments"], report["small_judgments"], report["overlap"]) == (300, 30, 3)
    assert report["backend"] == "sqlite" and report["kind"] == "pairwise"
    assert report["processes"] == Settings().export_processes  # as the export command uses
    runs = {(run["format"], run["file_format"]): run for run in report["runs"]}
    assert set(runs) == {
        (fmt, file) for fmt in ("raw", "preference", "kto") for file in ("jsonl", "parquet")
    }  # every format by default
    for run in report["runs"]:
        assert set(run) == RUN_KEYS | {"small"} and set(run["small"]) == RUN_KEYS
        assert run["rows"] > 0 and run["peak_rss_mb"] > 0 and run["small"]["peak_rss_mb"] > 0
        assert run["judgments"] == 300 and run["small"]["judgments"] == 30
    # raw: one row per judgment plus one consensus row per item; preference: one per item
    assert runs["raw", "jsonl"]["rows"] == runs["raw", "parquet"]["rows"] == 300 + 100
    assert runs["preference", "jsonl"]["rows"] == 100
    assert runs["kto", "parquet"]["rows"] == 200  # the chosen and the rejected answer
    assert runs["raw", "jsonl"]["small"]["rows"] == 30 + 10
    written = (out / "raw-300.jsonl").read_text().splitlines()
    assert len(written) == 400
    assert {json.loads(line)["type"] for line in written} == {"judgment", "consensus"}


def test_bench_export_refuses_an_unknown_file_format(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    args = ["bench", "export", "--judgments", "30", "--file-formats", "csv", "--db", url]
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0
    assert "--file-formats" in result.output
