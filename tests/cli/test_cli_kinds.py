"""Import and export for the kinds beyond label and pairwise: mappings and raw values."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services.items import import_items
from expertloop.services.judgments import submit_judgment
from expertloop.services.queue import claim_next
from expertloop.store import Database
from expertloop.store.items import iter_items

PROCESSBENCH = Path(__file__).parents[2].parent / "shared/data/processbench_gsm8k/gsm8k.jsonl"
needs_processbench = pytest.mark.skipif(
    not PROCESSBENCH.exists(), reason="ProcessBench file not present"
)


@needs_processbench
def test_import_processbench_maps_every_row_into_a_step_review_project(
    cli: Any, factory: Any, database: Database
) -> None:
    project_id = factory.project(kind="step_review")
    result = cli("import", str(project_id), str(PROCESSBENCH), "--mapping", "processbench")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"created 400 items in project {project_id} ('step_review project') from gsm8k.jsonl\n"
    )
    source = json.loads(PROCESSBENCH.read_text(encoding="utf-8").splitlines()[0])
    with database.scoped() as session:
        items = {i.external_id: i for i in iter_items(session, project_id)}
    assert len(items) == 400
    item = items[source["id"]]
    assert item.prompt == source["problem"]
    assert item.data == {"steps": source["steps"]}
    assert len(item.data["steps"]) == len(source["steps"])
    assert item.metadata_ == {
        "generator": source["generator"],
        "final_answer_correct": source["final_answer_correct"],
        "reference_first_error": source["label"],
        "source": "processbench_gsm8k",
    }


@needs_processbench
def test_import_processbench_into_another_kind_exits_1_and_stores_nothing(
    cli: Any, factory: Any, database: Database
) -> None:
    project_id = factory.project(kind="label")
    result = cli("import", str(project_id), str(PROCESSBENCH), "--mapping", "processbench")
    assert result.exit_code == 1
    assert result.stderr == (
        "error [cli.invalid_input]: mapping: processbench rows go to step_review projects; "
        f"project {project_id} is label\n"
    )
    with database.scoped() as session:
        assert list(iter_items(session, project_id)) == []


def test_import_processbench_rows_that_do_not_fit_name_their_lines(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    project_id = factory.project(kind="step_review")
    good = {
        "id": "pb-1",
        "generator": "m",
        "problem": "2 + 2?",
        "steps": ["2 + 2 = 4."],
        "final_answer_correct": True,
        "label": -1,
    }
    path = tmp_path / "pb.jsonl"
    rows = [good, {"id": "pb-2", "problem": "p", "steps": ["s"]}, [1, 2]]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    result = cli("import", str(project_id), str(path), "--mapping", "processbench")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error [items.invalid]: 4 problem(s) in pb.jsonl; nothing was imported",
        "  line 2, generator: is missing",
        "  line 2, final_answer_correct: is missing",
        "  line 2, label: is missing",
        "  line 3, row: must be a JSON object to map as processbench",
    ]
    with database.scoped() as session:
        assert list(iter_items(session, project_id)) == []


def test_import_processbench_refuses_csv(cli: Any, factory: Any, tmp_path: Path) -> None:
    project_id = factory.project(kind="step_review")
    path = tmp_path / "pb.csv"
    path.write_text("prompt\nx\n", encoding="utf-8")
    result = cli("import", str(project_id), str(path), "--mapping", "processbench")
    assert result.exit_code == 1
    assert "mapping: processbench rows are read from JSONL only" in result.stderr


def answers(index: int, count: int) -> list[dict[str, Any]]:
    return [
        {"id": chr(65 + n), "text": f"Answer {chr(65 + n)} to case {index}", "model": f"m{n}"}
        for n in range(count)
    ]


CASES = [
    (
        "ranking",
        3,
        [
            {"ranking": [["B"], ["A", "C"]]},
            {"ranking": [["C"], ["A"], ["B"]]},
        ],
    ),
    (
        "correction",
        1,
        [
            {"edited": "Give IM adrenaline 0.5 mg first.", "error_types": ["factual", "safety"]},
            {"edited": "Check renal function before metformin.", "error_types": ["omission"]},
        ],
    ),
]


@pytest.mark.parametrize(("kind", "responses", "values"), CASES, ids=[c[0] for c in CASES])
def test_export_carries_the_values_of_other_kinds_as_submitted(
    cli: Any,
    factory: Any,
    database: Database,
    kind: str,
    responses: int,
    values: list[dict[str, Any]],
) -> None:
    project_id = factory.project(kind=kind)
    now = datetime.now(UTC)
    rows = [
        {"external_id": f"case-{n}", "prompt": f"Case {n}", "responses": answers(n, responses)}
        for n in range(len(values))
    ]
    with database.scoped() as session:
        import_items(session=session, actor=None, project_id=project_id, rows=rows, now=now)
    actor = Actor(factory.user().id, Role.EXPERT)
    submitted = {}
    for value in values:
        with database.scoped() as session:
            claim = claim_next(session=session, actor=actor, project_id=project_id, now=now)
            assert claim is not None
            submit_judgment(
                session=session,
                actor=actor,
                assignment_id=claim.assignment.id,
                value=value,
                rationale="checked against the guideline",
                idempotency_key=None,
                now=now,
            )
            submitted[claim.item.external_id] = value

    result = cli("export", str(project_id))
    assert result.exit_code == 0, result.output
    exported = [json.loads(line) for line in result.stdout.splitlines()]
    # Each row carries the value as submitted (plus what the kind derives, e.g. a diff).
    as_submitted = {
        row["external_id"]: {k: row["value"][k] for k in submitted[row["external_id"]]}
        for row in exported
    }
    assert as_submitted == submitted
    assert {row["rationale"] for row in exported} == {"checked against the guideline"}
    assert result.stderr == f"exported {len(values)} judgments of project {project_id}\n"


THREE = [{"id": k, "text": f"Answer {k}"} for k in "ABC"]
JSONL_ITEMS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "label": ({"labels": ["yes", "no"]}, {}),
    "pairwise": ({}, {"responses": THREE[:2]}),
    "ranking": ({}, {"responses": THREE}),
    "rubric": ({"criteria": [{"id": "accuracy"}]}, {"responses": THREE[:2]}),
    "demonstration": ({}, {"prompt": [{"role": "user", "content": "Explain a stent."}]}),
    "correction": ({}, {"responses": THREE[:1]}),
    "step_review": ({}, {"data": {"steps": ["2 + 2 = 4", "4 * 3 = 12"]}}),
    "red_team": ({}, {}),
    "verify": ({}, {"data": {"prediction": {"label": "spam", "confidence": 0.8}}}),
    "cluster_review": (
        {},
        {"data": {"members": [{"id": "a", "text": "late refund"}, {"id": "b", "text": "refund"}]}},
    ),
}


@pytest.mark.parametrize("kind", sorted(JSONL_ITEMS))
def test_import_jsonl_of_every_kind_keeps_its_content(
    cli: Any, factory: Any, database: Database, tmp_path: Path, kind: str
) -> None:
    spec, fields = JSONL_ITEMS[kind]
    project_id = factory.project(kind=kind, spec=spec)
    row = {"external_id": f"{kind}-1", "prompt": "Judge this.", **fields}
    path = tmp_path / f"{kind}.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    result = cli("import", str(project_id), str(path))
    assert result.exit_code == 0, result.output
    with database.scoped(write=False) as session:
        (item,) = list(iter_items(session, project_id))
    assert item.external_id == f"{kind}-1"
    assert item.prompt == row["prompt"]
    assert item.data == fields.get("data", {})
    assert [r["id"] for r in item.responses] == [r["id"] for r in fields.get("responses", [])]
