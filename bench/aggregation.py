"""Benchmark: expertloop's label aggregators against crowd-kit's, on real and synthetic data.

For D_Product and D_PosSent (``/work/shared/data/zheng_*``): time (best of ``--repeat`` runs,
``time.perf_counter``, CSV loading excluded) and accuracy against truth of majority vote,
Dawid-Skene, one-coin Dawid-Skene, GLAD and MACE, ours and crowd-kit's. Ours is timed from
``Answers.from_rows`` to a ``{task: label}`` dict; crowd-kit's is ``fit_predict`` on a
DataFrame. Then one million synthetic judgments through our Dawid-Skene (and crowd-kit's with
``--crowdkit-scale SECONDS``). Without crowd-kit importable, ours only. ``bench/README.md``
tells how to build the throwaway environment, what is measured and the figures::

    /work/crowdkit-venv/bin/python bench/aggregation.py [--repeat N] [--only ours]

Prints one JSON object on stdout and a table on stderr.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import importlib
import json
import multiprocessing
import os
import platform
import sys
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from expertloop.core.aggregation.answers import Answers, LabelResult

DATA = Path(os.environ.get("EXPERTLOOP_DATA", "/work/shared/data"))
DATASETS = ("zheng_product", "zheng_possent")
METHODS = ("mv", "ds", "onecoin", "glad", "mace")
MACE_SEED = 0

# method -> (our module, our class); crowd-kit has a class of the same name
OURS: dict[str, tuple[str, str]] = {
    "mv": ("majority_vote", "MajorityVote"),
    "ds": ("dawid_skene", "DawidSkene"),
    "onecoin": ("one_coin", "OneCoinDawidSkene"),
    "glad": ("glad", "GLAD"),
    "mace": ("mace", "MACE"),
}

Row = tuple[str, str, str]
Predict = Callable[[], dict[Hashable, Hashable]]


@dataclass(frozen=True)
class Dataset:
    name: str
    rows: list[Row]
    truth: dict[str, str]


@dataclass(frozen=True)
class Timed:
    seconds: float
    runs: int
    predictions: dict[Hashable, Hashable]


def read_csv(path: Path) -> list[list[str]]:
    """Every row but the header, every column a string."""
    with path.open(newline="") as handle:
        return list(csv.reader(handle))[1:]


def load_dataset(name: str) -> Dataset:
    rows = [(w, t, lab) for w, t, lab in read_csv(DATA / name / "answers.csv")]
    truth = {t: lab for t, lab in read_csv(DATA / name / "truth.csv")}
    return Dataset(name, rows, truth)


def crowdkit_module() -> Any | None:
    try:
        return importlib.import_module("crowdkit.aggregation")
    except ImportError:
        return None


def our_class(method: str) -> Any | None:
    module, name = OURS[method]
    try:
        return getattr(importlib.import_module(f"expertloop.core.aggregation.{module}"), name)
    except (ImportError, AttributeError):
        return None


def make_ours(cls: Any, method: str) -> Any:
    return cls(rng=np.random.default_rng(MACE_SEED)) if method == "mace" else cls()


def best_of(run: Predict, repeat: int, budget: float) -> Timed:
    """Best wall time of up to ``repeat`` runs, stopping once ``budget`` seconds are spent."""
    best, spent, runs = float("inf"), 0.0, 0
    predictions: dict[Hashable, Hashable] = {}
    while runs < repeat and (runs == 0 or spent < budget):
        start = time.perf_counter()
        predictions = run()
        elapsed = time.perf_counter() - start
        best, spent, runs = min(best, elapsed), spent + elapsed, runs + 1
    return Timed(best, runs, predictions)


def ours_runner(cls: Any, method: str, rows: list[Row]) -> Predict:
    def run() -> dict[Hashable, Hashable]:
        answers = Answers.from_rows(rows)
        result: LabelResult = make_ours(cls, method).fit(answers)
        names = answers.label_names
        return {
            task: names[code]
            for task, code in zip(answers.task_names, result.labels.tolist(), strict=True)
        }

    return run


def ours_fit_runner(cls: Any, method: str, rows: list[Row]) -> Predict:
    """Like ``ours_runner`` from ``Answers`` built beforehand (as crowd-kit's frame is)."""
    answers = Answers.from_rows(rows)

    def run() -> dict[Hashable, Hashable]:
        result: LabelResult = make_ours(cls, method).fit(answers)
        names = answers.label_names
        return {
            task: names[code]
            for task, code in zip(answers.task_names, result.labels.tolist(), strict=True)
        }

    return run


def crowdkit_runner(cls: Any, frame: Any) -> Predict:
    def run() -> dict[Hashable, Hashable]:
        series = cls().fit_predict(frame)
        return dict(series.items())

    return run


def crowdkit_total_runner(cls: Any, pandas: Any, rows: list[Row]) -> Predict:
    """Like ``crowdkit_runner`` with the frame built from the rows inside the timing."""

    def run() -> dict[Hashable, Hashable]:
        frame = pandas.DataFrame(rows, columns=["worker", "task", "label"])
        return dict(cls().fit_predict(frame).items())

    return run


def minority_label(truth: dict[str, str]) -> str:
    counts: dict[str, int] = {}
    for label in truth.values():
        counts[label] = counts.get(label, 0) + 1
    return min(sorted(counts), key=lambda label: counts[label])


def score(predictions: dict[Hashable, Hashable], truth: dict[str, str]) -> dict[str, float]:
    """Accuracy over every task of ``truth`` and F1 of its least frequent label."""
    minority = minority_label(truth)
    correct = tp = fp = fn = 0
    for task, label in truth.items():
        guess = predictions.get(task)
        correct += guess == label
        tp += guess == minority and label == minority
        fp += guess == minority and label != minority
        fn += guess != minority and label == minority
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {"accuracy": round(correct / len(truth), 4), "minority_f1": round(f1, 4)}


def measure(run: Predict, truth: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    try:
        timed = best_of(run, args.repeat, args.budget)
    except Exception as error:  # a broken method must not stop the benchmark
        return {"error": f"{type(error).__name__}: {error}"}
    figures = {"seconds": round(timed.seconds, 4), "runs": timed.runs}
    return figures | score(timed.predictions, truth)


def speedups(ours: dict[str, Any], ck: dict[str, Any]) -> dict[str, float]:
    """crowd-kit's time over ours: fit alone (each from its own input structure: a DataFrame,
    ``Answers``) and in total (each from the same Python rows)."""
    found = {}
    for name, ck_key, ours_key in (
        ("speedup_fit", "seconds", "fit_seconds"),
        ("speedup_total", "total_seconds", "seconds"),
    ):
        if ck.get(ck_key) and ours.get(ours_key):
            found[name] = round(ck[ck_key] / ours[ours_key], 1)
    return found


def bench_dataset(dataset: Dataset, ck: Any | None, args: argparse.Namespace) -> dict[str, Any]:
    frame = pandas = None
    if ck is not None:
        pandas = importlib.import_module("pandas")
        frame = pandas.DataFrame(dataset.rows, columns=["worker", "task", "label"])
    methods: dict[str, Any] = {}
    for method in args.methods:
        entry: dict[str, Any] = {}
        cls = our_class(method)
        if args.only != "crowdkit" and cls is not None:
            entry["ours"] = measure(ours_runner(cls, method, dataset.rows), dataset.truth, args)
            fit = measure(ours_fit_runner(cls, method, dataset.rows), dataset.truth, args)
            entry["ours"]["fit_seconds"] = fit.get("seconds")
        elif args.only != "crowdkit":
            entry["ours"] = {"error": "module missing"}
        ck_cls = getattr(ck, OURS[method][1], None) if ck is not None else None
        if ck_cls is not None:
            entry["crowdkit"] = measure(crowdkit_runner(ck_cls, frame), dataset.truth, args)
            total = crowdkit_total_runner(ck_cls, pandas, dataset.rows)
            entry["crowdkit"]["total_seconds"] = measure(total, dataset.truth, args).get("seconds")
        entry |= speedups(entry.get("ours", {}), entry.get("crowdkit", {}))
        methods[method] = entry
    sizes = {"answers": len(dataset.rows), "tasks_in_truth": len(dataset.truth)}
    return {**sizes, "minority_label": minority_label(dataset.truth), "methods": methods}


IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Synthetic:
    workers: IntArray
    tasks: IntArray
    labels: IntArray
    truth: IntArray
    n_workers: int
    n_labels: int


def distinct_workers(
    rng: np.random.Generator, n_tasks: int, per_task: int, n_workers: int
) -> IntArray:
    """``per_task`` distinct random workers for each task, shape ``(n_tasks, per_task)``."""
    chunks = []
    for start in range(0, n_tasks, 2_000):
        size = min(2_000, n_tasks - start)
        keys = rng.random((size, n_workers))
        chunks.append(np.argpartition(keys, per_task, axis=1)[:, :per_task])
    return np.concatenate(chunks).astype(np.int64)


def synthetic(seed: int, n_tasks: int, per_task: int, n_workers: int) -> Synthetic:
    """3 labels with priors 0.5/0.3/0.2. Workers: 10 % answer at random, 10 % always give one
    label of their own, the others are right with a probability drawn uniformly in
    [0.4, 0.85] and otherwise pick another label uniformly."""
    rng = np.random.default_rng(seed)
    n_labels = 3
    truth = rng.choice(n_labels, size=n_tasks, p=[0.5, 0.3, 0.2]).astype(np.int64)
    kind = rng.choice(3, size=n_workers, p=[0.1, 0.1, 0.8])  # random, fixed label, honest
    skill = rng.uniform(0.4, 0.85, n_workers)
    fixed = rng.integers(0, n_labels, n_workers)
    workers = distinct_workers(rng, n_tasks, per_task, n_workers).ravel()
    tasks = np.repeat(np.arange(n_tasks, dtype=np.int64), per_task)
    right = truth[tasks]
    wrong = (right + rng.integers(1, n_labels, size=right.size)) % n_labels
    honest = np.where(rng.random(right.size) < skill[workers], right, wrong)
    noise = rng.integers(0, n_labels, size=right.size)
    labels = np.select([kind[workers] == 0, kind[workers] == 1], [noise, fixed[workers]], honest)
    return Synthetic(workers, tasks, labels.astype(np.int64), truth, n_workers, n_labels)


def as_answers(data: Synthetic) -> Answers:
    """Answers straight from the code arrays: names are the codes themselves."""
    names: list[list[Hashable]] = [
        list(range(n)) for n in (data.n_workers, data.truth.size, data.n_labels)
    ]
    return Answers(data.workers, data.tasks, data.labels, *names)


def scale_ours(data: Synthetic, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    answers = as_answers(data)
    for method in ("mv", "ds"):
        cls = our_class(method)
        if cls is None:
            out[method] = {"error": "module missing"}
            continue
        holder: list[LabelResult] = []

        def run(cls: Any = cls, holder: list[LabelResult] = holder) -> dict[Hashable, Hashable]:
            holder[:] = [cls().fit(answers)]
            return {}

        timed = best_of(run, args.repeat, args.budget)
        accuracy = round(float(np.mean(holder[0].labels == data.truth)), 4)
        out[method] = {"fit_seconds": round(timed.seconds, 3), "runs": timed.runs}
        out[method] |= {"accuracy": accuracy, "iterations": holder[0].iterations}
    rows = list(zip(data.workers.tolist(), data.tasks.tolist(), data.labels.tolist(), strict=True))
    start = time.perf_counter()
    Answers.from_rows(rows)
    out["from_rows_seconds"] = round(time.perf_counter() - start, 3)
    return out


def _crowdkit_scale_child(data: Synthetic, queue: Any) -> None:
    pandas = importlib.import_module("pandas")
    ck = importlib.import_module("crowdkit.aggregation")
    frame = pandas.DataFrame({"worker": data.workers, "task": data.tasks, "label": data.labels})
    start = time.perf_counter()
    series = ck.DawidSkene().fit_predict(frame)
    seconds = round(time.perf_counter() - start, 3)
    predicted = series.reindex(np.arange(data.truth.size)).to_numpy()
    accuracy = round(float(np.mean(predicted == data.truth)), 4)
    queue.put({"fit_seconds": seconds, "accuracy": accuracy})


def scale_crowdkit(data: Synthetic, limit: float) -> dict[str, Any]:
    """crowd-kit's Dawid-Skene in a forked process, killed after ``limit`` seconds."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_crowdkit_scale_child, args=(data, queue))
    child.start()
    child.join(limit)
    if child.is_alive():
        child.terminate()
        child.join()
        return {"error": f"did not finish within {limit:g} s"}
    return dict(queue.get()) if not queue.empty() else {"error": f"exit code {child.exitcode}"}


def bench_scale(ck: Any | None, args: argparse.Namespace) -> dict[str, Any]:
    start = time.perf_counter()
    data = synthetic(args.seed, args.scale_tasks, args.scale_per_task, args.scale_workers)
    out: dict[str, Any] = {
        "judgments": int(data.labels.size),
        "tasks": int(data.truth.size),
        "workers": data.n_workers,
        "labels": data.n_labels,
        "seed": args.seed,
        "generate_seconds": round(time.perf_counter() - start, 3),
    }
    if args.only != "crowdkit":
        out["ours"] = scale_ours(data, args)
    if ck is not None and args.crowdkit_scale > 0:
        out["crowdkit_ds"] = scale_crowdkit(data, args.crowdkit_scale)
    ours_s = out.get("ours", {}).get("ds", {}).get("fit_seconds")
    ck_s = out.get("crowdkit_ds", {}).get("fit_seconds")
    if ours_s and ck_s:
        out["ds_speedup"] = round(ck_s / ours_s, 1)
    return out


def versions(ck: Any | None) -> dict[str, str | None]:
    names = ["numpy", "scipy", "expertloop"]
    names += ["crowd-kit", "pandas", "scikit-learn"] if ck is not None else []
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def _cell(entry: dict[str, Any], key: str) -> str:
    if "error" in entry:
        return "-"
    value = entry.get(key)
    return "-" if value is None else f"{value:.3f}" if "seconds" in key else f"{value:.4f}"


def table(report: dict[str, Any]) -> str:
    lines = [
        "dataset        method   ours fit ck fit   x fit    ours all ck all   x all    "
        "ours acc ck acc   ours F1  ck F1"
    ]
    for name, result in report["datasets"].items():
        for method, entry in result["methods"].items():
            sides = entry.get("ours", {}), entry.get("crowdkit", {})
            cells = [_cell(sides[0], "fit_seconds"), _cell(sides[1], "seconds")]
            cells += [str(entry.get("speedup_fit", "-"))]
            cells += [_cell(sides[0], "seconds"), _cell(sides[1], "total_seconds")]
            cells += [str(entry.get("speedup_total", "-"))]
            cells += [_cell(side, key) for key in ("accuracy", "minority_f1") for side in sides]
            notes = " ".join(side["error"] for side in sides if "error" in side)
            lines.append(f"{name:<14} {method:<8} " + " ".join(f"{c:<8}" for c in cells) + notes)
    scale = report.get("scale", {})
    for key in ("ours", "crowdkit_ds", "ds_speedup"):
        if key in scale:
            lines.append(
                f"scale ({scale['judgments']:,} judgments) {key}: {json.dumps(scale[key])}"
            )
    return "\n".join(lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3, help="runs per method; best is kept")
    parser.add_argument("--budget", type=float, default=30.0, help="stop repeating after this")
    parser.add_argument("--only", choices=["ours", "crowdkit"], help="run one side only")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--datasets", nargs="*", choices=DATASETS, default=list(DATASETS))
    parser.add_argument("--no-scale", action="store_true", help="skip the synthetic scale run")
    parser.add_argument("--scale-tasks", type=int, default=50_000)
    parser.add_argument("--scale-per-task", type=int, default=20)
    parser.add_argument("--scale-workers", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument(  # 0: skip
        "--crowdkit-scale", type=float, default=0.0, metavar="SECONDS", help="crowd-kit DS cap"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    ck = None if args.only == "ours" else crowdkit_module()
    if args.only == "crowdkit" and ck is None:
        print("crowd-kit is not importable", file=sys.stderr)
        return 2
    report: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "cores": os.cpu_count(),
        "versions": versions(ck),
        "repeat": args.repeat,
        "budget_seconds": args.budget,
        "timed": "best of repeats; ours = Answers.from_rows + fit + codes to names; "
        "crowd-kit = fit_predict on a DataFrame; CSV loading excluded",
        "datasets": {name: bench_dataset(load_dataset(name), ck, args) for name in args.datasets},
    }
    if not args.no_scale:
        report["scale"] = bench_scale(ck, args)
    print(table(report), file=sys.stderr)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
