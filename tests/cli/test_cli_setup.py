"""`expertloop --help`, `db upgrade`, `users create`, `projects create` on a real database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from expertloop.services.projects import get_project_or_raise
from expertloop.services.users import authenticate
from expertloop.store import Database
from expertloop.store.migrate import heads


def test_help_lists_every_command(cli: Any) -> None:
    result = cli("--help", db=False)
    assert result.exit_code == 0
    for name in ("serve", "db", "users", "projects", "import", "export", "demo"):
        assert name in result.stdout


def test_db_upgrade_prints_the_head_revision(cli: Any) -> None:
    result = cli("db", "upgrade")
    assert result.exit_code == 0
    assert result.stdout == f"database at revision {heads()[0]} (head)\n"


def test_users_create_prints_the_token_alone_on_the_last_line(cli: Any, database: Database) -> None:
    result = cli(
        "users",
        "create",
        "--email",
        "Ada@Example.org",
        "--role",
        "lead",
        "--name",
        "Ada Lovelace",
        "--password",
        "a long password",
    )
    assert result.exit_code == 0, result.output
    first, token = result.stdout.splitlines()
    assert "ada@example.org" in first and "lead" in first and "Ada Lovelace" in first
    with database.scoped() as session:
        found = authenticate(session=session, token=token, now=datetime.now(UTC))
    assert (found.user.email, found.user.role, found.user.name) == (
        "ada@example.org",
        "lead",
        "Ada Lovelace",
    )
    assert found.user.password_hash is not None


def test_users_create_with_bad_fields_exits_1_naming_each(cli: Any) -> None:
    result = cli("users", "create", "--email", "nobody", "--role", "boss", "--password", "short")
    assert result.exit_code == 1
    assert result.stdout == ""
    for field in ("email:", "role:", "password:"):
        assert field in result.stderr
    assert "Traceback" not in result.output


def test_users_create_twice_with_one_email_exits_1(cli: Any) -> None:
    assert cli("users", "create", "--email", "e@example.org", "--role", "expert").exit_code == 0
    result = cli("users", "create", "--email", "e@example.org", "--role", "expert")
    assert result.exit_code == 1
    assert "user.email_taken" in result.stderr


def test_projects_create_prints_a_summary_then_the_id(
    cli: Any, database: Database, tmp_path: Path
) -> None:
    guidelines = tmp_path / "guidelines.md"
    guidelines.write_text("# Label each claim\n", encoding="utf-8")
    result = cli(
        "projects",
        "create",
        "--name",
        "Claims",
        "--kind",
        "label",
        "--spec",
        '{"labels": ["supported", "unsupported"]}',
        "--overlap",
        "3",
        "--lease-seconds",
        "600",
        "--guidelines-file",
        str(guidelines),
    )
    assert result.exit_code == 0, result.output
    summary, project_id = result.stdout.splitlines()
    assert "'Claims'" in summary and "label" in summary and "overlap 3" in summary
    with database.scoped() as session:
        project = get_project_or_raise(session=session, actor=None, project_id=int(project_id))
    assert (project.name, project.kind, project.overlap, project.lease_seconds) == (
        "Claims",
        "label",
        3,
        600,
    )
    assert project.spec == {
        "labels": ["supported", "unsupported"],
        "multiple": False,
        "min_rationale_chars": 0,
    }
    assert project.guidelines == "# Label each claim\n"


def test_projects_create_reads_the_spec_from_a_file(cli: Any, tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text('{"min_rationale_chars": 10}', encoding="utf-8")
    result = cli(
        "projects", "create", "--name", "Pairs", "--kind", "pairwise", "--spec-file", str(spec)
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].isdigit()


def test_projects_create_with_broken_json_names_the_option(cli: Any) -> None:
    result = cli("projects", "create", "--name", "P", "--kind", "label", "--spec", '{"labels": [')
    assert result.exit_code == 1
    assert "spec: is not valid JSON" in result.stderr
    assert "Traceback" not in result.output


def test_projects_create_with_a_bad_spec_names_the_field(cli: Any) -> None:
    result = cli(
        "projects",
        "create",
        "--name",
        "P",
        "--kind",
        "label",
        "--spec",
        '{"labels": ["only one"], "multiple": "no"}',
    )
    assert result.exit_code == 1
    assert "spec.labels" in result.stderr and "spec.multiple" in result.stderr


def test_projects_create_with_an_unknown_kind_exits_1(cli: Any) -> None:
    result = cli("projects", "create", "--name", "P", "--kind", "essay")
    assert result.exit_code == 1
    assert "project.unknown_kind" in result.stderr and "kind:" in result.stderr


def test_projects_create_with_a_missing_file_exits_1(cli: Any, tmp_path: Path) -> None:
    result = cli(
        "projects",
        "create",
        "--name",
        "P",
        "--kind",
        "pairwise",
        "--guidelines-file",
        str(tmp_path / "missing.md"),
    )
    assert result.exit_code == 1
    assert "guidelines-file: cannot read" in result.stderr


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("not a url", "database.invalid_url"),
        ("postgresql://nobody@127.0.0.1:9/none", "database.unavailable"),
    ],
)
def test_bad_database_url_exits_1_without_traceback(cli: Any, url: str, code: str) -> None:
    result = cli("db", "upgrade", "--db", url, db=False)
    assert result.exit_code == 1
    assert f"error [{code}]" in result.output
    assert "Traceback" not in result.output
