"""Checking what a person typed or pointed at: project ids, files, JSON. Errors exit 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from expertloop.cli.common import fail
from expertloop.core.errors import FieldError, invalid


def bad_input(field: str, message: str) -> typer.Exit:
    """Report one bad argument or option the way domain errors are reported."""
    return fail(invalid("cli.invalid_input", [FieldError(field, message)]))


def parse_project_id(value: str) -> int:
    """PROJECT arguments are project ids (``expertloop projects create`` prints them)."""
    text = value.strip()
    if not text.isdigit():
        raise bad_input("project", f"{value!r} is not a project id (a positive integer)")
    return int(text)


def read_text(path: Path, field: str) -> str:
    """A UTF-8 text file, or exit 1 naming the option it came from."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise bad_input(field, f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise bad_input(field, f"{path} is not UTF-8 text ({error.reason})") from None


def parse_json_object(text: str, field: str) -> dict[str, Any]:
    """A JSON object, or exit 1 saying where the JSON breaks."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        raise bad_input(field, message) from None
    if not isinstance(value, dict):
        raise bad_input(field, 'must be a JSON object, e.g. {"labels": ["yes", "no"]}')
    return value
