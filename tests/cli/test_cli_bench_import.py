"""`bench import` on tiny sizes: the report's fields, and the items really imported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from expertloop.cli.bench_import import item_row, write_items
from expertloop.cli.main import app
from expertloop.store import Database
from expertloop.store.items import iter_items
from expertloop.store.tables import Project


def run_bench(url: str, *extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["bench", "import", "--db", url, *extra])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.output.strip().splitlines()[-1])
    return report


def imported(url: str) -> dict[str, int]:
    database = Database(url)
    try:
        with database.scoped() as session:
            projects = session.query(Project).order_by(Project.id).all()
            return {p.name: len(list(iter_items(session, p.id))) for p in projects}
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("file_format", "sizes"), [("jsonl", [30, 70]), ("csv", [40]), ("parquet", [40])]
)
def test_bench_import_reports_each_size(tmp_path: Path, file_format: str, sizes: list[int]) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    items = ",".join(str(size) for size in sizes)
    report = run_bench(url, "--items", items, "--format", file_format)
    assert (report["backend"], report["format"], report["path"]) == ("sqlite", file_format, "cli")
    assert [run["items"] for run in report["runs"]] == sizes
    for run in report["runs"]:
        assert set(run) == {
            "items",
            "file_mib",
            "seconds",
            "cpu_seconds",
            "items_per_second",
            "items_per_cpu_second",
            "process_seconds",
            "peak_rss_mib",
        }
        assert run["peak_rss_mib"] > 10 and run["items_per_second"] > 0
    assert imported(url) == {f"bench import {size}": size for size in sizes}


@pytest.mark.slow
def test_bench_import_through_the_api(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    report = run_bench(url, "--items", "25", "--api")
    [run] = report["runs"]
    assert (report["path"], run["items"], run["items_per_request"]) == ("api", 25, 10_000)
    assert run["peak_rss_mib"] >= run["server_start_rss_mib"] > 10
    assert imported(url) == {"bench import 25": 25}


def test_bench_files_hold_the_same_items_in_every_format(tmp_path: Path) -> None:
    jsonl = write_items(tmp_path / "items-3.jsonl", 3)
    assert [json.loads(line) for line in jsonl.read_text().splitlines()] == [
        item_row(n) for n in range(3)
    ]
    assert write_items(tmp_path / "items-3.csv", 3).read_text().count("\n") == 4
