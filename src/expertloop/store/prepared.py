"""Hot statements run on the driver's cursor.

The lease queue sends a dozen small statements per claim-and-submit cycle. Through a session,
each costs SQLAlchemy about 25 to 60 microseconds of Python (compile-cache look-up, execution
context, result and ORM loading) for a query SQLite answers in 4. A :class:`Prepared` statement
is a Core statement compiled once per dialect; a call converts its parameters with the column
types' own bind processors (so values are stored exactly as SQLAlchemy stores them), runs the SQL
on the DBAPI connection of the session's transaction, and converts the rows with the types'
result processors. Only the write paths of the queue use it; everything else stays on the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from sqlalchemy import Connection, Dialect, inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, ReturnsRows

Processor = Callable[[Any], Any] | None
T = TypeVar("T")


_ATTRIBUTES: dict[type[Any], tuple[str, ...]] = {}


def attribute_names(model: type[Any]) -> tuple[str, ...]:
    """The names of a mapped class's column attributes, in mapping order."""
    names = _ATTRIBUTES.get(model)
    if names is None:
        names = tuple(prop.key for prop in inspect(model).column_attrs)
        _ATTRIBUTES[model] = names
    return names


def columns_of(model: type[Any]) -> list[InstrumentedAttribute[Any]]:
    """Every column attribute of a mapped class, in mapping order (for ``select(*...)``)."""
    return [getattr(model, name) for name in attribute_names(model)]


@dataclass
class _Compiled:
    """One statement's SQL for one dialect and how to convert what goes in and comes out."""

    sql: str
    dialect: Dialect
    names: tuple[str, ...]
    """Parameter names, in order for positional paramstyles (SQLite's ``?``)."""
    positional: bool
    defaults: Mapping[str, Any]
    """Values of the literals the statement holds (``status = 'active'``, ``LIMIT 1``)."""
    binds: Mapping[str, Processor]
    columns: tuple[Any, ...]
    """The columns a row holds (their types convert what the driver returns)."""
    server_prepared: bool = False
    """Psycopg 3: prepare the statement on the server at its first run on a connection rather
    than its fifth (planning each of them costs PostgreSQL about as much as running it)."""
    results: tuple[Processor, ...] | None = None
    """Result processors, made on the first run from the driver's type codes."""

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        converted = {}
        for name in self.names:
            value = values[name] if name in values else self.defaults[name]
            process = self.binds[name]
            converted[name] = value if process is None else process(value)
        if self.positional:
            return [converted[name] for name in self.names]
        return converted

    def row(self, raw: Sequence[Any], cursor: Any) -> tuple[Any, ...]:
        if self.results is None:
            self.results = tuple(
                column.type.dialect_impl(self.dialect).result_processor(self.dialect, described[1])
                for column, described in zip(self.columns, cursor.description, strict=True)
            )
        return tuple(
            value if process is None else process(value)
            for process, value in zip(self.results, raw, strict=True)
        )


def _compile(statement: ClauseElement, dialect: Dialect, keys: Sequence[str] | None) -> _Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=list(keys) if keys else None)
    assert isinstance(compiled, SQLCompiler)
    defaults: dict[str, Any] = {}
    binds: dict[str, Processor] = {}
    for bind, name in compiled.bind_names.items():
        if name not in binds:
            binds[name] = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if not bind.required:
                defaults[name] = bind.effective_value
    names = list(compiled.positiontup or ()) if compiled.positional else list(binds)
    columns = tuple(statement.exported_columns) if isinstance(statement, ReturnsRows) else ()
    return _Compiled(
        compiled.string,
        dialect,
        tuple(names),
        compiled.positional,
        defaults,
        binds,
        columns,
        server_prepared=dialect.driver == "psycopg",
    )


def raise_as_sqlalchemy(connection: Connection, sql: str, parameters: Any, error: Any) -> NoReturn:
    """Raise a driver's error as SQLAlchemy would (``IntegrityError``, ``OperationalError``...),
    dropping the connection from the pool when the driver says it is gone."""
    dialect = connection.dialect
    if dialect.is_disconnect(error, connection.connection.dbapi_connection, None):
        connection.invalidate(error)
    raise DBAPIError.instance(sql, parameters, error, dialect.loaded_dbapi.Error) from error


_ALL: list[Prepared] = []


def compile_all(dialect: Dialect) -> int:
    """Compile every prepared statement for ``dialect`` now (a server does it at start, not
    under its first requests); returns how many there are."""
    for statement in _ALL:
        statement.compile_for(dialect)
    return len(_ALL)


class Prepared:
    """A Core statement run on the driver's cursor inside the session's transaction (or one
    statement per dialect name, for constructs of a dialect's own such as an upsert).

    ``keys``: the column names an ``insert()`` without ``values()`` will be given.
    """

    def __init__(
        self,
        statement: ClauseElement | Mapping[str, ClauseElement],
        *,
        keys: Sequence[str] | None = None,
    ) -> None:
        self._statement = statement
        self._keys = tuple(keys) if keys else None
        self._by_dialect: dict[Dialect, _Compiled] = {}
        _ALL.append(self)

    def compile_for(self, dialect: Dialect) -> _Compiled:
        compiled = self._by_dialect.get(dialect)
        if compiled is None:
            statement = self._statement
            if isinstance(statement, Mapping):  # a construct of each dialect's own
                statement = statement[dialect.name]
            compiled = _compile(statement, dialect, self._keys)
            self._by_dialect[dialect] = compiled
        return compiled

    def _run(self, session: Session, values: Mapping[str, Any]) -> tuple[_Compiled, Any]:
        connection = session.connection()
        dialect = connection.dialect
        compiled = self.compile_for(dialect)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        parameters = compiled.parameters(values)
        try:
            if compiled.server_prepared:
                cursor.execute(compiled.sql, parameters, prepare=True)
            else:
                cursor.execute(compiled.sql, parameters)
        except dialect.loaded_dbapi.Error as error:
            cursor.close()
            raise_as_sqlalchemy(connection, compiled.sql, parameters, error)
        return compiled, cursor

    def first(self, session: Session, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row, converted; None when there is none."""
        compiled, cursor = self._run(session, values)
        try:
            raw = cursor.fetchone()
            return None if raw is None else compiled.row(raw, cursor)
        finally:
            cursor.close()

    def all(self, session: Session, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row, converted."""
        compiled, cursor = self._run(session, values)
        try:
            return [compiled.row(raw, cursor) for raw in cursor.fetchall()]
        finally:
            cursor.close()

    def execute(self, session: Session, values: Mapping[str, Any]) -> int:
        """Run a statement that returns no rows; the number of rows it changed."""
        _, cursor = self._run(session, values)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def first_split(
        self, models: Sequence[type[Any]], session: Session, values: Mapping[str, Any]
    ) -> tuple[Any, ...] | None:
        """The first row as one transient object per model, in order (the statement selects
        ``columns_of`` each model in turn); a model whose columns are all NULL (an outer join
        that found nothing) gives None. None when there is no row."""
        row = self.first(session, values)
        if row is None:
            return None
        objects, start = [], 0
        for model in models:
            names = attribute_names(model)
            part = row[start : start + len(names)]
            start += len(names)
            empty = all(value is None for value in part)
            objects.append(None if empty else model(**dict(zip(names, part, strict=True))))
        return tuple(objects)

    def first_as(self, model: type[T], session: Session, values: Mapping[str, Any]) -> T | None:
        """The first row as a transient ``model`` (read, never flushed); the statement selects
        ``columns_of(model)``."""
        found = self.first_split((model,), session, values)
        return None if found is None else found[0]
