"""`expertloop import` (JSONL, CSV; all or nothing) and `expertloop export` on a real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services.judgments import stream_judgments, submit_judgment
from expertloop.services.queue import claim_next
from expertloop.store import Database
from expertloop.store.items import iter_items

CSV_HEADER = "external_id,prompt,context,priority,response_A,model_A,response_B,metadata.source\n"


def stored_items(database: Database, project_id: int) -> list[dict[str, Any]]:
    with database.scoped() as session:
        return [
            {
                "external_id": i.external_id,
                "prompt": i.prompt,
                "context": i.context,
                "responses": i.responses,
                "metadata": i.metadata_,
                "priority": i.priority,
            }
            for i in iter_items(session, project_id)
        ]


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_import_jsonl_stores_every_item(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    project_id = factory.project(kind="pairwise")
    responses = [
        {"id": "A", "text": "Adrenaline IM", "model": "m1"},
        {"id": "B", "text": "Antihistamine", "model": "m2"},
    ]
    rows = [
        {
            "external_id": f"q{n}",
            "prompt": f"Question {n}",
            "responses": responses,
            "metadata": {"domain": "medicine"},
            "priority": n,
        }
        for n in range(3)
    ]
    result = cli("import", str(project_id), str(write_jsonl(tmp_path / "items.jsonl", rows)))
    assert result.exit_code == 0, result.output
    assert (
        result.stdout == f"created 3 items in project {project_id} ('pairwise project') "
        "from items.jsonl\n"
    )
    stored = sorted(stored_items(database, project_id), key=lambda i: i["external_id"])
    assert stored == [{**row, "context": None} for row in rows]


def test_import_csv_maps_columns_and_reads_cells_as_strings(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    project_id = factory.project(kind="pairwise")
    path = tmp_path / "items.csv"
    path.write_text(
        CSV_HEADER
        + '007,"Is IM adrenaline first line?\nAnswer briefly.",ED triage,5,Yes,gpt-x,No,2024\n'
        + "q2,Second question,,,A text,,B text,\n",
        encoding="utf-8",
    )
    result = cli("import", str(project_id), str(path))
    assert result.exit_code == 0, result.output
    assert "created 2 items" in result.stdout
    stored = sorted(stored_items(database, project_id), key=lambda i: i["external_id"])
    assert stored == [
        {
            "external_id": "007",
            "prompt": "Is IM adrenaline first line?\nAnswer briefly.",
            "context": "ED triage",
            "priority": 5,
            "metadata": {"source": "2024"},
            "responses": [
                {"id": "A", "text": "Yes", "model": "gpt-x"},
                {"id": "B", "text": "No", "model": None},
            ],
        },
        {
            "external_id": "q2",
            "prompt": "Second question",
            "context": None,
            "priority": 0,
            "metadata": {},
            "responses": [
                {"id": "A", "text": "A text", "model": None},
                {"id": "B", "text": "B text", "model": None},
            ],
        },
    ]


def test_import_bad_jsonl_stores_nothing_and_names_line_and_field(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    project_id = factory.project(kind="label")
    path = tmp_path / "items.jsonl"
    path.write_text(
        '{"external_id": "a", "prompt": "fine"}\n'
        "\n"  # blank lines are skipped but still counted
        '{"external_id": "b", "prompt": ""}\n'
        '{"external_id": "c", "prompt": "ok", "priority": "high", "colour": 1}\n'
        '{"external_id": "a", "prompt": "again"}\n',
        encoding="utf-8",
    )
    result = cli("import", str(project_id), str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[1:] == [
        "  line 3, prompt: must not be empty",
        "  line 4, colour: unknown field",
        "  line 4, priority: must be an integer from -1000000 to 1000000",
        "  line 5, external_id: repeats 'a', used by an earlier row",
    ]
    assert "nothing was imported" in result.stderr
    assert stored_items(database, project_id) == []


def test_import_jsonl_with_broken_json_names_the_line(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    project_id = factory.project(kind="label")
    path = tmp_path / "items.jsonl"
    path.write_text('{"prompt": "fine"}\n{"prompt": "no end\n', encoding="utf-8")
    result = cli("import", str(project_id), str(path))
    assert result.exit_code == 1
    assert "line 2, json: not valid JSON" in result.stderr
    assert stored_items(database, project_id) == []


def test_import_bad_csv_stores_nothing_and_names_line_and_field(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    project_id = factory.project(kind="pairwise")
    path = tmp_path / "items.csv"
    path.write_text(
        CSV_HEADER
        + "q1,Good row,,,A,,B,\n"
        + 'q2,"Two-line\nprompt",,soon,A,,B,\n'
        + "q3,Only one response,,,A,,,\n",
        encoding="utf-8",
    )
    result = cli("import", str(project_id), "--format", "csv", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "  line 3, priority: must be an integer from -1000000 to 1000000",
        "  line 5, responses: a pairwise item needs exactly 2 responses",
    ]
    assert stored_items(database, project_id) == []


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("external_id,question\n", "line 1, question: unknown column"),
        ("external_id,context\n", "line 1, prompt: the header has no prompt column"),
        ("prompt,model_B\n", "line 1, model_B: has no response_B column"),
        ("prompt,prompt\n", "line 1, prompt: appears more than once"),
    ],
)
def test_import_csv_with_a_bad_header_exits_1(
    cli: Any, factory: Any, tmp_path: Path, header: str, message: str
) -> None:
    project_id = factory.project(kind="label")
    path = tmp_path / "items.csv"
    path.write_text(header + "a,b\n", encoding="utf-8")
    result = cli("import", str(project_id), str(path))
    assert result.exit_code == 1
    assert message in result.stderr


def test_import_into_an_unknown_project_exits_1(cli: Any, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "items.jsonl", [{"prompt": "x"}])
    result = cli("import", "999", str(path))
    assert result.exit_code == 1
    assert result.stderr == "error [project.not_found]: project 999 does not exist\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.jsonl", None, "file: cannot read"),
        ("items.txt", "x", "format: cannot tell the format of items.txt"),
        ("latin1.csv", b"prompt\n\xe9t\xe9\n", "is not UTF-8 text"),
        ("empty.jsonl", "\n", "has no items"),
    ],
)
def test_import_an_unusable_file_exits_1(
    cli: Any, factory: Any, tmp_path: Path, name: str, content: str | bytes | None, message: str
) -> None:
    project_id = factory.project(kind="label")
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    result = cli("import", str(project_id), str(path))
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def judge_everything(database: Database, factory: Any, project_id: int, experts: list[Any]) -> None:
    now = datetime.now(UTC)
    for expert in experts:
        actor = Actor(expert.id, Role.EXPERT)
        while True:
            with database.scoped() as session:
                claim = claim_next(session=session, actor=actor, project_id=project_id, now=now)
                if claim is None:
                    break
                submit_judgment(
                    session=session,
                    actor=actor,
                    assignment_id=claim.assignment.id,
                    value={"labels": ["yes"]},
                    rationale=f"by {expert.email}",
                    idempotency_key=None,
                    now=now,
                )


def test_export_prints_the_judgments_made_through_services(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    project_id = factory.project(kind="label", overlap=2, items=3)
    judge_everything(database, factory, project_id, [factory.user(), factory.user()])
    with database.scoped() as session:
        expected = list(stream_judgments(session=session, actor=None, project_id=project_id))
    assert len(expected) == 6

    result = cli("export", str(project_id))
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.stdout.splitlines()] == expected
    assert result.stderr == f"exported 6 judgments of project {project_id}\n"

    out = tmp_path / "judgments.jsonl"
    assert cli("export", str(project_id), "--out", str(out)).exit_code == 0
    assert [json.loads(line) for line in out.read_text().splitlines()] == expected


def test_export_of_a_project_without_judgments_is_empty(cli: Any, factory: Any) -> None:
    project_id = factory.project(kind="label", items=2)
    result = cli("export", str(project_id))
    assert (result.exit_code, result.stdout) == (0, "")
    assert "exported 0 judgments" in result.stderr


def test_export_of_an_unknown_project_exits_1_and_writes_no_file(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "judgments.jsonl"
    result = cli("export", "424242", "--out", str(out))
    assert result.exit_code == 1
    assert "project.not_found" in result.stderr
    assert not out.exists()


def test_a_project_argument_that_is_not_an_id_exits_1(cli: Any) -> None:
    result = cli("export", "claims")
    assert result.exit_code == 1
    assert "project: 'claims' is not a project id" in result.stderr
