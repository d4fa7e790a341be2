"""Field maps (``--map``), Label Studio tasks and preference rows mapped to item rows."""

from __future__ import annotations

from typing import Any

import pytest

from expertloop.core.errors import Invalid
from expertloop.core.field_maps import MISSING, FieldMap, lookup, map_row, parse_field_map
from expertloop.core.label_studio import label_studio_item
from expertloop.core.preference_rows import is_preference_row, preference_item


def messages(error: Invalid) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in error.errors]


def test_parse_field_map_keeps_the_order_given() -> None:
    field_map = parse_field_map(
        ["prompt=question", " responses.B = b ", "responses.A=a", "responses.A.model=m"]
    )
    assert field_map.pairs == (
        ("prompt", "question"),
        ("responses.B", "b"),
        ("responses.A", "a"),
        ("responses.A.model", "m"),
    )


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["prompt"], "'prompt': expected FIELD=SOURCE"),
        (["prompt="], "'prompt=': expected FIELD=SOURCE"),
        (["=q"], "'=q': unknown field ''"),
        (["title=q"], "'title=q': unknown field 'title'"),
        (["prompt.x=q"], "'prompt.x=q': prompt has no parts"),
        (["metadata..x=q"], "'metadata..x=q': 'metadata..x' has an empty key"),
        (["responses.A.text=q"], "'responses.A.text=q': a response is responses.<ID>"),
        (["data=q", "data.steps=s"], "'data.steps=s': data.steps overlaps data"),
        (["context=a", "context=b"], "'context=b': context is mapped twice"),
        (["responses.B.model=m"], "'responses.B.model' needs 'responses.B'"),
    ],
)
def test_parse_field_map_refuses_bad_pairs(specs: list[str], message: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_field_map(specs)
    assert caught.value.code == "items.invalid"
    assert caught.value.errors[0].field == "map"
    assert caught.value.errors[0].message.startswith(message)


def test_metadata_keys_named_model_are_not_responses() -> None:
    field_map = parse_field_map(["metadata.model=m", "metadata.x.model=n"])
    assert map_row(field_map, {"m": "gpt", "n": "v2"}) == {
        "metadata": {"model": "gpt", "x": {"model": "v2"}}
    }


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a.b", "whole key"),
        ("a.c", 3),
        ("list.1.x", "second"),
        ("list.2", MISSING),
        ("a.c.d", MISSING),
        ("nope", MISSING),
    ],
)
def test_lookup_reads_whole_keys_then_dotted_paths(path: str, expected: Any) -> None:
    row = {"a.b": "whole key", "a": {"c": 3}, "list": [{"x": "first"}, {"x": "second"}]}
    found = lookup(row, path)
    assert found is MISSING if expected is MISSING else found == expected


def test_map_row_fills_fields_and_copies_columns_named_like_item_fields() -> None:
    field_map = parse_field_map(
        [
            "prompt=q.text",
            "responses.A=answers.0",
            "responses.B=answers.1",
            "responses.B.model=model",
            "data.prediction.label=label",
            "metadata.source=origin",
        ]
    )
    row = {
        "q": {"text": "Q?"},
        "answers": ["yes", "no"],
        "model": "m2",
        "label": "L",
        "origin": None,  # a null fills nothing
        "priority": "7",
        "context": "ctx",
    }
    assert map_row(field_map, row) == {
        "prompt": "Q?",
        "responses": [{"id": "A", "text": "yes"}, {"id": "B", "text": "no", "model": "m2"}],
        "data": {"prediction": {"label": "L"}},
        "priority": 7,
        "context": "ctx",
    }
    assert row["q"] == {"text": "Q?"}  # the row is not changed


def test_map_row_names_missing_sources_and_unmapped_columns() -> None:
    field_map = parse_field_map(["prompt=question", "metadata.x=x"])
    with pytest.raises(Invalid) as caught:
        map_row(field_map, {"question": "Q", "extra": 1, "metadata": {"y": 1}})
    assert messages(caught.value) == [
        ("x", "is missing (mapped to metadata.x)"),
        ("extra", "is not mapped; add --map FIELD=extra"),
        ("metadata", "is not mapped; add --map FIELD=metadata"),  # the map fills metadata
    ]


def test_an_empty_field_map_copies_item_rows() -> None:
    row = {"prompt": "p", "responses": [{"text": "a"}]}
    assert map_row(FieldMap(), row) == row


TASK = {
    "id": 5,
    "data": {"text": "Is it safe?", "response_A": "yes", "model_A": "m1", "response_B": "no"},
    "annotations": [{"id": 1, "result": [{"type": "choices", "value": {"choices": ["A"]}}]}],
    "predictions": [],
    "created_at": "2024-01-01T00:00:00Z",
}


def test_label_studio_task_defaults() -> None:
    assert label_studio_item(TASK, field_map=FieldMap(), kind="pairwise") == {
        "external_id": "ls-5",
        "prompt": "Is it safe?",
        "responses": [{"id": "A", "text": "yes", "model": "m1"}, {"id": "B", "text": "no"}],
        "metadata": {"label_studio": {"id": 5, "annotations": TASK["annotations"]}},
    }


