"""Quality from the command line: a project's policy, gold import, refresh, report, worker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from expertloop.store.tables import Consensus, GoldAnswer, Project


def create(cli: Any, *extra: str) -> str:
    created = cli(
        "projects", "create", "--name", "Triage", "--kind", "label",
        "--spec", '{"labels": ["yes", "no"]}', *extra,
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    return str(created.output.strip().splitlines()[-1])


def test_projects_take_a_quality_policy_and_name_the_bad_field(cli: Any, database: Any) -> None:
    policy = '{"overlap": {"k_min": 2, "k_max": 4, "target": 0.9}, "method": "mace"}'
    project_id = create(cli, "--quality", policy)
    with database.scoped() as session:
        project = session.get(Project, int(project_id))
        assert project is not None and project.overlap == 2
        assert project.quality["overlap"] == {"k_min": 2, "k_max": 4, "target": 0.9}
    bad = cli(
        "projects",
        "update",
        project_id,
        "--quality",
        '{"overlap": {"k_min": 3, "k_max": 2, "target": 0.9}}',
    )
    assert bad.exit_code == 1
    assert "quality.overlap.k_max: must be at least k_min" in bad.output
    wrong_method = cli("projects", "update", project_id, "--quality", '{"method": "bt"}')
    assert (
        "quality.method: for label projects: one of ds, mv, onecoin, glad, mace"
        in wrong_method.output
    )


def test_gold_import_marks_items_and_reports_the_bad_line(
    cli: Any, database: Any, tmp_path: Path
) -> None:
    project_id = create(cli, "--quality", '{"gold": {"rate": 0.2}}')
    items = tmp_path / "items.jsonl"
    items.write_text(
        "".join(json.dumps({"external_id": f"q{i}", "prompt": f"Q{i}"}) + "\n" for i in range(3))
    )
    assert cli("import", project_id, str(items)).exit_code == 0
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps({"external_id": "q0", "answer": {"labels": ["yes"]}, "explanation": "per trial"})
        + "\n\n"
        + json.dumps({"external_id": "q1", "answer": {"labels": ["maybe"]}})
        + "\n"
    )
    bad = cli("gold", "import", project_id, str(gold))
    assert bad.exit_code == 1
    assert "row 3, answer.labels[0]: 'maybe' is not one of the project's labels" in bad.output
    gold.write_text(json.dumps({"external_id": "q1", "answer": {"labels": ["no"]}}) + "\n")
    good = cli("gold", "import", project_id, str(gold))
    assert good.exit_code == 0, good.output
    assert good.output.strip() == "marked 1 gold items"
    with database.scoped() as session:
        assert [row.answer for row in session.scalars(select(GoldAnswer))] == [{"labels": ["no"]}]


def test_refresh_report_and_worker(
    cli: Any, database: Any, tmp_path: Path, factory: Any, client: Any
) -> None:
    project_id = create(cli, "--overlap", "2")
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"external_id": "q0", "prompt": "Q0"}) + "\n")
    assert cli("import", project_id, str(items)).exit_code == 0
    for _ in range(2):
        expert = factory.user("expert")
        claim = client.post(f"/api/v1/projects/{project_id}/claims", headers=expert.headers).json()
        client.post(
            f"/api/v1/assignments/{claim['assignment_id']}/judgment",
            json={"value": {"labels": ["yes"]}},
            headers=expert.headers,
        )
    worker = cli("worker", "--once")
    assert worker.exit_code == 0, worker.output
    assert f"project {project_id}: 1 items, 0 slots opened, 0 disputed" in worker.output
    refreshed = cli("quality", "refresh", project_id)
    assert refreshed.exit_code == 0, refreshed.output
    assert json.loads(refreshed.output)["items"] == 1
    report = json.loads(cli("quality", "report", project_id).output)
    assert report["consensus"] == {"agreed": 1}
    assert report["figures"]["judgments"] == 2
    with database.scoped() as session:
        row = session.scalars(select(Consensus)).one()
        assert row.value == {"labels": ["yes"]} and row.state == "agreed"
    assert cli("quality", "report", "nope").exit_code == 1
