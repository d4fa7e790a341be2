"""``expertloop aggregate FILE --method M``: CSV of answers in, task,label,confidence out."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from expertloop.cli.aggregate import METHODS
from expertloop.cli.main import app

TOY = Path(__file__).parents[2].parent / "shared/data/crowdkit_toy"


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["aggregate", *args], catch_exceptions=False)


def write(tmp_path: Path, text: str, name: str = "answers.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def table(text: str) -> dict[str, tuple[str, str]]:
    return {
        row["task"]: (row["label"], row["confidence"]) for row in csv.DictReader(io.StringIO(text))
    }


def test_aggregate_mv_writes_vote_shares_in_first_seen_task_order(tmp_path: Path) -> None:
    # t2: b, b, a -> b at 2/3; t1: a, b -> a tie, won by b, the label seen first
    path = write(tmp_path, "worker,task,label\nw1,t2,b\nw2,t2,b\nw3,t2,a\nw1,t1,a\nw2,t1,b\n")
    result = run(str(path), "--method", "mv")
    assert result.exit_code == 0, result.output
    assert result.stdout == "task,label,confidence\nt2,b,0.6667\nt1,b,0.5000\n"


def test_aggregate_keeps_the_last_of_repeated_answers_and_the_first_seen_order(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "worker,task,label\nw1,t1,a\nw1,t2,b\nw1,t1,b\n")
    assert run(str(path), "-m", "mv").stdout == "task,label,confidence\nt1,b,1.0000\nt2,b,1.0000\n"


def test_aggregate_ds_matches_every_task_of_crowdkit_toy() -> None:
    result = run(str(TOY / "answers.csv"), "--method", "ds")
    assert result.exit_code == 0
    inferred = table(result.stdout)
    with (TOY / "truth.csv").open(newline="", encoding="utf-8") as handle:
        truth = {row["task"]: row["label"] for row in csv.DictReader(handle)}
    assert list(inferred) == ["t1", "t2", "t3", "t4", "t5"]
    assert {task: label for task, (label, _) in inferred.items()} == truth
    assert all(len(confidence.split(".")[1]) == 4 for _, confidence in inferred.values())


@pytest.mark.parametrize("method", list(METHODS))
def test_aggregate_runs_every_label_method(method: str) -> None:
    result = run(str(TOY / "answers.csv"), "--method", method, "--seed", "3")
    assert result.exit_code == 0, result.output
    rows = table(result.stdout)
    assert list(rows) == ["t1", "t2", "t3", "t4", "t5"]
    assert all(0.0 <= float(confidence) <= 1.0 for _, confidence in rows.values())
    assert run(str(TOY / "answers.csv"), "--method", method, "--seed", "3").stdout == result.stdout


def test_aggregate_writes_to_out(tmp_path: Path) -> None:
    out = tmp_path / "labels.csv"
    result = run(str(TOY / "answers.csv"), "--method", "onecoin", "--out", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("task,label,confidence\nt1,yes,")


def test_aggregate_bt_ranks_pairwise_judgments(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "worker,left,right,winner\nw1,A,B,left\nw2,A,B,left\nw1,B,C,left\nw2,A,C,tie\n",
        name="pairs.csv",
    )
    result = run(str(path), "--method", "bt")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "item,score,low,high"
    assert lines[1].startswith("A,")


def test_aggregate_bt_bad_row_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, "worker,left,right,winner\nw1,A,B,\n", name="pairs.csv")
    result = run(str(path), "--method", "bt")
    assert result.exit_code == 2
    assert "row 2" in result.stderr and "winner" in result.stderr


def test_aggregate_unknown_method_lists_the_valid_ones() -> None:
    result = run(str(TOY / "answers.csv"), "--method", "nope")
    assert result.exit_code == 2
    message = " ".join(re.sub("[│╭╮╰╯─]", " ", result.stderr).split())  # unwrap the box
    assert "Invalid value for '--method': unknown method 'nope'; choose one of: " in message
    assert "mv, ds, onecoin, glad, mace, bt" in message


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("worker,task\nw1,t1\n", "row 1: the header lacks the field(s) label"),
        ("task,label\nt1,a\n", "row 1: the header lacks the field(s) worker"),
        ("worker,task,label\nw1,t1,a\nw2,t1,\n", "row 3: field 'label' is empty"),
        ("worker,task,label\nw1,t1,a\n,t1,b\n", "row 3: field 'worker' is empty"),
        ("worker,task,label\nw1,t1,a\n\nw2,t1\n", "row 4: field 'label' is empty"),
        ("worker,task,label\nw1, ,a\n", "row 2: field 'task' is empty"),
    ],
    ids=["no label column", "no worker column", "empty label", "empty worker", "short row",
         "blank task"],
)  # fmt: skip
def test_aggregate_bad_rows_exit_2_naming_row_and_field(
    tmp_path: Path, text: str, where: str
) -> None:
    result = run(str(write(tmp_path, text)), "--method", "ds")
    assert result.exit_code == 2
    assert f"error [answers.invalid]: {where}" in result.stderr
    assert result.stdout == ""


def test_aggregate_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_bytes(b"worker,task,label\nw1,t1,\xff\xfe\n")
    result = run(str(path), "--method", "mv")
    assert result.exit_code == 2
    assert "not a readable UTF-8 CSV file" in result.stderr


def test_aggregate_bad_row_leaves_no_out_file(tmp_path: Path) -> None:
    out = tmp_path / "labels.csv"
    bad = write(tmp_path, "worker,task,label\nw1,t1,\n")
    assert run(str(bad), "--method", "mv", "--out", str(out)).exit_code == 2
    assert not out.exists()


def test_aggregate_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run(str(tmp_path / "absent.csv"), "--method", "mv")
    assert result.exit_code == 2
