"""``expertloop aggregate FILE --method M``: truth inference on a CSV of answers (or, with
``--method bt``, a ranking from pairwise judgments), no database."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Protocol, TextIO

import numpy as np
import typer

from expertloop.cli import aggregate_pairs
from expertloop.cli.data import output_stream
from expertloop.core.aggregation.answers import Answers, LabelResult
from expertloop.core.aggregation.dawid_skene import DawidSkene
from expertloop.core.aggregation.glad import GLAD
from expertloop.core.aggregation.mace import MACE
from expertloop.core.aggregation.majority_vote import MajorityVote
from expertloop.core.aggregation.one_coin import OneCoinDawidSkene

COLUMNS = ("worker", "task", "label")
BAD_ROW_EXIT = 2


class LabelMethod(Protocol):
    def fit(self, answers: Answers) -> LabelResult: ...


# name -> factory taking the --seed; methods that sample get np.random.default_rng(seed)
METHODS: dict[str, Callable[[int], LabelMethod]] = {
    "mv": lambda seed: MajorityVote(),
    "ds": lambda seed: DawidSkene(),
    "onecoin": lambda seed: OneCoinDawidSkene(),
    "glad": lambda seed: GLAD(),
    "mace": lambda seed: MACE(rng=np.random.default_rng(seed)),
}
PAIRWISE = "bt"  # Bradley-Terry over worker,left,right,winner rows: aggregate_pairs
NAMES = ", ".join([*METHODS, PAIRWISE])


def register(app: typer.Typer) -> None:
    """Add ``aggregate`` to ``app``."""
    app.command("aggregate")(aggregate)


def aggregate(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="CSV with the header worker,task,label (bt: worker,left,right,winner).",
        ),
    ],
    method: Annotated[str, typer.Option("--method", "-m", help=f"One of: {NAMES}.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file (default: stdout).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of methods that sample.")] = 0,
) -> None:
    """Infer each task's label from the answers; write task,label,confidence as CSV."""
    if method == PAIRWISE:
        write_pairwise_ranking(file, out)
        return
    factory = METHODS.get(method)
    if factory is None:
        raise typer.BadParameter(
            f"unknown method {method!r}; choose one of: {NAMES}", param_hint="'--method'"
        )
    rows = read_answers(file)
    answers = Answers.from_rows(rows)
    result = factory(seed).fit(answers)
    with output_stream(out) as stream:
        write_labels(stream, answers, result, tasks=list(dict.fromkeys(row[1] for row in rows)))


def write_pairwise_ranking(file: Path, out: Path | None) -> None:
    """``--method bt``: rank items from pairwise judgments, exit 2 on a bad row."""
    ranking = io.StringIO()
    try:
        aggregate_pairs.write_ranking(file, ranking)
    except ValueError as error:
        raise bad_row(str(error)) from None
    with output_stream(out) as stream:
        stream.write(ranking.getvalue())


def read_answers(path: Path) -> list[tuple[str, str, str]]:
    """The ``(worker, task, label)`` rows of a CSV file, every cell a string; exit 2 on the first
    missing column, empty field or unreadable content, naming the row (the header is row 1)."""
    rows: list[tuple[str, str, str]] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in COLUMNS if column not in (reader.fieldnames or ())]
            if missing:
                raise bad_row(f"row 1: the header lacks the field(s) {', '.join(missing)}")
            for record in reader:
                worker, task, label = (
                    _field(record, column, reader.line_num) for column in COLUMNS
                )
                rows.append((worker, task, label))
    except (UnicodeDecodeError, csv.Error) as error:
        raise bad_row(f"{path.name}: not a readable UTF-8 CSV file: {error}") from None
    return rows


def _field(record: dict[str, str | None], column: str, row: int) -> str:
    value = record.get(column)
    if value is None or not value.strip():
        raise bad_row(f"row {row}: field {column!r} is empty")
    return value


def bad_row(message: str) -> typer.Exit:
    """Print ``message`` as an input error and return the exit (status 2) to raise."""
    typer.secho(f"error [answers.invalid]: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=BAD_ROW_EXIT)


def write_labels(
    stream: TextIO, answers: Answers, result: LabelResult, *, tasks: list[str]
) -> None:
    """One ``task,label,confidence`` row per task, in the order of ``tasks``."""
    codes = {name: code for code, name in enumerate(answers.task_names)}
    labels, confidence = result.labels, result.confidence
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(("task", "label", "confidence"))
    for task in tasks:
        code = codes[task]
        writer.writerow((task, answers.label_names[labels[code]], f"{confidence[code]:.4f}"))
