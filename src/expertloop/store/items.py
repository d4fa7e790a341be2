"""Items: the bulk insert of an import, and look-ups.

An import stores tens of thousands of items a second, so its insert bypasses the ORM: a JSON
value becomes the text the ORM writes (``json_text.dumps``, the same as ``json.dumps``), every
other value goes through its column type's own bind processor (UTC datetimes, booleans), and the
rows go straight to the driver of the session's transaction: ``executemany`` of one prepared
statement on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL (psycopg 3; the server reads the JSON
text into ``jsonb`` as it reads the ORM's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Dialect, Table, Text, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from expertloop.store.json_text import dumps
from expertloop.store.prepared import raise_as_sqlalchemy
from expertloop.store.tables import Item

CHUNK = 500
Processor = Callable[[Any], Any] | None
_ITEMS = Item.__table__
assert isinstance(_ITEMS, Table)
INSERTED = (
    *(c for c in _ITEMS.columns if c.name not in ("id", "author_id", "created_at")),
    _ITEMS.c.created_at,
)
"""The columns an import fills, ``created_at`` last (``author_id`` stays null: imported items
have none)."""
_KEYS = {column.name: column.key for column in INSERTED} | {"metadata": "metadata_"}


def existing_external_ids(
    session: Session, project_id: int, external_ids: Sequence[str]
) -> set[str]:
    """Which of ``external_ids`` the project already has."""
    return set(find_external_ids(session, project_id, external_ids))


def find_external_ids(
    session: Session, project_id: int, external_ids: Sequence[str]
) -> dict[str, int]:
    """The project's items among ``external_ids``: external id to item id (one query on
    PostgreSQL, one per ``CHUNK`` ids on SQLite)."""
    found: dict[str, int] = {}
    if session.get_bind().dialect.name == "postgresql":
        ids = bindparam("ids", list(external_ids), type_=ARRAY(Text))
        query = select(Item.external_id, Item.id).where(
            Item.project_id == project_id, Item.external_id == func.any(ids)
        )
        found.update((str(key), int(item_id)) for key, item_id in session.execute(query))
        return found
    for start in range(0, len(external_ids), CHUNK):
        chunk = list(external_ids[start : start + CHUNK])
        query = select(Item.external_id, Item.id).where(
            Item.project_id == project_id, Item.external_id.in_(chunk)
        )
        found.update((str(key), int(item_id)) for key, item_id in session.execute(query))
    return found


def last_item_id(session: Session, project_id: int) -> int:
    """The project's highest item id (0 without items): items above it are newer."""
    query = select(func.coalesce(func.max(Item.id), 0)).where(Item.project_id == project_id)
    return int(session.scalar(query) or 0)


def insert_items(session: Session, rows: Sequence[Mapping[str, Any]], now: datetime) -> int:
    """Insert many new items (mappings keyed by ``Item``'s attributes, ``created_at`` set to
    ``now``) in the session's transaction; returns how many. Nothing is flushed or loaded.
    """
    if not rows:
        return 0
    session.flush()  # what the session holds goes in first, as with the ORM
    connection = session.connection()
    dialect = connection.dialect
    driver = connection.connection.driver_connection
    values = _values(rows, now, _processors(dialect))
    try:
        if dialect.name == "postgresql":
            _copy(driver, values)
        else:
            _executemany(driver, values)
    except dialect.loaded_dbapi.Error as error:
        raise_as_sqlalchemy(connection, "INSERT INTO items", None, error)
    return len(rows)


_PROCESSORS: dict[Dialect, tuple[Processor, ...]] = {}


def _processors(dialect: Dialect) -> tuple[Processor, ...]:
    found = _PROCESSORS.get(dialect)
    if found is None:
        found = tuple(_processor(column, dialect) for column in INSERTED)
        _PROCESSORS[dialect] = found
    return found


def _processor(column: Column[Any], dialect: Dialect) -> Processor:
    kind = column.type.dialect_impl(dialect)
    if isinstance(kind, JSON):
        return dumps
    return kind.bind_processor(dialect)


def _values(
    rows: Sequence[Mapping[str, Any]], now: datetime, processors: tuple[Processor, ...]
) -> Iterator[tuple[Any, ...]]:
    """Each row's values in ``INSERTED`` order, as its column types bind them."""
    keys = [_KEYS[column.name] for column in INSERTED]
    stamped = len(keys) - 1
    process_now = processors[stamped]
    stamp = now if process_now is None else process_now(now)
    converted = [
        (index, process)
        for index, process in enumerate(processors)
        if process is not None and index != stamped
    ]
    for row in rows:
        values = [row[key] for key in keys[:stamped]]
        values.append(stamp)
        for index, process in converted:
            value = values[index]
            if value is not None:
                values[index] = process(value)
        yield tuple(values)


def _names() -> str:
    return ", ".join(f'"{column.name}"' for column in INSERTED)


def _executemany(driver: Any, values: Iterator[tuple[Any, ...]]) -> None:
    marks = ", ".join("?" for _ in INSERTED)
    cursor = driver.cursor()
    try:
        cursor.executemany(f"INSERT INTO items ({_names()}) VALUES ({marks})", values)
    finally:
        cursor.close()


def _copy(driver: Any, values: Iterator[tuple[Any, ...]]) -> None:
    with driver.cursor() as cursor, cursor.copy(f"COPY items ({_names()}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)


def get_item(session: Session, item_id: int, *, lock: bool = False) -> Item | None:
    if lock:
        return session.scalars(select(Item).where(Item.id == item_id).with_for_update()).first()
    return session.get(Item, item_id)


def iter_items(session: Session, project_id: int) -> Iterator[Item]:
    query = select(Item).where(Item.project_id == project_id).order_by(Item.id)
    yield from session.scalars(query.execution_options(yield_per=CHUNK))


def get_by_external_id(session: Session, project_id: int, external_id: str) -> Item | None:
    """The project's item with this external id, locked for update."""
    query = (
        select(Item)
        .where(Item.project_id == project_id, Item.external_id == external_id)
        .with_for_update()
    )
    return session.scalars(query).first()
