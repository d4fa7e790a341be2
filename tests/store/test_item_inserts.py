"""The import's bulk insert (executemany on SQLite, COPY on PostgreSQL) stores what the ORM
stores: the same values read back, the same JSON text, every character of text kept."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, text

from expertloop.core.items import ItemDraft
from expertloop.store import Database, IntegrityError, tallies
from expertloop.store.items import insert_items
from expertloop.store.json_text import dumps
from expertloop.store.tables import Item

HARD = "tab\there, new\nline, \r, back\\slash, \\N, \\t, 'q' \"qq\", \u00e9\u2028\U0001f600 end\\"


def drafts() -> list[ItemDraft]:
    return [
        ItemDraft(
            external_id=HARD,
            prompt=[{"role": "user", "content": HARD}],
            context=HARD,
            responses=[{"id": "A", "text": HARD, "model": None}],
            metadata={"k": HARD, "n": 1.5, "big": 10**20, "none": None, "list": [True, False]},
            priority=-7,
            data={"steps": [HARD, ""]},
        ),
        ItemDraft(external_id=None, prompt="plain", context=None, responses=[]),
    ]


def shared(project_id: int) -> dict[str, Any]:
    values = {"project_id": project_id, "overlap": 3, "state": "open", "started": False}
    return {**values, "judgments_count": 0, "leases_count": 0}


def read_back(database: Database, project_id: int) -> list[tuple[Any, ...]]:
    with database.scoped() as session:
        query = select(Item).where(Item.project_id == project_id).order_by(Item.id)
        return [
            (
                i.external_id,
                i.prompt,
                i.context,
                i.responses,
                i.metadata_,
                i.priority,
                i.data,
                i.overlap,
                i.state,
                i.started,
                i.created_at,
            )
            for i in session.scalars(query)
        ]


def test_inserted_items_read_back_as_the_orm_stores_them(
    database: Database, factory: Any, clock: Any
) -> None:
    bulk, orm = factory.project(kind="label"), factory.project(kind="label")
    with database.scoped() as session:
        assert insert_items(session, drafts(), shared=shared(bulk), now=clock()) == 2
        for draft in drafts():
            session.add(
                Item(
                    project_id=orm,
                    external_id=draft.external_id,
                    prompt=draft.prompt,
                    context=draft.context,
                    responses=draft.responses,
                    metadata_=draft.metadata,
                    priority=draft.priority,
                    data=draft.data,
                    created_at=clock(),
                    **{k: v for k, v in shared(orm).items() if k != "project_id"},
                )
            )
        session.flush()
        tallies.recount(session, orm)  # items added through the ORM, around the import
        session.commit()
    assert read_back(database, bulk) == read_back(database, orm)
    first = read_back(database, bulk)[0]
    assert first[0] == first[2] == HARD
    assert first[4]["big"] == 10**20


def test_json_columns_hold_the_text_the_orm_writes(
    database: Database, factory: Any, clock: Any
) -> None:
    project_id = factory.project(kind="label")
    with database.scoped() as session:
        insert_items(session, drafts(), shared=shared(project_id), now=clock())
        cast = "" if database.sqlite else "::text"
        columns = ", ".join(f"{c}{cast}" for c in ("prompt", "responses", "data", "metadata"))
        rows = session.execute(
            text(f"SELECT {columns} FROM items WHERE project_id = :p ORDER BY id"),
            {"p": project_id},
        ).all()
        session.rollback()
    first = drafts()[0]
    values = [first.prompt, first.responses, first.data, first.metadata]
    if database.sqlite:  # the very text json.dumps writes, as SQLAlchemy's JSON type does
        assert list(rows[0]) == [json.dumps(value) for value in values]
    else:  # jsonb keeps the value, not the text
        assert [json.loads(cell) for cell in rows[0]] == values
    assert json.loads(rows[1][0]) == "plain"


def test_dumps_writes_what_json_dumps_writes() -> None:
    for value in [HARD, {"a": [1, 2.5, None, True]}, [], {1: "x"}, float("nan"), 10**30]:
        assert dumps(value) == json.dumps(value)
    with pytest.raises(TypeError):
        dumps({"a": {1, 2}})


def test_a_taken_external_id_undoes_that_insert_only(
    database: Database, factory: Any, clock: Any
) -> None:
    project_id = factory.project(kind="label")
    new = ItemDraft(external_id="new", prompt="n", context=None, responses=[])
    with database.scoped() as session:
        insert_items(session, drafts(), shared=shared(project_id), now=clock())
        with pytest.raises(IntegrityError):  # the first row goes in, the second fails
            insert_items(session, [new, *drafts()[:1]], shared=shared(project_id), now=clock())
        assert insert_items(session, iter([new]), shared=shared(project_id), now=clock()) == 1
        assert insert_items(session, [], shared=shared(project_id), now=clock()) == 0
        session.commit()
    ids = [row[0] for row in read_back(database, project_id)]
    assert ids == [HARD, None, "new"]  # the failed insert was undone, the transaction went on
