"""Rank items from a CSV of pairwise judgments with Bradley-Terry (``aggregate --method bt``).

Input: a CSV file with a header naming at least ``worker,left,right,winner`` (other columns are
ignored), one judgment per row, ``winner`` being ``left``, ``right`` or ``tie``. Output: CSV
``item,score,low,high``, best first, where score is the Bradley-Terry log-strength (centred)
and low/high its 95% interval, to 4 decimals. Errors name the row as a spreadsheet shows it
(the header is row 1) and the field.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from expertloop.core.aggregation.bradley_terry import (
    WINNER_OUTCOMES,
    BradleyTerry,
    BradleyTerryResult,
    Comparisons,
)

COLUMNS = ("worker", "left", "right", "winner")
OUTPUT_COLUMNS = ("item", "score", "low", "high")


def _judgments(lines: Iterator[str]) -> Iterator[tuple[str, str, str]]:
    """``(left, right, winner)`` per data row, checked."""
    reader = csv.DictReader(lines)
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"row 1: the header lacks the field(s) {', '.join(missing)}")
    for number, row in enumerate(reader, start=2):
        values = {column: (row.get(column) or "").strip() for column in COLUMNS}
        for column in COLUMNS:
            if not values[column]:
                raise ValueError(f"row {number}: field {column!r} is empty")
        if values["winner"] not in WINNER_OUTCOMES:
            raise ValueError(
                f"row {number}: field 'winner' must be left, right or tie, not {values['winner']!r}"
            )
        if values["left"] == values["right"]:
            raise ValueError(f"row {number}: field 'right' repeats 'left' ({values['left']!r})")
        yield values["left"], values["right"], values["winner"]


def rank_pairs(path: Path) -> BradleyTerryResult:
    """Fit Bradley-Terry (default prior) to the judgments in ``path``.

    Raises:
        ValueError: a bad header or row (naming row and field), text that is not UTF-8 or
            not CSV, or no judgments.
        OSError: the file cannot be read.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(_judgments(iter(handle)))
    except csv.Error as error:
        raise ValueError(f"{path.name} is not a readable CSV file: {error}") from None
    if not rows:
        raise ValueError("the file holds no judgments")
    return BradleyTerry().fit(Comparisons.from_rows(rows))


def write_ranking(path: Path, out: TextIO) -> None:
    """Read ``worker,left,right,winner`` judgments from ``path`` and write
    ``item,score,low,high`` rows to ``out``, best first.

    Raises:
        ValueError: a bad header or row (the message names the row and field), or no rows.
        OSError: the file cannot be read.
    """
    result = rank_pairs(path)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    for code in result.order():
        writer.writerow(
            [
                result.item_names[code],
                _decimal(result.scores[code]),
                _decimal(result.low[code]),
                _decimal(result.high[code]),
            ]
        )


def _decimal(value: float) -> str:
    """Four decimals, without a "-0.0000" for values that round to zero."""
    return f"{round(float(value), 4) + 0.0:.4f}"