def test_label_studio_map_overrides_defaults() -> None:
    field_map = parse_field_map(["context=data.text", "prompt=data.response_B", "external_id=id"])
    item = label_studio_item(TASK, field_map=field_map, kind="label")
    assert item["external_id"] == 5
    assert (item["prompt"], item["context"]) == ("no", "Is it safe?")
    assert item["responses"] == [{"id": "A", "text": "yes", "model": "m1"}]


@pytest.mark.parametrize(
    ("task", "kind", "expected"),
    [
        ("not a task", "label", [("data", "a task must be {id, data: {...}}")]),
        ({"id": 1, "data": []}, "label", [("data", "a task must be {id, data: {...}}")]),
        (
            {"id": 1, "data": {"text": "t", "question": "q", "hint": "h"}},
            "label",
            [
                (
                    "data.question",
                    "goes to no item field; add --map FIELD=data.question (e.g. metadata.question)",
                ),
                (
                    "data.hint",
                    "goes to no item field; add --map FIELD=data.hint (e.g. metadata.hint)",
                ),
            ],
        ),
        (
            {"id": 1, "data": {"text": "t"}, "predictions": [{"result": [{"type": "labels"}]}]},
            "verify",
            [("predictions", "a verify item needs a choices prediction")],
        ),
    ],
)
def test_label_studio_tasks_that_do_not_fit(
    task: Any, kind: str, expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(Invalid) as caught:
        label_studio_item(task, field_map=FieldMap(), kind=kind)
    assert messages(caught.value) == expected


def test_label_studio_verify_prediction_from_the_first_choices_result() -> None:
    task = {
        "id": 2,
        "data": {"text": "t"},
        "predictions": [
            {
                "model_version": "v3",
                "score": 0.4,
                "result": [
                    {"type": "textarea", "value": {"text": ["note"]}},
                    {"type": "choices", "value": {"choices": ["spam", "ham"]}},
                ],
            },
            {"model_version": "v4", "result": [{"value": {"choices": ["ham"]}}]},
        ],
    }
    item = label_studio_item(task, field_map=FieldMap(), kind="verify")
    assert item["data"] == {"prediction": {"label": "spam", "model": "v3", "confidence": 0.4}}
    assert item["metadata"]["label_studio"]["predictions"] == task["predictions"]


HH = {
    "id": 7,
    "prompt": "\n\nHuman: hi\n\nAssistant:",
    "chosen": " hello",
    "rejected": " go away",
    "chosen_full": "\n\nHuman: hi\n\nAssistant: hello",
    "rejected_full": "\n\nHuman: hi\n\nAssistant: go away",
}


def test_is_preference_row() -> None:
    assert is_preference_row(HH)
    assert not is_preference_row({**HH, "responses": []})
    assert not is_preference_row({"prompt": "p", "chosen": "c"})
    assert not is_preference_row(["prompt", "chosen", "rejected"])


def test_preference_item_is_deterministic_and_keeps_the_reference() -> None:
    item = preference_item(HH)
    assert item == preference_item(dict(HH))
    choice = item["metadata"]["reference_choice"]
    texts = {r["id"]: r["text"] for r in item["responses"]}
    assert texts[choice] == " hello"
    assert texts["B" if choice == "A" else "A"] == " go away"
    assert item["external_id"] == 7
    assert item["prompt"] == HH["prompt"]
    assert item["metadata"] == {"reference_choice": choice, "source": "hh-rlhf"}


def test_preference_items_put_chosen_first_in_about_half_the_rows() -> None:
    choices = [
        preference_item({"id": f"r{n}", "prompt": "p", "chosen": "c", "rejected": "r"})
        for n in range(200)
    ]
    firsts = [item["metadata"]["reference_choice"] for item in choices]
    assert 60 < firsts.count("A") < 140


def test_preference_item_with_chat_messages_and_extra_columns() -> None:
    row = {
        "prompt": [{"role": "user", "content": "2+2?"}],
        "chosen": [{"role": "assistant", "content": "4"}],
        "rejected": [{"role": "assistant", "content": "5"}],
        "score_chosen": 9.0,
        "metadata": {"source": "ultrafeedback"},
        "priority": 2,
    }
    item = preference_item(row)
    assert sorted(r["text"] for r in item["responses"]) == ["4", "5"]
    assert "external_id" not in item
    assert item["priority"] == 2
    assert item["metadata"]["source"] == "ultrafeedback"
    assert item["metadata"]["score_chosen"] == 9.0


def test_preference_item_names_what_is_wrong() -> None:
    with pytest.raises(Invalid) as caught:
        preference_item({"prompt": "p", "chosen": 3})
    assert messages(caught.value) == [
        ("rejected", "is missing"),
        ("chosen", "must be a text or a list of chat messages"),
    ]
