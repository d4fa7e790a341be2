"""The README keeps up with the code: every CLI command and option, every setting."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from expertloop.cli.main import app
from expertloop.config import Settings
from expertloop.core.kinds import KINDS

README = Path(__file__).resolve().parents[1] / "README.md"


def section(title: str) -> str:
    """The text under ``## title`` up to the next second-level heading."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every runnable command under ``group`` as ("db upgrade", command).

    Duck-typed: recent Typer versions ship their own copy of click, not ``click`` itself.
    """
    if hasattr(group, "commands"):
        for name, command in sorted(group.commands.items()):
            yield from commands(command, (*path, name))
    else:
        yield " ".join(path), group


CLI = list(commands(typer.main.get_command(app)))


def test_the_cli_has_commands() -> None:
    names = {name for name, _ in CLI}
    assert {
        "serve",
        "db upgrade",
        "users create",
        "projects create",
        "import",
        "export",
        "demo",
    } <= names


@pytest.mark.parametrize(("name", "command"), CLI, ids=[name for name, _ in CLI])
def test_every_command_and_option_is_in_the_command_line_section(name: str, command: Any) -> None:
    documented = section("Command line")
    assert f"`expertloop {name}" in documented
    for parameter in command.params:
        if parameter.param_type_name == "option" and parameter.name != "help":
            assert any(
                option in documented for option in [*parameter.opts, *parameter.secondary_opts]
            ), f"{name}: option {parameter.opts} is not in the README"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_settings_section(field: str) -> None:
    assert f"`EXPERTLOOP_{field.upper()}`" in section("Settings")


def test_the_import_formats_are_documented() -> None:
    importing = section("Importing items")
    for column in (
        "external_id",
        "prompt",
        "context",
        "priority",
        "response_<ID>",
        "model_<ID>",
        "metadata.<key>",
    ):
        assert f"`{column}`" in importing


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_is_in_the_task_kinds_table_and_its_data_in_importing_items(kind: str) -> None:
    rows = [line for line in section("Task kinds").splitlines() if line.startswith(f"| `{kind}` |")]
    assert len(rows) == 1, f"{kind} has no row in the Task kinds table"
    assert f"| `{kind}` |" in section("Importing items")


def test_the_processbench_mapping_is_documented_field_by_field() -> None:
    importing = section("Importing items")
    assert "--mapping processbench" in importing
    for source, target in (
        ("id", "external_id"),
        ("problem", "prompt"),
        ("steps", "data.steps"),
        ("generator", "metadata.generator"),
        ("final_answer_correct", "metadata.final_answer_correct"),
    ):
        assert f"| `{source}` | `{target}` |" in importing
    assert "`metadata.reference_first_error`" in importing
