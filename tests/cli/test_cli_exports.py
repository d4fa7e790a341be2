"""`expertloop export PROJECT --format ...` on a real database: judgments through the queue,
consensus by the worker's refresh, then each format as JSONL, Parquet and a ``datasets``
directory with its card; filters and options change the rows; bad input exits 1 naming the
field; without --format the raw judgments come out as before."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from expertloop.services.items import import_items
from expertloop.services.judgments import stream_judgments
from expertloop.store import Database
from export_jobs_kit import judged_pairwise_project
from judging import judge_all

ACCEPTED = {"agreed", "adjudicated"}
LEGACY_KEYS = {
    "judgment_id",
    "project_id",
    "item_id",
    "external_id",
    "expert_id",
    "value",
    "rationale",
    "guideline_version",
    "active_seconds",
    "created_at",
}


def _project_of(
    client: Any, factory: Any, database: Database, kind: str, rows: list[dict[str, Any]], value: Any
) -> int:
    """A ``kind`` project with ``rows`` as items, each judged by one expert with ``value``."""
    project_id = factory.project(kind=kind)
    with database.scoped() as session:
        import_items(
            session=session, actor=None, project_id=project_id, rows=rows, now=factory.clock()
        )
    judge_all(client, factory.user("expert"), project_id, value)
    return project_id


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _export(cli: Any, project_id: int, out: Path, *args: str) -> list[dict[str, Any]]:
    result = cli("export", str(project_id), "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    return _read_jsonl(out)


def _same_rows(parquet: list[dict[str, Any]], jsonl: list[dict[str, Any]]) -> None:
    """Parquet rows hold what the JSONL rows hold (``value`` as a JSON string)."""
    assert len(parquet) == len(jsonl)
    for stored, shaped in zip(parquet, jsonl, strict=True):
        for key, expected in shaped.items():
            if key == "provenance":
                got = stored[key]
                assert (got["item_id"], got["external_id"]) == (
                    expected["item_id"],
                    expected["external_id"],
                )
                assert [e["id"] for e in got["experts"]] == [e["id"] for e in expected["experts"]]
            elif key == "value":
                assert json.loads(stored[key]) == expected
            else:
                assert stored[key] == expected, key


@pytest.mark.parametrize("fmt", ["preference", "kto", "raw"])
def test_export_pairwise_formats_as_jsonl_and_parquet_with_cards(
    cli: Any, client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path, fmt: str
) -> None:
    project_id = judged_pairwise_project(client, factory, database, clock)
    out = tmp_path / f"{fmt}.jsonl"
    result = cli("export", str(project_id), "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = _read_jsonl(out)
    card = tmp_path / f"{fmt}.README.md"
    assert result.stderr == (
        f"exported {len(rows)} rows ({fmt}, jsonl) of project {project_id} to {out}; card: {card}\n"
    )
    expected_rows = {"preference": 3, "kto": 6, "raw": 12 + 4}[fmt]
    assert len(rows) == expected_rows
    text = card.read_text(encoding="utf-8")
    assert "license: other" in text
    items = {"preference": 3, "kto": 3, "raw": 4}[fmt]  # the tie gives no training rows
    assert f"| rows | items | experts |\n|---|---|---|\n| {expected_rows} | {items} | 3 |" in text
    assert all(str(r["provenance"]["external_id"]).startswith("q") for r in rows)

    parquet = tmp_path / f"{fmt}.parquet"
    result = cli("export", str(project_id), "--format", fmt, "--out", str(parquet))
    assert result.exit_code == 0, result.output
    assert f"({fmt}, parquet)" in result.stderr
    _same_rows(pq.read_table(parquet).to_pylist(), rows)
    assert (tmp_path / f"{fmt}.README.md").exists()


def test_export_preference_rows_carry_margin_and_pseudonymous_provenance(
    cli: Any, client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    project_id = judged_pairwise_project(client, factory, database, clock)
    rows = _export(cli, project_id, tmp_path / "dpo.jsonl", "--format", "dpo", "--margin")
    assert [r["provenance"]["external_id"] for r in rows] == ["q0", "q1", "q2"]  # tie: no row
    assert (rows[0]["chosen"], rows[0]["rejected"]) == (
        "Answer A to question 0",
        "Answer B to question 0",
    )
    assert rows[2]["chosen"] == "Answer B to question 2"
    assert {r["margin"] for r in rows} == {2.0}
    experts = {e["id"] for r in rows for e in r["provenance"]["experts"]}
    assert len(experts) == 3 and all(e.startswith("e-") for e in experts)
    again = _export(cli, project_id, tmp_path / "again.jsonl", "--format", "preference")
    assert experts == {e["id"] for r in again for e in r["provenance"]["experts"]}
    assert "margin" not in again[0]


def test_export_options_change_the_rows(
    cli: Any, client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    project_id = judged_pairwise_project(client, factory, database, clock)
    per_judgment = _export(
        cli, project_id, tmp_path / "pj.jsonl", "--format", "dpo", "--per-judgment"
    )
    assert len(per_judgment) == 9  # three experts, three items that are not ties
    assert {r["provenance"]["judgments"] for r in per_judgment} == {1}
    chat = _export(cli, project_id, tmp_path / "chat.jsonl", "--format", "dpo", "--conversational")
    assert chat[0]["prompt"] == [{"role": "user", "content": chat[0]["prompt"][0]["content"]}]
    assert chat[0]["chosen"] == [{"role": "assistant", "content": "Answer A to question 0"}]
    out = tmp_path / "kto.jsonl"
    _export(cli, project_id, out, "--format", "kto", "--license", "cc-by-4.0")
    assert "license: cc-by-4.0" in (tmp_path / "kto.README.md").read_text(encoding="utf-8")


def test_export_filters_change_the_rows(
    cli: Any, client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    project_id = judged_pairwise_project(client, factory, database, clock)
    out = tmp_path / "rows.jsonl"

    def export(*args: str) -> list[dict[str, Any]]:
        return _export(cli, project_id, out, "--format", "kto", *args)

    every = export()
    assert len(every) == 6
    accepted = [r for r in every if r["provenance"]["consensus_state"] in ACCEPTED]
    assert export("--accepted-only") == accepted
    confidences = sorted(r["provenance"]["confidence"] for r in every)
    middle = confidences[len(confidences) // 2]
    sure = [r for r in every if r["provenance"]["confidence"] >= middle]
    assert export("--min-confidence", str(middle)) == sure
    assert export("--guideline-version", "2") == []
    assert export("--guideline-version", "1", "--guideline-version", "2") == every
    assert export("--metadata", "source=other") == []
    assert export("--metadata", "source=test") == every
    tomorrow, yesterday = clock() + timedelta(days=1), clock() - timedelta(days=1)
    assert export("--since", tomorrow.isoformat()) == []
    assert export("--until", yesterday.isoformat()) == []
    assert export("--since", yesterday.isoformat(), "--until", tomorrow.isoformat()) == every


def test_export_sft_and_stepwise_from_their_kinds(
    cli: Any, client: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    model_answer = "The capital of Australia is Sydney."
    fixed = "The capital of Australia is Canberra."
    correction = _project_of(
        client,
        factory,
        database,
        "correction",
        [
            {
                "external_id": "c1",
                "prompt": "Capital of Australia?",
                "responses": [{"id": "A", "text": model_answer, "model": "m1"}],
            }
        ],
        lambda ext: {"edited": fixed, "error_types": ["factual"]},
    )
    sft = _export(cli, correction, tmp_path / "sft.jsonl", "--format", "sft")
    assert [(r["prompt"], r["completion"]) for r in sft] == [("Capital of Australia?", fixed)]
    parquet = tmp_path / "sft.parquet"
    assert cli("export", str(correction), "--format", "sft", "--out", str(parquet)).exit_code == 0
    _same_rows(pq.read_table(parquet).to_pylist(), sft)

    steps = ["2 + 2 = 4", "4 * 3 = 13", "So 13."]
    stepwise = _project_of(
        client,
        factory,
        database,
        "step_review",
        [{"external_id": "s1", "prompt": "(2 + 2) * 3?", "data": {"steps": steps}}],
        lambda ext: {"steps": [{"label": "correct"}, {"label": "incorrect"}, {"label": "correct"}]},
    )
    rows = _export(cli, stepwise, tmp_path / "prm.jsonl", "--format", "prm")
    assert [(r["completions"], r["labels"]) for r in rows] == [(steps[:2], [True, False])]
    parquet = tmp_path / "prm.parquet"
    assert cli("export", str(stepwise), "--format", "prm", "--out", str(parquet)).exit_code == 0
    _same_rows(pq.read_table(parquet).to_pylist(), rows)


def test_export_a_datasets_directory_loads_with_load_from_disk(
    cli: Any, client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    datasets = pytest.importorskip("datasets")
    project_id = judged_pairwise_project(client, factory, database, clock)
    rows = _export(cli, project_id, tmp_path / "kto.jsonl", "--format", "kto")
    target = tmp_path / "kto-dataset"
    result = cli("export", str(project_id), "--format", "kto", "--out", str(target))
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"exported 6 rows (kto, dataset) of project {project_id} to {target}; "
        f"card: {target / 'README.md'}\n"
    )
    loaded = datasets.load_from_disk(str(target))
    assert loaded.num_rows == 6
    assert loaded["label"] == [r["label"] for r in rows]
    assert loaded["completion"] == [r["completion"] for r in rows]
    assert "KTOTrainer" in (target / "README.md").read_text(encoding="utf-8")


def test_export_jsonl_to_stdout_writes_no_card(
    cli: Any, client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    project_id = judged_pairwise_project(client, factory, database, clock)
    result = cli("export", str(project_id), "--format", "dpo", "--out", "-")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == _export(cli, project_id, tmp_path / "dpo.jsonl", "--format", "dpo")
    assert result.stderr == (
        f"exported 3 rows (preference, jsonl) of project {project_id} to stdout; "
        "no card (a card is written only beside a file: use --out PATH)\n"
    )


def test_export_without_format_keeps_the_raw_judgments_jsonl(
    cli: Any, client: Any, factory: Any, database: Database, clock: Any
) -> None:
    project_id = judged_pairwise_project(client, factory, database, clock)
    with database.scoped() as session:
        expected = list(stream_judgments(session=session, actor=None, project_id=project_id))
    result = cli("export", str(project_id))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines == expected and len(lines) == 12
    assert {frozenset(line) for line in lines} == {frozenset(LEGACY_KEYS)}
    assert result.stderr == f"exported 12 judgments of project {project_id}\n"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--format", "nope", "--out", "x.jsonl"], "format"),
        (["--format", "stepwise", "--out", "x.jsonl"], "format"),
        (["--format", "sft", "--out", "x.jsonl"], "format"),
        (["--format", "raw"], "out"),
        (["--format", "raw", "--out", "-", "--file-format", "parquet"], "out"),
        (["--format", "raw", "--out", "x.txt"], "file_format"),
        (["--format", "raw", "--out", "x.jsonl", "--file-format", "csv"], "file_format"),
        (
            ["--format", "raw", "--out", "x.jsonl", "--min-confidence", "2"],
            "filters.min_confidence",
        ),
        (
            ["--format", "raw", "--out", "x.jsonl", "--min-confidence", "high"],
            "filters.min_confidence",
        ),
        (["--format", "raw", "--out", "x.jsonl", "--since", "yesterday"], "filters.since"),
        (["--format", "raw", "--out", "x.jsonl", "--since", "2026-01-01"], "filters.since"),
        (
            [
                "--format",
                "raw",
                "--out",
                "x.jsonl",
                "--since",
                "2026-02-01T00:00:00Z",
                "--until",
                "2026-01-01T00:00:00Z",
            ],
            "filters.until",
        ),
        (
            ["--format", "raw", "--out", "x.jsonl", "--guideline-version", "v1"],
            "filters.guideline_versions",
        ),
        (
            ["--format", "raw", "--out", "x.jsonl", "--guideline-version", "0"],
            "filters.guideline_versions",
        ),
        (["--format", "raw", "--out", "x.jsonl", "--metadata", "source"], "filters.metadata"),
        (
            ["--format", "kto", "--out", "x.jsonl", "--kto-threshold", "four"],
            "options.kto_threshold",
        ),
        (["--accepted-only"], "format"),
        (["--out", "x.parquet", "--file-format", "parquet"], "format"),
        (["--format", "raw", "--out", "missing/x.jsonl"], "path"),
    ],
)
def test_export_bad_input_exits_1_naming_the_field(
    cli: Any,
    factory: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    field: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    project_id = factory.project(kind="pairwise", items=2)
    result = cli("export", str(project_id), *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error [")
    assert f"]: {field}: " in result.stderr.splitlines()[0], result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_export_a_wrong_format_for_the_kind_names_the_usable_ones(
    cli: Any, factory: Any, tmp_path: Path
) -> None:
    project_id = factory.project(kind="label", items=1)
    result = cli("export", str(project_id), "--format", "dpo", "--out", str(tmp_path / "x.jsonl"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "error [export.invalid]: format: a label project exports as raw, not preference"
    )


def test_export_of_an_unknown_project_exits_1(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    result = cli("export", "424242", "--format", "raw", "--out", str(out))
    assert result.exit_code == 1
    assert "project.not_found" in result.stderr
    assert not out.exists()


def test_export_dataset_without_the_datasets_extra_exits_1(
    cli: Any, factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "datasets", None)  # import datasets raises ImportError
    project_id = factory.project(kind="pairwise", items=1)
    target = tmp_path / "ds"
    result = cli("export", str(project_id), "--format", "raw", "--out", str(target))
    assert result.exit_code == 1
    assert result.stderr.startswith("error [export.needs_datasets]: ")
    assert "pip install 'expertloop[datasets]'" in result.stderr
    assert not target.exists()
