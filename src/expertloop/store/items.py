"""Items: the bulk insert of an import, and look-ups.

An import stores tens of thousands of items a second, so its insert bypasses the ORM: a JSON
value becomes the text the ORM writes (``json_text.dumps``, the same as ``json.dumps``), the
values every item shares go through their column types' own bind processors once (UTC
datetimes, booleans), and the rows go straight to the driver of the session's transaction:
``executemany`` of one prepared statement on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL
(psycopg 3; the server reads the JSON text into ``jsonb`` as it reads the ORM's).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Dialect, Table, Text, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from expertloop.core.items import ItemDraft
from expertloop.store import tallies
from expertloop.store.json_text import dumps
from expertloop.store.prepared import raise_as_sqlalchemy
from expertloop.store.tables import Item

CHUNK = 500
LOOKUP_CHUNK = 5_000
"""External ids looked up per query on SQLite (under its limit of 32,766 parameters)."""
_ITEMS = Item.__table__
assert isinstance(_ITEMS, Table)
OWN = ("external_id", "prompt", "context", "responses", "data", "metadata", "priority")
"""The columns each draft fills (its attributes of the same names), in order; the JSON ones
(prompt, responses, data, metadata) go in as text."""
_OTHERS = (*OWN, "id", "author_id", "created_at")
SHARED = (*(c for c in _ITEMS.columns if c.name not in _OTHERS), _ITEMS.c.created_at)
"""The columns every item of an insert shares (``author_id`` stays null: imported items have
none)."""
INSERTED = tuple(_ITEMS.c[name] for name in OWN) + SHARED


def existing_external_ids(
    session: Session, project_id: int, external_ids: Sequence[str]
) -> set[str]:
    """Which of ``external_ids`` the project already has."""
    return set(find_external_ids(session, project_id, external_ids))


def find_external_ids(
    session: Session, project_id: int, external_ids: Sequence[str]
) -> dict[str, int]:
    """The project's items among ``external_ids``: external id to item id (one query on
    PostgreSQL, one per ``LOOKUP_CHUNK`` ids on SQLite)."""
    found: dict[str, int] = {}
    if session.get_bind().dialect.name == "postgresql":
        ids = bindparam("ids", list(external_ids), type_=ARRAY(Text))
        query = select(Item.external_id, Item.id).where(
            Item.project_id == project_id, Item.external_id == func.any(ids)
        )
        found.update((str(key), int(item_id)) for key, item_id in session.execute(query))
        return found
    for start in range(0, len(external_ids), LOOKUP_CHUNK):
        chunk = list(external_ids[start : start + LOOKUP_CHUNK])
        query = select(Item.external_id, Item.id).where(
            Item.project_id == project_id, Item.external_id.in_(chunk)
        )
        found.update((str(key), int(item_id)) for key, item_id in session.execute(query))
    return found


def last_item_id(session: Session, project_id: int) -> int:
    """The project's highest item id (0 without items): items above it are newer."""
    query = select(func.coalesce(func.max(Item.id), 0)).where(Item.project_id == project_id)
    return int(session.scalar(query) or 0)


def insert_items(
    session: Session, drafts: Iterable[ItemDraft], *, shared: Mapping[str, Any], now: datetime
) -> int:
    """Insert one item per draft in the session's transaction, all or none of them; returns
    how many.

    ``drafts`` is read as the rows are sent (on PostgreSQL the server stores rows while the
    next are made). ``shared`` holds the values of the other columns, the same for every item
    (``project_id``, ``overlap``, ``state``... by attribute name); ``created_at`` is ``now``.
    Nothing is loaded into the session.

    Raises:
        IntegrityError: an external id the project has (or a missing project); the insert is
            undone to its savepoint and the transaction goes on.
    """
    with session.begin_nested():  # flushes what the session holds first, as the ORM would
        connection = session.connection()  # opens the savepoint
        dialect = connection.dialect
        driver = connection.connection.driver_connection
        values = _values(drafts, _bound({**shared, "created_at": now}, dialect))
        try:
            write = _copy if dialect.name == "postgresql" else _executemany
            count = write(driver, values)
        except dialect.loaded_dbapi.Error as error:
            raise_as_sqlalchemy(connection, "INSERT INTO items", None, error)
    # noted once the savepoint holds: an insert undone to it counts nothing
    tallies.shift(session, project_id=shared["project_id"], key=0, deltas={shared["state"]: count})
    return count


def _bound(shared: Mapping[str, Any], dialect: Dialect) -> tuple[Any, ...]:
    """The shared values in ``SHARED`` order, as their column types bind them."""
    expected = {column.key for column in SHARED}
    if set(shared) != expected:  # a bug in the caller, not the user's mistake
        raise ValueError(f"shared values must be {sorted(expected)}, not {sorted(shared)}")
    values = []
    for column in SHARED:
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        value = shared[column.key]
        values.append(value if process is None or value is None else process(value))
    return tuple(values)


def _values(drafts: Iterable[ItemDraft], shared: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    """Each draft's values in ``INSERTED`` order: its own (JSON as text), then the shared."""
    for draft in drafts:
        yield (
            draft.external_id,
            dumps(draft.prompt),
            draft.context,
            dumps(draft.responses),
            dumps(draft.data),
            dumps(draft.metadata),
            draft.priority,
            *shared,
        )


def _names() -> str:
    return ", ".join(f'"{column.name}"' for column in INSERTED)


def _executemany(driver: Any, values: Iterator[tuple[Any, ...]]) -> int:
    marks = ", ".join("?" for _ in INSERTED)
    cursor = driver.cursor()
    try:
        cursor.executemany(f"INSERT INTO items ({_names()}) VALUES ({marks})", values)
        return max(int(cursor.rowcount), 0)  # -1 when nothing was sent
    finally:
        cursor.close()


def _copy(driver: Any, values: Iterator[tuple[Any, ...]]) -> int:
    count = 0
    with driver.cursor() as cursor, cursor.copy(f"COPY items ({_names()}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)
            count += 1
    return count


def set_state(session: Session, item: Item, state: str) -> None:
    """Put an item in another state (gold marked or unmarked), its project's tally with it."""
    tallies.move_state(session, project_id=item.project_id, key=item.id, old=item.state, new=state)
    item.state = state


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
