"""Test helpers: the crowd datasets of shared/data as ``Answers`` with their truth, scores, and
small hand-made answer sets shared by the label methods' tests."""

from __future__ import annotations

import csv
from collections.abc import Callable, Hashable
from pathlib import Path

import numpy as np

from expertloop.core.aggregation.answers import Answers, LabelResult

DATA = Path(__file__).parents[3].parent / "shared" / "data"

Row = tuple[str, str, str]


def rows_of(worker: str, labels: str) -> list[Row]:
    """``worker`` answers task ``t<i>`` with the ``i``-th letter of ``labels``."""
    return [(worker, f"t{i}", label) for i, label in enumerate(labels)]


# Three reliable workers who always give the truth, and a spammer who always says "a".
TRUTH = ["a", "b", "a", "b", "b", "a"]
RELIABLE: list[Row] = [
    (worker, f"t{i}", label) for i, label in enumerate(TRUTH) for worker in ("w1", "w2", "w3")
]
CONSTANT_SPAMMER: list[Row] = [("w4", f"t{i}", "a") for i in range(len(TRUTH))]


def read_rows(path: Path) -> list[dict[str, str]]:
    """Every CSV row as a dict of strings."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load(name: str) -> tuple[Answers, dict[str, str]]:
    """A dataset's answers and its truth (task -> label), every value a string."""
    rows = read_rows(DATA / name / "answers.csv")
    answers = Answers.from_rows((row["worker"], row["task"], row["label"]) for row in rows)
    truth = {row["task"]: row["label"] for row in read_rows(DATA / name / "truth.csv")}
    return answers, truth


def predicted(answers: Answers, result: LabelResult) -> dict[str, str]:
    """Task name -> inferred label name."""
    return {
        str(answers.task_names[task]): str(answers.label_names[label])
        for task, label in enumerate(result.labels)
    }


def named_labels(answers: Answers, result: LabelResult) -> list[Hashable]:
    """The inferred label of each task, by name."""
    return [answers.label_names[code] for code in result.labels]


def accuracy(answers: Answers, result: LabelResult, truth: dict[str, str]) -> float:
    """Share of the truth's tasks (those that have answers) whose label was inferred right."""
    guess = predicted(answers, result)
    scored = [task for task in truth if task in guess]
    return float(np.mean([guess[task] == truth[task] for task in scored]))


def fit_accuracy(dataset: str, fit: Callable[[Answers], LabelResult]) -> tuple[float, LabelResult]:
    """``fit`` on a dataset: its accuracy against the truth, and the result."""
    answers, truth = load(dataset)
    result = fit(answers)
    return accuracy(answers, result, truth), result


def f1(answers: Answers, result: LabelResult, truth: dict[str, str], label: str) -> float:
    """F1 of one label over the truth's tasks that have answers."""
    guess = predicted(answers, result)
    pairs = [(guess[task] == label, truth[task] == label) for task in truth if task in guess]
    hits = sum(said and right for said, right in pairs)
    said_count = sum(said for said, _ in pairs)
    true_count = sum(right for _, right in pairs)
    return 2 * hits / (said_count + true_count)


def snapshot(answers: Answers) -> list[list[object]]:
    """Copies of the code arrays and names, to check that a method left them alone."""
    arrays = (answers.workers, answers.tasks, answers.labels)
    names = (answers.worker_names, answers.task_names, answers.label_names)
    return [list(array.tolist()) for array in arrays] + [list(values) for values in names]


def unchanged(answers: Answers, before: list[list[object]]) -> bool:
    return snapshot(answers) == before
