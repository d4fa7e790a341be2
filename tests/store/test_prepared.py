"""Statements run on the driver's cursor (``store.prepared``) read and write exactly what the
ORM reads and writes, on both databases, and fail as SQLAlchemy fails."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from expertloop.store import Database
from expertloop.store.prepared import Prepared, attribute_names, columns_of, compile_all
from expertloop.store.queue import lease_in_project, project_and_live_lease
from expertloop.store.tables import Assignment, Item, Judgment, Project
from judging import claim, submit

ITEM_BY_ID = Prepared(select(*columns_of(Item)).where(Item.id == bindparam("item_id")))
PROJECT_BY_ID = Prepared(select(*columns_of(Project)).where(Project.id == bindparam("id")))
LEASE_BY_ID = Prepared(select(*columns_of(Assignment)).where(Assignment.id == bindparam("id")))


def as_dict(row: Any, model: type[Any]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in attribute_names(model)}


def judged_lease(client: Any, factory: Any) -> tuple[int, int]:
    """A label project with one item judged through the API: (project id, assignment id)."""
    expert = factory.user("expert")
    project_id = factory.project(items=2)
    lease = claim(client, expert, project_id)
    submit(client, expert, lease["assignment_id"], {"labels": ["yes"]}, "as the trial says")
    return project_id, int(lease["assignment_id"])


def test_rows_read_on_the_cursor_equal_what_the_orm_loads(
    client: Any, factory: Any, database: Database
) -> None:
    project_id, assignment_id = judged_lease(client, factory)
    with database.scoped() as session:
        lease = session.get(Assignment, assignment_id)
        assert lease is not None and lease.ended_at is not None
        pairs = [
            (LEASE_BY_ID, Assignment, {"id": assignment_id}, lease),
            (ITEM_BY_ID, Item, {"item_id": lease.item_id}, session.get(Item, lease.item_id)),
            (PROJECT_BY_ID, Project, {"id": project_id}, session.get(Project, project_id)),
        ]
        for statement, model, values, loaded in pairs:
            transient = statement.first_as(model, session, values)
            assert as_dict(transient, model) == as_dict(loaded, model), model.__name__
        # JSON, booleans and aware datetimes come back typed, not as the driver's text.
        item = ITEM_BY_ID.first_as(Item, session, {"item_id": lease.item_id})
        assert item is not None and isinstance(item.responses, list) and item.started is True
        assert item.created_at.tzinfo is not None
        assert ITEM_BY_ID.first(session, {"item_id": -1}) is None


def test_rows_written_on_the_cursor_read_back_through_the_orm(
    client: Any, factory: Any, database: Database, clock: Any
) -> None:
    _, assignment_id = judged_lease(client, factory)
    with database.scoped() as session:
        judgment = session.scalars(
            select(Judgment).where(Judgment.assignment_id == assignment_id)
        ).one()
        # Written by the submit path through ``Prepared``: what the ORM reads back is typed.
        assert judgment.value == {"labels": ["yes"]}
        assert judgment.rationale == "as the trial says"
        assert judgment.created_at.tzinfo is not None


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it(
    client: Any, factory: Any, database: Database
) -> None:
    _, assignment_id = judged_lease(client, factory)
    columns = ("project_id", "item_id", "assignment_id", "expert_id", "value", "rationale")
    duplicate = Prepared(insert(Judgment).returning(Judgment.id), keys=columns)
    with database.scoped() as session:
        existing = session.scalars(
            select(Judgment).where(Judgment.assignment_id == assignment_id)
        ).one()
        values = {name: getattr(existing, name) for name in columns}
        with pytest.raises(IntegrityError):  # one judgment per assignment
            duplicate.first(session, values)


def test_compile_all_prepares_every_statement_for_a_dialect(database: Database) -> None:
    assert compile_all(database.writer.dialect) >= 3
    compiled = ITEM_BY_ID.compile_for(database.writer.dialect)
    assert compiled.sql.startswith("SELECT items.id")
    assert compiled.server_prepared is (database.writer.dialect.driver == "psycopg")


def test_one_query_reads_the_project_with_the_experts_live_lease(
    client: Any, factory: Any, database: Database, clock: Any
) -> None:
    expert = factory.user("expert")
    project_id = factory.project(items=2)
    with database.scoped() as session:
        project, lease = project_and_live_lease(
            session, project_id=project_id, expert_id=expert.id, now=clock()
        )
        assert project is not None and project.id == project_id and lease is None
        assert project_and_live_lease(session, project_id=-1, expert_id=expert.id, now=clock()) == (
            None,
            None,
        )
    claimed = claim(client, expert, project_id)
    with database.scoped() as session:
        project, lease = project_and_live_lease(
            session, project_id=project_id, expert_id=expert.id, now=clock()
        )
        assert lease is not None and lease.id == claimed["assignment_id"]
        assert project is not None and project.spec["labels"] == ["yes", "no"]
        found = lease_in_project(session, claimed["assignment_id"])
        assert found is not None and found[0].id == lease.id and found[1].id == project_id
        assert lease_in_project(session, -1) is None
