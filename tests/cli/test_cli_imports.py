"""`expertloop import` of Parquet, saved Hugging Face datasets, Label Studio exports, `--map`
and preference rows, on a real database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from expertloop.store import Database
from expertloop.store.items import iter_items

HH_PAIRS = Path(__file__).parents[3] / "shared" / "data" / "hh_rlhf_sample" / "pairs.jsonl"
PAIR = [{"id": "A", "text": "IM adrenaline", "model": "m1"}, {"id": "B", "text": "Cetirizine"}]


def stored(database: Database, project_id: int) -> list[dict[str, Any]]:
    with database.scoped() as session:
        items = [
            {
                "external_id": i.external_id,
                "prompt": i.prompt,
                "context": i.context,
                "responses": i.responses,
                "data": i.data,
                "metadata": i.metadata_,
                "priority": i.priority,
            }
            for i in iter_items(session, project_id)
        ]
    return sorted(items, key=lambda i: str(i["external_id"]))


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=2)
    return path


def test_import_parquet_reads_item_rows(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    project_id = factory.project(kind="pairwise")
    rows = [
        {"external_id": f"p{n}", "prompt": f"Question {n}", "context": None, "responses": PAIR}
        for n in range(5)
    ]
    rows[1]["context"] = "ED triage"
    rows[4]["priority"] = 4  # a column the first row lacks is not in the file
    path = write_parquet(tmp_path / "items.parquet", rows)
    result = cli("import", str(project_id), str(path))
    assert result.exit_code == 0, result.output
    assert "created 5 items" in result.stdout
    items = stored(database, project_id)
    assert [i["external_id"] for i in items] == ["p0", "p1", "p2", "p3", "p4"]
    assert items[1]["context"] == "ED triage"
    assert items[0]["context"] is None  # a null cell is an absent field
    assert items[4]["priority"] == 0
    assert items[0]["responses"] == [
        {"id": "A", "text": "IM adrenaline", "model": "m1"},
        {"id": "B", "text": "Cetirizine", "model": None},
    ]


def test_import_parquet_with_map_and_a_bad_row_names_the_row(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    project_id = factory.project(kind="pairwise")
    rows = [
        {"qid": "q1", "question": "First?", "answer_a": "yes", "answer_b": "no", "origin": "x"},
        {"qid": "q2", "question": "", "answer_a": "yes", "answer_b": "no", "origin": "y"},
        {"qid": "q3", "question": "Third?", "answer_a": "yes", "answer_b": None, "origin": "z"},
    ]
    path = write_parquet(tmp_path / "qa.parquet", rows)
    maps = ["prompt=question", "responses.A=answer_a", "responses.B=answer_b"]
    args = [a for m in [*maps, "external_id=qid", "metadata.source=origin"] for a in ("--map", m)]
    result = cli("import", str(project_id), str(path), *args)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "  line 2, prompt: must not be empty",
        "  line 3, responses: a pairwise item needs exactly 2 responses",
    ]
    assert stored(database, project_id) == []
    write_parquet(path, [rows[0]])
    result = cli("import", str(project_id), str(path), *args)
    assert result.exit_code == 0, result.output
    assert stored(database, project_id) == [
        {
            "external_id": "q1",
            "prompt": "First?",
            "context": None,
            "responses": [
                {"id": "A", "text": "yes", "model": None},
                {"id": "B", "text": "no", "model": None},
            ],
            "data": {},
            "metadata": {"source": "x"},
            "priority": 0,
        }
    ]


def test_import_hf_dataset_saved_on_disk(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    datasets = pytest.importorskip("datasets")
    rows = [
        {"id": n, "prompt": f"P{n}", "chosen": f"good {n}", "rejected": f"bad {n}"}
        for n in range(6)
    ]
    datasets.Dataset.from_list(rows).save_to_disk(str(tmp_path / "prefs"))
    project_id = factory.project(kind="pairwise")
    result = cli("import", str(project_id), str(tmp_path / "prefs"))
    assert result.exit_code == 0, result.output
    assert "created 6 items" in result.stdout
    for item in stored(database, project_id):
        n = item["external_id"]
        texts = {r["id"]: r["text"] for r in item["responses"]}
        choice = item["metadata"]["reference_choice"]
        assert texts[choice] == f"good {n}"
        assert texts["B" if choice == "A" else "A"] == f"bad {n}"
        assert item["metadata"]["source"] == "preference"


def test_import_parquet_preference_rows_all_or_nothing(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    rows = [
        {"id": "a", "prompt": "P", "chosen": "good", "rejected": "bad", "context": None},
        {"id": "b", "prompt": "P", "chosen": None, "rejected": "bad", "context": "ctx"},
    ]
    path = write_parquet(tmp_path / "prefs.parquet", rows)
    project_id = factory.project(kind="pairwise")
    result = cli("import", str(project_id), str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == ["  line 2, chosen: is missing"]
    assert stored(database, project_id) == []
    write_parquet(path, [rows[0], {**rows[1], "chosen": "fine"}])
    result = cli("import", str(project_id), str(path))
    assert result.exit_code == 0, result.output
    first, second = stored(database, project_id)
    assert (first["context"], second["context"]) == (None, "ctx")
    assert second["metadata"]["source"] == "preference"


def test_import_hf_dataset_dict_needs_a_split(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    datasets = pytest.importorskip("datasets")
    train = datasets.Dataset.from_list([{"prompt": "t1"}, {"prompt": "t2"}])
    test = datasets.Dataset.from_list([{"prompt": "only test"}])
    datasets.DatasetDict({"train": train, "test": test}).save_to_disk(str(tmp_path / "dd"))
    project_id = factory.project(kind="label")
    result = cli("import", str(project_id), str(tmp_path / "dd"))
    assert result.exit_code == 1
    assert "split: dd has splits" in result.stderr
    assert "choose one with --split" in result.stderr
    result = cli("import", str(project_id), str(tmp_path / "dd"), "--split", "dev")
    assert "split: dd has no split 'dev'" in result.stderr
    result = cli("import", str(project_id), str(tmp_path / "dd"), "--split", "test")
    assert result.exit_code == 0, result.output
    assert [i["prompt"] for i in stored(database, project_id)] == ["only test"]


def label_studio_export() -> list[dict[str, Any]]:
    """Two tasks the way Label Studio's JSON export writes them (a text classification)."""
    choice = {
        "id": "r1",
        "from_name": "verdict",
        "to_name": "text",
        "type": "choices",
        "origin": "manual",
    }
    return [
        {
            "id": 11,
            "data": {"text": "58-year-old man, central chest pain", "source": "triage-2024"},
            "annotations": [
                {
                    "id": 101,
                    "completed_by": 3,
                    "result": [{**choice, "value": {"choices": ["P1 immediate"]}}],
                    "was_cancelled": False,
                    "ground_truth": False,
                    "lead_time": 12.5,
                }
            ],
            "predictions": [
                {
                    "id": 7,
                    "model_version": "triage-v2",
                    "score": 0.81,
                    "result": [{**choice, "value": {"choices": ["P2 very urgent"]}}],
                }
            ],
            "meta": {},
            "created_at": "2024-03-09T21:52:49.513742Z",
            "project": 4,
            "inner_id": 1,
            "total_annotations": 1,
        },
        {
            "id": 12,
            "data": {"text": "Child, fever 39C for two days", "source": "triage-2024"},
            "annotations": [],
            "predictions": [
                {
                    "model_version": "triage-v2",
                    "result": [{**choice, "value": {"choices": ["P4"]}, "score": 0.55}],
                }
            ],
            "project": 4,
        },
    ]


