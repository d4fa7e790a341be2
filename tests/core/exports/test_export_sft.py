"""SFT rows from demonstrations and corrections: messages or prompt-completion."""

from __future__ import annotations

from typing import Any

import pytest
from export_data import CHAT, PAIR, assert_provenance, item, judgment

from expertloop.core.exports import sft
from expertloop.core.exports.common import is_chat
from expertloop.core.exports.records import ExportOptions

ANSWER = {"messages": [{"role": "assistant", "content": "Paris."}]}
MULTI = {
    "messages": [
        {"role": "assistant", "content": "Paris."},
        {"role": "user", "content": "And Italy?"},
        {"role": "assistant", "content": "Rome."},
    ]
}
EDIT = {"edited": "Paris.", "error_types": ["factual"]}

CASES: list[tuple[str, Any, dict[str, Any], bool, dict[str, Any]]] = [
    (
        "demonstration", "Capital of France?", ANSWER, False,
        {"prompt": "Capital of France?", "completion": "Paris."},
    ),
    (
        "demonstration", CHAT, ANSWER, False,
        {"messages": [*CHAT, {"role": "assistant", "content": "Paris."}]},
    ),
    (
        "demonstration", "Capital of France?", ANSWER, True,
        {"messages": [{"role": "user", "content": "Capital of France?"},
                      {"role": "assistant", "content": "Paris."}]},
    ),
    (
        "demonstration", "Capital of France?", MULTI, False,
        {"messages": [{"role": "user", "content": "Capital of France?"}, *MULTI["messages"]]},
    ),
    (
        "correction", "Capital of France?", EDIT, False,
        {"prompt": "Capital of France?", "completion": "Paris."},
    ),
    (
        "correction", CHAT, EDIT, False,
        {"messages": [*CHAT, {"role": "assistant", "content": "Paris."}]},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "prompt", "value", "chat", "expected"), CASES)
def test_rows_shape_sft_by_prompt_form(
    kind: str, prompt: Any, value: dict[str, Any], chat: bool, expected: dict[str, Any]
) -> None:
    source = item(kind, prompt, responses=PAIR[1:])
    out = list(sft.rows(source, [judgment("e-1", value)], None, options=ExportOptions(chat)))
    assert len(out) == 1
    row = out[0]
    assert {k: v for k, v in row.items() if k != "provenance"} == expected
    assert is_chat(row.get("messages")) == ("messages" in expected)
    assert_provenance(row, ["e-1"])
    assert row["provenance"]["source"] == kind


def test_rows_one_per_usable_judgment() -> None:
    votes = [
        judgment("e-1", ANSWER),
        judgment("e-2", ANSWER, review_state="rejected"),
        judgment("e-3", ANSWER, review_state="accepted"),
    ]
    out = list(sft.rows(item("demonstration"), votes, None))
    assert [row["provenance"]["experts"][0]["id"] for row in out] == ["e-1", "e-3"]


@pytest.mark.parametrize("kind", ["pairwise", "rubric", "label"])
def test_rows_ignore_other_kinds(kind: str) -> None:
    assert list(sft.rows(item(kind), [judgment("e-1", ANSWER)], None)) == []


def test_rows_do_not_share_the_input_prompt() -> None:
    prompt = [dict(m) for m in CHAT]
    row = next(sft.rows(item("demonstration", prompt), [judgment("e-1", ANSWER)], None))
    row["messages"][0]["content"] = "changed"
    assert prompt == CHAT
