"""`bench load` end to end on a small SQLite run: the report adds up and nothing over-collects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from expertloop.cli.loadgen import paces
from expertloop.cli.main import app


def test_bench_load_reports_every_cycle_and_no_over_collection(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    args = ["bench", "load", "--experts", "3", "--items", "10", "--overlap", "2", "--db", url]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.output.strip().splitlines()[-1])
    assert report["cycles"] == report["judgments"] == 20
    assert report["complete_items"] == 10
    assert report["over_collected"] == 0 and report["errors"] == {}
    assert set(report["latency_ms"]) == {"claim", "submit"}
    assert report["loadgen_cpu_ms_per_cycle"] > 0 and report["server_cpu_ms_per_cycle"] > 0


def test_bench_load_at_a_rate_paces_the_experts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    args = ["bench", "load", "--experts", "3", "--items", "10", "--overlap", "2", "--db", url]
    result = CliRunner().invoke(app, [*args, "--rate", "40"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.output.strip().splitlines()[-1])
    assert report["rate"] == 40.0 and report["cycles"] == 20 and report["over_collected"] == 0
    # Twenty cycles due every 1/40 s from the start: the last is due 19/40 s in.
    assert report["seconds"] >= 19 / 40
    assert report["cycles_per_second"] <= 40 * 1.05


def test_paces_spread_the_experts_first_cycles_over_one_interval() -> None:
    rhythm = paces(4, 8.0, start=100.0)
    assert [pace.next_at for pace in rhythm if pace] == [100.0, 100.125, 100.25, 100.375]
    assert {pace.interval for pace in rhythm if pace} == {0.5}
    assert paces(3, None, start=0.0) == [None, None, None]


def test_bench_load_sweeps_sizes_side_by_side(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    args = ["bench", "load", "--experts", "3", "--items", "6,9", "--overlap", "2", "--db", url]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.output.strip().splitlines()[-1])
    assert report["items"] == [6, 9]
    assert [run["items"] for run in report["sweep"]] == [6, 9]
    assert [run["judgments"] for run in report["sweep"]] == [12, 18]
    assert report["over_collected"] == [0, 0]
    assert report["cycles_per_second"] == [run["cycles_per_second"] for run in report["sweep"]]
    first, last = report["sweep"]
    expected = round(last["cycles_per_second"] / first["cycles_per_second"], 3)
    assert report["largest_over_smallest"]["cycles_per_second"] == expected


def test_bench_load_refuses_a_size_that_is_not_a_count(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["bench", "load", "--items", "10,many"])
    assert result.exit_code == 2
    assert "--items" in result.output