def test_import_label_studio_export_into_a_verify_project(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "export.json"
    tasks = label_studio_export()
    path.write_text(json.dumps(tasks), encoding="utf-8")
    project_id = factory.project(kind="verify")
    result = cli("import", str(project_id), str(path))
    assert result.exit_code == 1
    assert "line 1, data.source: goes to no item field" in result.stderr
    assert stored(database, project_id) == []
    result = cli("import", str(project_id), str(path), "--map", "metadata.source=data.source")
    assert result.exit_code == 0, result.output
    first, second = stored(database, project_id)
    assert first == {
        "external_id": "ls-11",
        "prompt": "58-year-old man, central chest pain",
        "context": None,
        "responses": [],
        "data": {
            "prediction": {"label": "P2 very urgent", "model": "triage-v2", "confidence": 0.81}
        },
        "metadata": {
            "source": "triage-2024",
            "label_studio": {
                "id": 11,
                "annotations": tasks[0]["annotations"],
                "predictions": tasks[0]["predictions"],
            },
        },
        "priority": 0,
    }
    assert second["data"]["prediction"] == {"label": "P4", "model": "triage-v2", "confidence": 0.55}
    assert "annotations" not in second["metadata"]["label_studio"]


def test_import_label_studio_into_a_pairwise_project_with_map(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    tasks = [
        {"id": 1, "data": {"question": "Q1", "a": "yes", "b": "no"}, "annotations": []},
        {"id": 2, "data": {"question": "Q2", "a": "yes"}, "annotations": []},
    ]
    path = tmp_path / "pairs.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    project_id = factory.project(kind="pairwise")
    maps = ["--map", "responses.A=data.a", "--map", "responses.B=data.b", "--map", "external_id=id"]
    result = cli("import", str(project_id), str(path), "--format", "label-studio", *maps)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "  line 2, data.b: is missing (mapped to responses.B)"
    ]
    assert stored(database, project_id) == []
    path.write_text(json.dumps(tasks[:1]), encoding="utf-8")
    result = cli("import", str(project_id), str(path), *maps)
    assert result.exit_code == 0, result.output
    [item] = stored(database, project_id)
    assert item["external_id"] == "1"
    assert item["prompt"] == "Q1"
    assert [r["text"] for r in item["responses"]] == ["yes", "no"]
    assert item["metadata"] == {"label_studio": {"id": 1}}


def test_import_json_that_is_not_a_label_studio_export_exits_1(
    cli: Any, factory: Any, tmp_path: Path
) -> None:
    path = tmp_path / "items.json"
    path.write_text('{"prompt": "x"}', encoding="utf-8")
    result = cli("import", str(factory.project(kind="label")), str(path))
    assert result.exit_code == 1
    assert "is not a Label Studio export" in result.stderr


def test_import_hh_rlhf_sample_as_pairwise_without_flags(
    cli: Any, factory: Any, database: Database
) -> None:
    project_id = factory.project(kind="pairwise")
    result = cli("import", str(project_id), str(HH_PAIRS))
    assert result.exit_code == 0, result.output
    assert "created 300 items" in result.stdout
    rows = {str(r["id"]): r for r in map(json.loads, HH_PAIRS.read_text("utf-8").splitlines())}
    items = stored(database, project_id)
    assert len(items) == 300
    for item in items:
        row = rows[item["external_id"]]
        choice = item["metadata"]["reference_choice"]
        texts = {r["id"]: r["text"] for r in item["responses"]}
        assert [r["id"] for r in item["responses"]] == ["A", "B"]
        assert texts[choice] == row["chosen"]
        assert texts["B" if choice == "A" else "A"] == row["rejected"]
        assert item["prompt"] == row["prompt"]
        assert item["metadata"] == {"reference_choice": choice, "source": "hh-rlhf"}
    choices = [item["metadata"]["reference_choice"] for item in items]
    assert 100 < choices.count("A") < 200  # both orders, about half each


def test_import_preference_rows_into_another_kind_are_unknown_fields(
    cli: Any, factory: Any, tmp_path: Path
) -> None:
    path = tmp_path / "prefs.jsonl"
    path.write_text('{"prompt": "p", "chosen": "c", "rejected": "r"}\n', encoding="utf-8")
    result = cli("import", str(factory.project(kind="label")), str(path))
    assert result.exit_code == 1
    assert "line 1, chosen: unknown field" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--map", "prompt"], "error [items.invalid]: map: 'prompt': expected FIELD=SOURCE"),
        (["--map", "title=q"], "error [items.invalid]: map: 'title=q': unknown field 'title'"),
        (["--map", "prompt=q", "--map", "prompt=r"], "map: 'prompt=r': prompt is mapped twice"),
        (["--map", "responses.A.model=m"], "map: 'responses.A.model' needs 'responses.A'"),
        (["--map", "metadata=m", "--map", "metadata.x=y"], "metadata.x overlaps metadata"),
        (["--map", "prompt=q", "--mapping", "processbench"], "--map and --mapping do not go"),
        (["--split", "train"], "split: --split is for a saved Hugging Face dataset"),
    ],
)
def test_import_with_bad_options_exits_1(
    cli: Any, factory: Any, tmp_path: Path, args: list[str], message: str
) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text('{"q": "x"}\n', encoding="utf-8")
    result = cli("import", str(factory.project(kind="label")), str(path), *args)
    assert result.exit_code == 1
    assert message in result.stderr


def test_import_csv_with_map_reads_columns_by_name(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "qa.csv"
    path.write_text(
        "id,question,priority,origin,extra\nq1,First?,3,web,\nq2,Second?,,,x\n", encoding="utf-8"
    )
    project_id = factory.project(kind="label")
    maps = [
        "--map",
        "external_id=id",
        "--map",
        "prompt=question",
        "--map",
        "metadata.origin=origin",
    ]
    result = cli("import", str(project_id), str(path), *maps)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "  line 2, extra: is not mapped; add --map FIELD=extra",  # even where it is empty
        "  line 3, extra: is not mapped; add --map FIELD=extra",
    ]
    result = cli("import", str(project_id), str(path), *maps, "--map", "metadata.extra=extra")
    assert result.exit_code == 0, result.output
    first, second = stored(database, project_id)
    assert (first["priority"], first["metadata"]) == (3, {"origin": "web"})
    assert (second["priority"], second["metadata"]) == (0, {"extra": "x"})
