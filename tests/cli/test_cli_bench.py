"""`bench load` end to end on a small SQLite run: the report adds up and nothing over-collects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

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
