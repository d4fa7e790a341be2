"""Explicit Arrow schemas of the export formats, the row shape check, and rows to record batches.

Every Parquet batch of one export has the same schema, built from the format and the *shape* of
the first row, never inferred from data (a ``None`` or a missing optional key would change what
inference finds). TRL columns get TRL's types
(https://huggingface.co/docs/trl/dataset_formats):

* ``sft``: ``messages`` (list of ``{role, content}``), or ``prompt`` and ``completion`` (each a
  string, or a message list in the conversational form);
* ``preference``: ``prompt``, ``chosen``, ``rejected`` (strings or message lists) and, when the
  rows carry it, ``margin`` (float64);
* ``kto``: ``prompt``, ``completion`` (strings or message lists) and ``label`` (bool);
* ``stepwise``: ``prompt`` (string), ``completions`` (list of strings), ``labels`` (list of
  bools);
* ``raw``: the union of judgment and consensus rows; columns a row lacks are null.

Every format ends with ``provenance``, a struct (``PROVENANCE``) with its experts as a list of
``{id, tracks, guideline_version, active_seconds}``. Values whose shape depends on the task kind
are written as JSON strings: the ``value`` column of ``raw`` rows, and ``provenance.extra``,
which holds any provenance key the struct does not name (null when there is none); the keys the
export formats add today (``source``, ``chosen``, ``rejected``, ``response``, ``score``,
``first_error``, ``label_source``) are typed fields of the struct, null where a format has none.

A row's shape is its columns and, for each text column, whether it holds messages or a string;
every row must have the first row's shape (TRL reads a dataset as all conversational or all
standard).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from expertloop.core.errors import FieldError, invalid
from expertloop.core.exports.common import is_chat

MESSAGES = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
STRINGS = pa.list_(pa.string())
EXPERT = pa.struct(
    [
        ("id", pa.string()),
        ("tracks", STRINGS),
        ("guideline_version", pa.int64()),
        ("active_seconds", pa.float64()),
    ]
)
PROVENANCE_FIELDS = (
    ("item_id", pa.int64()),
    ("external_id", pa.string()),
    ("kind", pa.string()),
    ("experts", pa.list_(EXPERT)),
    ("tracks", STRINGS),
    ("guideline_versions", pa.list_(pa.int64())),
    ("active_seconds", pa.float64()),
    ("judgments", pa.int64()),
    ("confidence", pa.float64()),
    ("agreement", pa.float64()),
    ("consensus_state", pa.string()),
    ("method", pa.string()),
    ("adjudicated", pa.bool_()),
    ("source", pa.string()),
    ("chosen", pa.string()),
    ("rejected", pa.string()),
    ("response", pa.string()),
    ("score", pa.float64()),
    ("first_error", pa.int64()),
    ("label_source", pa.string()),
)
PROVENANCE = pa.struct([*PROVENANCE_FIELDS, ("extra", pa.string())])
KNOWN_PROVENANCE = frozenset(name for name, _ in PROVENANCE_FIELDS)

TEXT = None  # a column that holds a string or a message list, decided by the first row
Column = tuple[str, pa.DataType | None]
Shape = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Layout:
    """The columns one export format may write.

    ``alternatives``: a row holds every column of at least one of them; ``fixed``: every column
    is always written (null when a row lacks it) instead of the first row's columns;
    ``json``: columns written as JSON strings.
    """

    name: str
    columns: tuple[Column, ...]
    alternatives: tuple[tuple[str, ...], ...]
    fixed: bool = False
    json: frozenset[str] = frozenset()


RAW_COLUMNS: tuple[Column, ...] = (
    ("type", pa.string()),
    ("item_id", pa.int64()),
    ("external_id", pa.string()),
    ("kind", pa.string()),
    ("expert", pa.string()),
    ("value", pa.string()),
    ("rationale", pa.string()),
    ("guideline_version", pa.int64()),
    ("active_seconds", pa.float64()),
    ("review_state", pa.string()),
    ("tracks", STRINGS),
    ("created_at", pa.string()),
    ("confidence", pa.float64()),
    ("state", pa.string()),
    ("method", pa.string()),
    ("agreement", pa.float64()),
    ("adjudicated", pa.bool_()),
)
LAYOUTS = {
    layout.name: layout
    for layout in (
        Layout(
            "sft",
            (("messages", MESSAGES), ("prompt", TEXT), ("completion", TEXT)),
            (("messages",), ("prompt", "completion")),
        ),
        Layout(
            "preference",
            (("prompt", TEXT), ("chosen", TEXT), ("rejected", TEXT), ("margin", pa.float64())),
            (("prompt", "chosen", "rejected"),),
        ),
        Layout(
            "kto",
            (("prompt", TEXT), ("completion", TEXT), ("label", pa.bool_())),
            (("prompt", "completion", "label"),),
        ),
        Layout(
            "stepwise",
            (("prompt", pa.string()), ("completions", STRINGS), ("labels", pa.list_(pa.bool_()))),
            (("prompt", "completions", "labels"),),
        ),
        Layout("raw", RAW_COLUMNS, (("type", "item_id"),), fixed=True, json=frozenset({"value"})),
    )
}


def layout_of(format_name: str) -> Layout:
    """The layout of an export format; an unknown name is an ``export.unknown_format`` error."""
    if format_name not in LAYOUTS:
        names = ", ".join(sorted(LAYOUTS))
        raise invalid("export.unknown_format", [FieldError("format", f"must be one of {names}")])
    return LAYOUTS[format_name]


def row_shape(layout: Layout, row: Mapping[str, Any], number: int) -> Shape:
    """The shape of row ``number`` (1-based): its columns and the form of each text column."""
    known = {name for name, _ in layout.columns}
    unknown = sorted(set(row) - known - {"provenance"})
    if unknown:
        raise _row_error(number, unknown[0], f"is not a column of {layout.name} exports")
    if not any(set(columns) <= set(row) for columns in layout.alternatives):
        expected = " or ".join(", ".join(columns) for columns in layout.alternatives)
        raise _row_error(number, "columns", f"a {layout.name} row needs {expected}")
    if not isinstance(row.get("provenance"), Mapping):
        raise _row_error(number, "provenance", "must be an object")
    present = layout.columns if layout.fixed else [c for c in layout.columns if c[0] in row]
    return tuple((name, _form(kind, row.get(name))) for name, kind in present)


def describe(shape: Shape) -> str:
    """A shape as text: ``prompt (messages), chosen (text)...``."""
    return ", ".join(f"{name} ({form})" if form else name for name, form in shape)


def default_shape(layout: Layout) -> Shape:
    """The shape of an export without rows: its first alternative, standard (string) form."""
    first = set(layout.alternatives[0])
    present = [c for c in layout.columns if layout.fixed or c[0] in first]
    return tuple((name, "" if kind is not TEXT else "text") for name, kind in present)


def arrow_schema(layout: Layout, shape: Shape) -> pa.Schema:
    """The Arrow schema of rows of this shape, ``provenance`` last."""
    kinds = dict(layout.columns)
    fields = []
    for name, form in shape:
        kind = kinds[name]
        fields.append(pa.field(name, kind if kind is not TEXT else _text_type(form)))
    return pa.schema([*fields, pa.field("provenance", PROVENANCE)])


def record_batch(
    layout: Layout, schema: pa.Schema, rows: Sequence[Mapping[str, Any]], first: int
) -> pa.RecordBatch:
    """Rows as one record batch of ``schema``; ``first`` is the 1-based number of ``rows[0]``.

    Raises:
        Invalid: ``export.invalid_row`` naming the row and column of a value of the wrong type.
    """
    arrays = []
    for field in schema:
        values = [_cell(layout, field.name, row.get(field.name)) for row in rows]
        try:
            arrays.append(pa.array(values, type=field.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError):
            raise _cell_error(field, values, first) from None
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _form(kind: pa.DataType | None, value: Any) -> str:
    if kind is not TEXT:
        return ""
    return "messages" if is_chat(value) else "text"


def _text_type(form: str) -> pa.DataType:
    return MESSAGES if form == "messages" else pa.string()


def _cell(layout: Layout, name: str, value: Any) -> Any:
    if name == "provenance":
        return _provenance(value)
    if name in layout.json and value is not None:
        return json.dumps(value, ensure_ascii=False)
    return value


def _provenance(origin: Mapping[str, Any]) -> dict[str, Any]:
    """Provenance with the struct's fields; keys the struct does not name go to ``extra``."""
    cell = {name: origin.get(name) for name in KNOWN_PROVENANCE}
    rest = {key: value for key, value in origin.items() if key not in KNOWN_PROVENANCE}
    cell["extra"] = json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else None
    return cell


def _cell_error(field: pa.Field, values: Sequence[Any], first: int) -> Exception:
    """The error of the first value of a column that does not convert to its type."""
    for offset, value in enumerate(values):
        try:
            pa.array([value], type=field.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError) as error:
            return _row_error(first + offset, field.name, f"does not fit {field.type}: {error}")
    return _row_error(first, field.name, f"does not fit {field.type}")


def _row_error(number: int, field: str, message: str) -> Exception:
    return invalid("export.invalid_row", [FieldError(field, message, number)])
