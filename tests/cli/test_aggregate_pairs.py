"""``write_ranking``: a CSV of pairwise judgments in, a Bradley-Terry ranking out."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest

from expertloop.cli.aggregate_pairs import write_ranking

HEADER = "worker,left,right,winner\n"


def _ranking(tmp_path: Path, text: str) -> list[dict[str, str]]:
    path = tmp_path / "pairs.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    write_ranking(path, out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_two_items_are_ranked_with_four_decimals(tmp_path: Path) -> None:
    text = HEADER + "w1,a,b,left\nw2,a,b,left\nw3,b,a,right\nw1,a,b,right\n"
    rows = _ranking(tmp_path, text)
    assert [row["item"] for row in rows] == ["a", "b"]
    assert list(rows[0]) == ["item", "score", "low", "high"]
    assert all(len(row[key].split(".")[1]) == 4 for row in rows for key in ("score", "low", "high"))
    # 3 wins vs 1 with the default prior: a little under ln 3 / 2 each side of 0
    score = float(rows[0]["score"])
    assert 0.5 < score < math.log(3) / 2
    assert float(rows[1]["score"]) == pytest.approx(-score, abs=1e-4)
    assert float(rows[0]["low"]) < score < float(rows[0]["high"])


def test_a_chain_with_ties_is_ranked_best_first(tmp_path: Path) -> None:
    text = (
        "winner,right,left,worker,note\n"  # any column order; extra columns ignored
        "left,low,mid,w1,x\nleft,mid,top,w2,\nleft,low,top,w1,\ntie,mid,top,w3,\n"
        "right,mid,low,w2,\n"
    )
    rows = _ranking(tmp_path, text)
    assert [row["item"] for row in rows] == ["top", "mid", "low"]


def test_equal_items_print_zero_without_a_sign(tmp_path: Path) -> None:
    rows = _ranking(tmp_path, HEADER + "w1,a,b,tie\n")
    assert [row["score"] for row in rows] == ["0.0000", "0.0000"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("worker,left,winner\nw,a,left\n", "row 1: the header lacks the field.* right"),
        (HEADER + "w,a,b,left\nw,a,b,A\n", "row 3: field 'winner' must be left, right or tie"),
        (HEADER + "w,a,b,left\n,a,b,left\n", "row 3: field 'worker' is empty"),
        (HEADER + "w,a,,left\n", "row 2: field 'right' is empty"),
        (HEADER + "w,a,b\n", "row 2: field 'winner' is empty"),
        (HEADER + "w,a,a,left\n", "row 2: field 'right' repeats 'left'"),
        (HEADER, "no judgments"),
        ("", "row 1: the header lacks"),
    ],
)
def test_bad_rows_name_the_row_and_field(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _ranking(tmp_path, text)


def test_text_that_is_not_utf8_is_a_value_error(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_bytes(HEADER.encode() + b"w,\xff,b,left\n")
    with pytest.raises(ValueError):
        write_ranking(path, io.StringIO())


def test_the_input_file_is_left_as_it_was(tmp_path: Path) -> None:
    text = HEADER + "w1,a,b,left\nw2,b,c,left\nw3,c,a,right\n"
    path = tmp_path / "pairs.csv"
    path.write_text(text, encoding="utf-8")
    write_ranking(path, io.StringIO())
    assert path.read_text(encoding="utf-8") == text
