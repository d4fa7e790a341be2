"""TRL's dataset format conventions, written out for tests (TRL itself is not installed).

Columns and types per trainer follow https://huggingface.co/docs/trl/dataset_formats ("Overview
of the dataset formats and types", "Which dataset type to use?"): SFTTrainer reads ``messages``
(conversational language modelling), ``text``, or ``prompt`` + ``completion``; DPOTrainer and
RewardTrainer read ``prompt``, ``chosen``, ``rejected`` (RewardTrainer also a float ``margin``);
KTOTrainer reads ``prompt``, ``completion`` and a bool ``label``; PRMTrainer reads a string
``prompt``, a list of string ``completions`` and a list of bool ``labels`` of the same length.

``is_conversational`` follows TRL's documented rule (https://huggingface.co/docs/trl/data_utils,
``trl.is_conversational``): an example is conversational when one of its keys among ``prompt``,
``chosen``, ``rejected``, ``completion`` and ``messages`` holds a list of messages, each a dict
with ``role`` and ``content``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import datasets

STRING = datasets.Value("string")
BOOL = datasets.Value("bool")
FLOAT = datasets.Value("float64")
CONVERSATIONAL_KEYS = ("prompt", "chosen", "rejected", "completion", "messages")
LIST_FEATURES = tuple(
    kind
    for kind in (
        getattr(datasets, "List", None),
        getattr(datasets, "Sequence", None),
        getattr(datasets, "LargeList", None),
    )
    if kind is not None
)
# format -> (required columns, optional columns) per TRL's dataset types
TRL_COLUMNS: dict[str, list[tuple[set[str], set[str]]]] = {
    "sft": [({"messages"}, set()), ({"prompt", "completion"}, set()), ({"text"}, set())],
    "preference": [({"prompt", "chosen", "rejected"}, {"margin"})],
    "kto": [({"prompt", "completion", "label"}, set())],
    "stepwise": [({"prompt", "completions", "labels"}, set())],
}


def is_conversational(example: Mapping[str, Any]) -> bool:
    """TRL's rule: a conversational key holds a list of ``{"role", "content"}`` dicts."""
    return any(_messages(example.get(key)) for key in CONVERSATIONAL_KEYS)


def _messages(value: Any) -> bool:
    if not isinstance(value, list) or not value:
        return False
    return all(isinstance(m, dict) and "role" in m and "content" in m for m in value)


def item_feature(feature: Any) -> Any:
    """The feature of a list column's elements (``[x]`` in old datasets, ``List(x)`` now)."""
    if isinstance(feature, list):
        assert len(feature) == 1
        return feature[0]
    assert isinstance(feature, LIST_FEATURES), feature
    return feature.feature


def is_messages(feature: Any) -> bool:
    """Whether a feature is a list of ``{role: string, content: string}``."""
    inner = item_feature(feature)
    return dict(inner) == {"role": STRING, "content": STRING}


def assert_trl_format(dataset: datasets.Dataset, format_name: str, conversational: bool) -> None:
    """The dataset has one of the format's TRL column sets, with TRL's types, row by row."""
    columns = set(dataset.column_names) - {"provenance"}
    matches = [
        (needed, optional)
        for needed, optional in TRL_COLUMNS[format_name]
        if needed <= columns <= needed | optional
    ]
    assert matches, f"{sorted(columns)} is not a TRL {format_name} column set"
    features = dataset.features
    for name in columns & {"prompt", "completion", "chosen", "rejected", "messages", "text"}:
        if conversational:
            assert is_messages(features[name]), (name, features[name])
        else:
            assert features[name] == STRING, (name, features[name])
    _assert_typed_columns(dataset, columns)
    for example in dataset:
        assert is_conversational(example) is conversational, example
        if conversational:
            _assert_roles(example)


def _assert_typed_columns(dataset: datasets.Dataset, columns: set[str]) -> None:
    features = dataset.features
    if "margin" in columns:
        assert features["margin"] == FLOAT
    if "label" in columns:
        assert features["label"] == BOOL
    if "completions" in columns:
        assert features["prompt"] == STRING
        assert item_feature(features["completions"]) == STRING
        assert item_feature(features["labels"]) == BOOL
        for example in dataset:
            assert len(example["completions"]) == len(example["labels"]) > 0


def _assert_roles(example: Mapping[str, Any]) -> None:
    """Messages carry chat roles; an answer column ends on the assistant's message."""
    for key in CONVERSATIONAL_KEYS:
        messages = example.get(key)
        if messages is None:
            continue
        assert {m["role"] for m in messages} <= {"system", "user", "assistant"}
        if key in {"chosen", "rejected", "completion", "messages"}:
            assert messages[-1]["role"] == "assistant"
