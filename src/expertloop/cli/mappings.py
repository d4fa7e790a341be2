"""Mappings from other row shapes to item rows: ``import --mapping``, ``--map``, Label Studio
tasks and preference rows (``core.field_maps``, ``core.label_studio``, ``core.preference_rows``
document each).

``processbench``: a row of ProcessBench (GSM8K split,
``../shared/data/processbench_gsm8k/gsm8k.jsonl``) read as-is, for ``step_review`` projects;
``core.kinds.step_review.processbench_item`` documents which field goes where.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from functools import partial
from typing import Any

from expertloop.cli.item_files import FileFormat, ParsedFile
from expertloop.cli.item_sources import ARROW_FORMATS
from expertloop.core.errors import DomainError, FieldError
from expertloop.core.field_maps import FieldMap, map_row
from expertloop.core.kinds.step_review import processbench_item
from expertloop.core.label_studio import label_studio_item
from expertloop.core.preference_rows import is_preference_row, preference_item


class ItemMapping(StrEnum):
    """Row shapes ``expertloop import --mapping`` understands."""

    PROCESSBENCH = "processbench"
    """ProcessBench rows (``id``, ``generator``, ``problem``, ``steps``, ``label``...)."""


MAPPINGS: dict[ItemMapping, tuple[str, Callable[[Mapping[str, Any]], dict[str, Any]]]] = {
    ItemMapping.PROCESSBENCH: ("step_review", processbench_item),
}


def mapping_kind(mapping: ItemMapping) -> str:
    """The task kind whose projects take rows of this mapping."""
    return MAPPINGS[mapping][0]


def map_rows(parsed: ParsedFile, mapping: ItemMapping) -> ParsedFile:
    """Every row mapped to an item row; a row that does not fit is an error on its line."""
    return map_each(parsed, MAPPINGS[mapping][1], mapping.value)


def item_rows(parsed: ParsedFile, *, fmt: FileFormat, kind: str, field_map: FieldMap) -> ParsedFile:
    """The rows as item rows: a Label Studio task or a row under ``--map`` mapped; for a
    ``pairwise`` project, rows of the preference shape mapped; Arrow rows without nulls."""
    if fmt is FileFormat.LABEL_STUDIO:
        to_task = partial(label_studio_item, field_map=field_map, kind=kind)
        return map_each(parsed, to_task, "a Label Studio task")
    if field_map.pairs:
        return map_each(parsed, partial(map_row, field_map), "--map")
    if kind == "pairwise" and parsed.rows and is_preference_row(parsed.rows[0]):
        return map_each(parsed, preference_item, "a preference row")
    if fmt in ARROW_FORMATS:
        rows = [{k: v for k, v in row.items() if v is not None} for row in parsed.rows]
        return ParsedFile(rows, parsed.lines, parsed.errors)
    return parsed


def map_each(
    parsed: ParsedFile, to_item: Callable[[Mapping[str, Any]], dict[str, Any]], what: str
) -> ParsedFile:
    """Every row through ``to_item``; a row that does not fit is an error on its line."""
    mapped = ParsedFile()
    for row, line in zip(parsed.rows, parsed.lines, strict=True):
        if not isinstance(row, Mapping):
            mapped.error(line, "row", f"must be a JSON object to map as {what}")
            continue
        try:
            mapped.add(to_item(row), line)
        except DomainError as error:
            for problem in error.errors:
                mapped.errors.append(FieldError(problem.field, problem.message, line))
    return mapped
