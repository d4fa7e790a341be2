"""`bench quality` on tiny settings: the report's shape and the invariants of every arm."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from expertloop.cli.main import app
from expertloop.cli.simulate import SimConfig, make_world

ARM_KEYS = {
    "arm",
    "policy",
    "judgments",
    "judgments_per_item",
    "items_by_judgments",
    "accuracy",
    "accuracy_not_disputed",
    "disputed",
    "items_with_consensus",
    "refreshes",
    "rounds",
    "k_max",
    "seconds",
}


def run_bench(tmp_path: Path, *extra: str) -> dict[str, Any]:
    tmp_path.mkdir(exist_ok=True)
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    args = ["bench", "quality", "--items", "20", "--experts", "5", "--db", url, *extra]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.output.strip().splitlines()[-1])
    return report


def test_bench_quality_reports_three_arms_whose_counts_add_up(tmp_path: Path) -> None:
    report = run_bench(tmp_path, "--seed", "3", "--k-max", "4", "--target", "0.9")
    assert (report["items"], report["experts"], report["labels"], report["seed"]) == (20, 5, 2, 3)
    assert report["accuracies"] == [0.95, 0.8625, 0.775, 0.6875, 0.6]
    fixed3, fixed5, adaptive = report["arms"]
    assert [arm["arm"] for arm in report["arms"]] == ["fixed-3", "fixed-5", "adaptive-2..4@0.9"]
    for arm in report["arms"]:
        assert set(arm) == ARM_KEYS
        spread = {int(k): n for k, n in arm["items_by_judgments"].items()}
        assert sum(k * n for k, n in spread.items()) == arm["judgments"]
        assert sum(spread.values()) == arm["items_with_consensus"] == 20
        assert max(spread) <= arm["k_max"]
        assert 0 <= arm["accuracy"] <= 1 and 0 <= arm["disputed"] <= 20
        assert arm["judgments_per_item"] == arm["judgments"] / 20
    assert fixed3["items_by_judgments"] == {"3": 20} and fixed3["judgments"] == 60
    assert fixed5["items_by_judgments"] == {"5": 20} and fixed5["judgments"] == 100
    assert fixed3["disputed"] == fixed5["disputed"] == 0 and fixed3["refreshes"] == 1
    assert adaptive["policy"] == {"k_min": 2, "k_max": 4, "target": 0.9}
    assert min(int(k) for k in adaptive["items_by_judgments"]) >= 2
    assert adaptive["refreshes"] >= 2  # the first refresh of a 2-judgment start opens slots


def test_bench_quality_is_reproducible_from_its_seed(tmp_path: Path) -> None:
    first = run_bench(tmp_path / "a", "--labels", "3", "--k-max", "5")
    second = run_bench(tmp_path / "b", "--labels", "3", "--k-max", "5")
    for one, two in zip(first["arms"], second["arms"], strict=True):
        assert {**one, "seconds": 0} == {**two, "seconds": 0}


def test_the_world_answers_with_each_experts_accuracy() -> None:
    world = make_world(SimConfig(items=4000, experts=3, labels=4, best=0.9, worst=0.5, seed=1))
    right = (world.answers == world.truth[None, :]).mean(axis=1)
    assert abs(right - [0.9, 0.7, 0.5]).max() < 0.03
    wrong = world.answers[world.answers != world.truth[None, :]]
    assert set(wrong.tolist()) == {0, 1, 2, 3}
    assert world.labels == ["c0", "c1", "c2", "c3"]


def test_bench_quality_refuses_k_max_above_the_experts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    args = ["bench", "quality", "--experts", "5", "--k-max", "6", "--db", url]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "--k-max" in result.output
