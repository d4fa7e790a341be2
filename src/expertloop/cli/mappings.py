"""Mappings from other datasets' row shapes to item rows, applied by ``import --mapping``.

``processbench``: a row of ProcessBench (GSM8K split,
``../shared/data/processbench_gsm8k/gsm8k.jsonl``) read as-is, for ``step_review`` projects;
``core.kinds.step_review.processbench_item`` documents which field goes where.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from expertloop.cli.item_files import ParsedFile
from expertloop.core.errors import DomainError, FieldError
from expertloop.core.kinds.step_review import processbench_item


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
    _, to_item = MAPPINGS[mapping]
    mapped = ParsedFile()
    for row, line in zip(parsed.rows, parsed.lines, strict=True):
        if not isinstance(row, Mapping):
            mapped.error(line, "row", f"must be a JSON object to map as {mapping.value}")
            continue
        try:
            mapped.add(to_item(row), line)
        except DomainError as error:
            for problem in error.errors:
                mapped.errors.append(FieldError(problem.field, problem.message, line))
    return mapped
