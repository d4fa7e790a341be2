"""Mappings from other row shapes to item rows: ``import --mapping``, ``--map``, Label Studio
tasks and preference rows (``core.field_maps``, ``core.label_studio``, ``core.preference_rows``
document each).

``processbench``: a row of ProcessBench (GSM8K split,
``../shared/data/processbench_gsm8k/gsm8k.jsonl``) read as-is, for ``step_review`` projects;
``core.kinds.step_review.processbench_item`` documents which field goes where.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
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


def mapped_batches(parts: Iterable[ParsedFile], mapping: ItemMapping) -> Iterator[ParsedFile]:
    """``map_rows`` of each part of a file, as it comes."""
    for part in parts:
        yield map_rows(part, mapping)


def item_batches(
    parts: Iterable[ParsedFile], *, fmt: FileFormat, kind: str, field_map: FieldMap
) -> Iterator[ParsedFile]:
    """``item_rows`` of each part of a file, as it comes; the file's first row decides what
    every row is read as (a preference row, an item row)."""
    convert: Callable[[ParsedFile], ParsedFile] | None = None
    for part in parts:
        if convert is None and part.rows:
            convert = row_reader(part.rows[0], fmt=fmt, kind=kind, field_map=field_map)
        yield part if convert is None else convert(part)


def row_reader(
    first: Any, *, fmt: FileFormat, kind: str, field_map: FieldMap
) -> Callable[[ParsedFile], ParsedFile]:
    """How the rows of a file whose first row is ``first`` become item rows: a Label Studio
    task or a row under ``--map`` mapped; for a ``pairwise`` project, rows of the preference
    shape mapped; Arrow rows without nulls."""
    if fmt is FileFormat.LABEL_STUDIO:
        to_task = partial(label_studio_item, field_map=field_map, kind=kind)
        return partial(map_each, to_item=to_task, what="a Label Studio task")
    if field_map.pairs:
        return partial(map_each, to_item=partial(map_row, field_map), what="--map")
    if kind == "pairwise" and first is not None and is_preference_row(first):
        return partial(map_each, to_item=preference_item, what="a preference row")
    if fmt in ARROW_FORMATS:
        return _without_nulls
    return _as_is


def _without_nulls(parsed: ParsedFile) -> ParsedFile:
    rows = [{k: v for k, v in row.items() if v is not None} for row in parsed.rows]
    return ParsedFile(rows, parsed.lines, parsed.errors)


def _as_is(parsed: ParsedFile) -> ParsedFile:
    return parsed


def map_each(
    parsed: ParsedFile, to_item: Callable[[Mapping[str, Any]], dict[str, Any]], what: str
) -> ParsedFile:
    """Every row through ``to_item``; a row that does not fit is an error on its line (rows
    that could not be read stay errors)."""
    mapped = ParsedFile(errors=list(parsed.errors))
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
