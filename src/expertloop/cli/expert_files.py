"""Reading expert CSV files into rows for ``experts import``, and writing roster rows.

Columns of an import file: ``email`` (required), ``name``, ``role`` (expert or reviewer,
default expert), ``password`` (optional), ``domains`` and ``languages`` (separated by ``;``)
and ``attr_<key>`` for each background attribute. Errors name the line of the file (the
header is line 1) and the column.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from expertloop.cli.item_files import ParsedFile, RowMaker, read_csv_rows, read_text_file
from expertloop.core.errors import FieldError
from expertloop.services.experts import ExpertView

COLUMNS = ("email", "name", "role", "password", "domains", "languages")
ATTRIBUTE_PREFIX = "attr_"
LISTS = ("domains", "languages")
EXPECTED = "email, name, role, password, domains, languages or attr_<key>"
ROSTER_COLUMNS = [
    "id",
    "email",
    "name",
    "role",
    "active",
    "domains",
    "languages",
    "attributes",
    "credentials",
    "qualifications",
]


def read_expert_csv(path: Path, advance: Callable[[int], None]) -> ParsedFile:
    """Every record of the file as an import row; ``advance`` gets the bytes read so far.

    Raises:
        OSError: the file cannot be opened or read.
        UnicodeDecodeError: the file is not UTF-8.
    """
    return read_text_file(path, advance, partial(read_csv_rows, plan=_expert_rows))


def _expert_rows(header: list[str], parsed: ParsedFile) -> RowMaker | None:
    return partial(expert_row, header) if _check_header(header, parsed) else None


def _check_header(header: list[str], parsed: ParsedFile) -> bool:
    if not header:
        parsed.error(1, "header", "the file is empty; the first line must name the columns")
        return False
    for name in header:
        known = name in COLUMNS or (
            name.startswith(ATTRIBUTE_PREFIX) and len(name) > len(ATTRIBUTE_PREFIX)
        )
        if not known:
            parsed.error(1, name or "header", f"unknown column; expected {EXPECTED}")
    for name, count in Counter(header).items():
        if count > 1:
            parsed.error(1, name, "appears more than once in the header")
    if "email" not in header:
        parsed.error(1, "email", "the header has no email column")
    return not parsed.errors


def expert_row(header: list[str], cells: list[str]) -> dict[str, Any]:
    """One CSV record as an import row: lists split on ``;``, ``attr_*`` into attributes."""
    row: dict[str, Any] = {"attributes": {}}
    for name, cell in zip(header, cells, strict=True):
        if name.startswith(ATTRIBUTE_PREFIX):
            row["attributes"][name[len(ATTRIBUTE_PREFIX) :]] = cell
        elif name in LISTS:
            row[name] = [part.strip() for part in cell.split(";") if part.strip()]
        else:
            row[name] = cell.strip() if name != "password" else cell
    return row


def column_of(error: FieldError) -> FieldError:
    """An import error named by its CSV column (``attributes.region`` -> ``attr_region``)."""
    field = error.field
    if field.startswith("attributes."):
        field = ATTRIBUTE_PREFIX + field[len("attributes.") :]
    return FieldError(field, error.message, error.row)


def roster_record(view: ExpertView) -> dict[str, Any]:
    """One expert in full, as a JSONL line of ``experts export``."""
    return {
        "id": view.id,
        "email": view.email,
        "name": view.name,
        "role": view.role,
        "active": view.active,
        "domains": view.domains,
        "languages": view.languages,
        "attributes": view.attributes,
        "credentials": [
            {
                "id": c.id,
                "kind": c.kind,
                "title": c.title,
                "issuer": c.issuer,
                "year": c.year,
                "years_of_practice": c.years_of_practice,
                "status": c.status,
                "note": c.note,
                "verified_at": c.verified_at.isoformat() if c.verified_at else None,
            }
            for c in view.credentials
        ],
        "qualifications": [_qualification_record(q) for q in view.qualifications],
    }


def _qualification_record(q: Any) -> dict[str, Any]:
    return {
        "track": q.track,
        "domain": q.domain,
        "status": q.status,
        "source": q.source,
        "updated_at": q.updated_at.isoformat(),
        "history": [
            {
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "who": {"id": e.actor_id, "name": e.actor_name} if e.actor_id else None,
                "when": e.created_at.isoformat(),
                "why": e.reason,
            }
            for e in q.history
        ],
    }


def roster_cells(view: ExpertView) -> list[str]:
    """One expert as a CSV record of ``experts export`` (the columns of ``ROSTER_COLUMNS``)."""
    verified = sum(1 for c in view.credentials if c.status == "verified")
    held = [
        f"{q.track}{':' + q.domain if q.domain else ''}={q.status}" for q in view.qualifications
    ]
    return [
        str(view.id),
        view.email,
        view.name,
        view.role,
        "true" if view.active else "false",
        ";".join(view.domains),
        ";".join(view.languages),
        json.dumps(view.attributes, ensure_ascii=False, sort_keys=True),
        f"{verified}/{len(view.credentials)}",
        ";".join(held),
    ]


def write_roster(stream: Any, views: Iterable[ExpertView], fmt: str) -> int:
    """Write the roster as CSV (with a header) or JSONL; returns how many experts."""
    if fmt == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(ROSTER_COLUMNS)
        lines: Iterator[Any] = (writer.writerow(roster_cells(v)) for v in views)
    else:
        lines = (
            stream.write(json.dumps(roster_record(v), ensure_ascii=False) + "\n") for v in views
        )
    return sum(1 for _ in lines)
