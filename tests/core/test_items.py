"""Reading item rows: every error names its row and field; a bad batch yields nothing."""

from __future__ import annotations

from typing import Any

import pytest

from expertloop.core.errors import Invalid
from expertloop.core.items import read_items
from expertloop.core.kinds import get_kind

GOOD = {
    "external_id": "med-1",
    "prompt": "Is 5 mg of X a safe starting dose?",
    "responses": [{"id": "A", "text": "Yes", "model": "m1"}, {"id": "B", "text": "No"}],
    "metadata": {"source": "trial"},
}

BAD_ROWS: list[tuple[dict[str, Any], str]] = [
    ({**GOOD, "prompt": ""}, "prompt"),
    ({**GOOD, "prompt": 5}, "prompt"),
    ({**GOOD, "prompt": [{"role": "robot", "content": "hi"}]}, "prompt[0].role"),
    ({**GOOD, "prompt": [{"role": "user", "content": 1}]}, "prompt[0].content"),
    ({**GOOD, "responses": [{"id": "A", "text": "x"}]}, "responses"),
    (
        {**GOOD, "responses": [{"id": "A", "text": "x"}, {"id": "A", "text": "y"}]},
        "responses[1].id",
    ),
    (
        {**GOOD, "responses": [{"id": "A", "text": None}, {"id": "B", "text": "y"}]},
        "responses[0].text",
    ),
    ({**GOOD, "metadata": []}, "metadata"),
    ({**GOOD, "priority": "high"}, "priority"),
    ({**GOOD, "colour": "red"}, "colour"),
    ({**GOOD, "external_id": ""}, "external_id"),
]


@pytest.mark.parametrize(("row", "field"), BAD_ROWS)
def test_read_items_names_row_and_field(row: dict[str, Any], field: str) -> None:
    rows = [GOOD | {"external_id": "ok-0"}, row]
    with pytest.raises(Invalid) as raised:
        read_items(rows, kind=get_kind("pairwise"), spec={"min_rationale_chars": 0}, first_row=10)
    assert (11, field) in [(e.row, e.field) for e in raised.value.errors]
    assert raised.value.message.startswith("row 11, ")


def test_read_items_rejects_repeated_external_id() -> None:
    with pytest.raises(Invalid) as raised:
        read_items([GOOD, GOOD], kind=get_kind("pairwise"), spec={"min_rationale_chars": 0})
    assert [(e.row, e.field) for e in raised.value.errors] == [(1, "external_id")]


def test_read_items_fills_defaults() -> None:
    row = {"prompt": [{"role": "user", "content": "Hello"}], "responses": [{"text": "Hi"}]}
    (draft,) = read_items([row], kind=get_kind("label"), spec={}, first_row=3)
    assert draft.external_id is None
    assert draft.responses == [{"id": "A", "text": "Hi", "model": None}]
    assert draft.priority == 0 and draft.metadata == {}
