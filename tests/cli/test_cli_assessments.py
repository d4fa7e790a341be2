"""`expertloop assessments create | list | grant-attempt` on a real database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from assessment_kit import CHOICE, body, make_assessment
from expertloop.store import Database
from expertloop.store.tables import Assessment, AttemptGrant, AuditEntry


def write(tmp_path: Path, value: Any) -> str:
    path = tmp_path / "assessment.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    return str(path)


def test_assessments_create_prints_the_id_on_the_last_line(
    cli: Any, tmp_path: Path, database: Database
) -> None:
    result = cli("assessments", "create", write(tmp_path, body()), "--publish")
    assert result.exit_code == 0, result.output
    summary, assessment_id = result.stdout.splitlines()
    assert summary == (
        "created assessment 'Clinical pharmacology' (published): track stem, 3 questions, "
        "pass mark 75%, time limit 600 s"
    )
    with database.scoped() as session:
        stored = session.get(Assessment, int(assessment_id))
        assert stored is not None
        assert (stored.status, stored.questions[0]) == ("published", {**CHOICE, "points": 1})


def test_assessments_create_names_the_bad_field(cli: Any, tmp_path: Path) -> None:
    bad = {**CHOICE, "options": [{"id": "a", "text": "A"}, {"id": "", "text": "B"}]}
    result = cli("assessments", "create", write(tmp_path, body([CHOICE, {**bad, "id": "q2"}])))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error [assessment.invalid]: questions[1].options[1].id: must be a non-empty" in (
        result.stderr
    )


def test_assessments_create_refuses_unknown_and_missing_fields(cli: Any, tmp_path: Path) -> None:
    unknown = cli("assessments", "create", write(tmp_path, {**body(), "duration": 5}))
    assert unknown.exit_code == 1
    assert "error [cli.invalid_input]: duration: is not a field of an assessment" in unknown.stderr
    values = body()
    del values["pass_mark"]
    missing = cli("assessments", "create", write(tmp_path, values))
    assert missing.exit_code == 1 and "pass_mark: is required" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert "file: is not valid JSON" in cli("assessments", "create", str(broken)).stderr


def test_assessments_list_prints_one_line_each(cli: Any, database: Database, factory: Any) -> None:
    first = make_assessment(database, factory.clock)
    second = make_assessment(database, factory.clock, publish=False, title="Draft test")
    result = cli("assessments", "list")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{first}\tpublished\tstem\t3 questions\tpass 75%\t600 s\tClinical pharmacology",
        f"{second}\tdraft\tstem\t3 questions\tpass 75%\t600 s\tDraft test",
    ]


def test_assessments_grant_attempt_keeps_the_reason(
    cli: Any, database: Database, factory: Any
) -> None:
    assessment_id = make_assessment(database, factory.clock)
    expert = factory.user("expert")
    result = cli(
        "assessments",
        "grant-attempt",
        str(assessment_id),
        "--expert",
        expert.email,
        "--reason",
        "network failure",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"granted another attempt at assessment {assessment_id} to {expert.email}: "
        "2 attempt(s) left\n"
    )
    with database.scoped() as session:
        grant = session.scalars(select(AttemptGrant)).one()
        assert (grant.expert_id, grant.granted_by, grant.reason) == (
            expert.id,
            None,
            "network failure",
        )
        assert session.scalars(select(AuditEntry.action)).all()[-1] == "assessment.grant_attempt"


def test_assessments_grant_attempt_to_an_unknown_expert_exits_1(
    cli: Any, database: Database, factory: Any
) -> None:
    assessment_id = make_assessment(database, factory.clock)
    result = cli(
        "assessments", "grant-attempt", str(assessment_id), "--expert", "no@x.org", "--reason", "r"
    )
    assert result.exit_code == 1
    assert "error [user.not_found]: no expert or reviewer no@x.org" in result.stderr
    missing = cli("assessments", "grant-attempt", "999999", "--expert", "no@x.org", "--reason", "r")
    assert "error [assessment.not_found]" in missing.stderr
