"""Test data the agreement tests share: the real datasets of shared/data as rows, and
Krippendorff's published example."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

DATA = Path(__file__).parents[3].parent / "shared/data"
N = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers
# (rows A-D) x 12 units, values 1-5, None where an observer gave no value. Unit 12 has a
# single value and cannot be paired.
PAPER = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


def read_rows(name: str) -> list[tuple[str, str, str]]:
    """A dataset's answers as (unit, coder, value) strings; skips the test without the file."""
    path = DATA / name / "answers.csv"
    if not path.exists():
        pytest.skip(f"{path} is not there")
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row["task"], row["worker"], row["label"]) for row in csv.DictReader(handle)]
