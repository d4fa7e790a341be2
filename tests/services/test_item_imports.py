"""Importing items in batches: one transaction for the whole stream, errors named by their row,
external ids repeated across batches refused, the same items whatever the batch size."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from expertloop.core.errors import FieldError, Invalid
from expertloop.services import items as item_service
from expertloop.services.items import ItemBatch, import_item_batches, import_items
from expertloop.store import Database
from expertloop.store.items import iter_items

PAIR = [{"id": "A", "text": "first\tanswer", "model": "m1"}, {"text": "second\nanswer"}]


def rows(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "external_id": f"q{n}",
            "prompt": f"Question {n} \u00e9\u4e2d\U0001f600",
            "context": None if n % 2 else f"context {n}",
            "responses": PAIR,
            "metadata": {"n": n, "tags": ["a", "b"], "nested": {"x": None}},
            "data": {},
            "priority": n % 5,
        }
        for n in range(start, start + count)
    ]


def stored(database: Database, project_id: int) -> list[dict[str, Any]]:
    with database.scoped() as session:
        return [
            {
                "external_id": i.external_id,
                "prompt": i.prompt,
                "context": i.context,
                "responses": i.responses,
                "data": i.data,
                "metadata": i.metadata_,
                "priority": i.priority,
                "overlap": i.overlap,
                "state": i.state,
                "started": i.started,
                "counts": (i.judgments_count, i.leases_count, i.author_id),
                "created_at": i.created_at,
            }
            for i in iter_items(session, project_id)
        ]


def run_import(database: Database, clock: Any, project_id: int, source: Any) -> int:
    with database.scoped() as session:
        return import_items(
            session=session, actor=None, project_id=project_id, rows=source, now=clock()
        )


def test_many_batches_store_what_one_batch_stores(
    database: Database, factory: Any, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = factory.project(kind="pairwise", overlap=2)
    batched = factory.project(kind="pairwise", overlap=2)
    assert run_import(database, clock, whole, rows(23)) == 23
    monkeypatch.setattr(item_service, "BATCH_ROWS", 5)
    assert run_import(database, clock, batched, iter(rows(23))) == 23  # a one-pass iterator
    assert stored(database, batched) == stored(database, whole)
    first = stored(database, whole)[0]
    assert first["responses"] == [
        {"id": "A", "text": "first\tanswer", "model": "m1"},
        {"id": "B", "text": "second\nanswer", "model": None},
    ]
    assert (first["overlap"], first["state"], first["started"]) == (2, "open", False)
    assert first["counts"] == (0, 0, None)
    assert first["created_at"] == clock()


def test_an_external_id_repeated_in_a_later_batch_is_refused_and_nothing_stored(
    database: Database, factory: Any, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_id = factory.project(kind="pairwise")
    monkeypatch.setattr(item_service, "BATCH_ROWS", 4)
    source = rows(12)
    source[9]["external_id"] = "q2"  # third batch repeats a row of the first
    source[10]["external_id"] = "q9"  # a row whose id was taken over by the repeat
    with pytest.raises(Invalid) as raised:
        run_import(database, clock, project_id, source)
    assert raised.value.code == "items.invalid"
    assert raised.value.errors == [
        FieldError("external_id", "repeats 'q2', used by an earlier row", 9)
    ]
    assert stored(database, project_id) == []


def test_ids_the_project_has_are_refused_in_every_batch(
    database: Database, factory: Any, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_id = factory.project(kind="pairwise")
    run_import(database, clock, project_id, rows(3))
    monkeypatch.setattr(item_service, "BATCH_ROWS", 2)
    with pytest.raises(Invalid) as raised:
        run_import(database, clock, project_id, rows(6, start=1))
    assert [(e.row, e.field, e.message) for e in raised.value.errors] == [
        (0, "external_id", "the project already has an item 'q1'"),
        (1, "external_id", "the project already has an item 'q2'"),
    ]
    assert len(stored(database, project_id)) == 3


def test_a_bad_row_in_the_last_batch_stores_nothing_and_every_error_is_named(
    database: Database, factory: Any, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_id = factory.project(kind="pairwise")
    monkeypatch.setattr(item_service, "BATCH_ROWS", 10)
    source = rows(35)
    source[3]["priority"] = "high"
    source[34]["responses"] = PAIR[:1]
    with pytest.raises(Invalid) as raised:
        run_import(database, clock, project_id, source)
    assert [(e.row, e.field) for e in raised.value.errors] == [
        (3, "priority"),
        (34, "responses"),
    ]
    assert stored(database, project_id) == []


def batches(parts: list[ItemBatch], read: list[int]) -> Iterator[ItemBatch]:
    for number, part in enumerate(parts):
        read.append(number)
        yield part


def test_batches_name_rows_by_their_numbers_and_carry_problems_found_before(
    database: Database, factory: Any, clock: Any
) -> None:
    project_id = factory.project(kind="label")
    good, bad = {"external_id": "a", "prompt": "fine"}, {"external_id": "b", "prompt": " "}
    parts = [
        ItemBatch([good], [2]),
        ItemBatch([bad, good], [7, 9], [FieldError("json", "not valid JSON", 8)]),
    ]
    with database.scoped() as session, pytest.raises(Invalid) as raised:
        import_item_batches(
            session=session, actor=None, project_id=project_id, batches=parts, now=clock()
        )
    assert [(e.row, e.field, e.message) for e in raised.value.errors] == [
        (7, "prompt", "must not be empty"),
        (8, "json", "not valid JSON"),
        (9, "external_id", "repeats 'a', used by an earlier row"),
    ]
    assert stored(database, project_id) == []


def test_reading_stops_after_max_problems_and_progress_is_reported(
    database: Database, factory: Any, clock: Any
) -> None:
    project_id = factory.project(kind="label")
    parts = [ItemBatch([{"prompt": ""}] * 3, range(n * 3, n * 3 + 3)) for n in range(5)]
    read: list[int] = []
    with database.scoped() as session, pytest.raises(Invalid) as raised:
        import_item_batches(
            session=session,
            actor=None,
            project_id=project_id,
            batches=batches(parts, read),
            now=clock(),
            max_problems=5,
        )
    assert read == [0, 1]  # two batches hold 6 problems; the rest was never read
    assert len(raised.value.errors) == 6
    progress: list[int] = []
    good = [ItemBatch([{"prompt": f"p{n}"}], [n]) for n in range(3)]
    with database.scoped() as session:
        created = import_item_batches(
            session=session,
            actor=None,
            project_id=project_id,
            batches=good,
            now=clock(),
            on_stored=progress.append,
        )
    assert (created, progress) == (3, [1, 2, 3])
