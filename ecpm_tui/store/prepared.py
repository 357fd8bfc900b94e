"""Hot statements run straight on SQLite's cursor, compiled once by SQLAlchemy.

A card move holds SQLite's single write lock for four statements; executed through
SQLAlchemy Core each costs about ten times what SQLite spends on it (execution context,
events, result objects), and that time is what other writers queue behind. A
:class:`Prepared` statement is compiled once per dialect by SQLAlchemy itself, its
parameters and results go through the column types' own bind and result processors, so
rows come back exactly as Core returns them. On any other database it simply runs
through Core.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None


_REQUIRED = object()


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    compiled: Any  # SQLAlchemy's SQLCompiler
    order: tuple[str, ...]
    binds: tuple[Processor, ...]
    # The value of each bound parameter that the statement itself holds (a literal such
    # as the 1 of ``version + 1``), _REQUIRED for those the caller gives.
    defaults: tuple[Any, ...]
    names: tuple[str, ...]
    results: tuple[Processor, ...]
    index: dict[str, int]


class LazyRow(Mapping[str, Any]):
    """A result row whose values go through their column types' result processors only
    when read: a hot write reads a few columns of its rows while it holds the write lock
    and converts the rest after the commit."""

    __slots__ = ("_compiled", "_done", "_raw")

    def __init__(self, compiled: _Compiled, raw: Sequence[Any]) -> None:
        self._compiled = compiled
        self._raw = raw
        self._done: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        done = self._done
        if key in done:
            return done[key]
        c = self._compiled
        i = c.index[key]
        process, value = c.results[i], self._raw[i]
        value = done[key] = process(value) if process is not None else value
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._compiled.names)

    def to_dict(self) -> dict[str, Any]:
        """Every value, converted (at the cost of a plain row's conversion)."""
        c, done = self._compiled, self._done
        return {
            name: done[name] if name in done else process(value) if process else value
            for name, process, value in zip(c.names, c.results, self._raw, strict=True)
        }

    def __len__(self) -> int:
        return len(self._compiled.names)


class Prepared:
    """One Core statement (a select, an ``UPDATE ... RETURNING`` or an insert) run on the
    SQLite driver's cursor inside the connection's transaction."""

    def __init__(
        self, statement: Executable, column_keys: Sequence[str] | None = None, lazy: bool = False
    ) -> None:
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        # lazy: rows are LazyRow (on SQLite), converted as their values are read.
        self.lazy = lazy
        self._compiled: weakref.WeakKeyDictionary[Dialect, _Compiled] = weakref.WeakKeyDictionary()

    def _compile(self, dialect: Dialect) -> _Compiled:
        done = self._compiled.get(dialect)
        if done is not None:
            return done
        compiled: Any = self.statement.compile(dialect=dialect, column_keys=self.column_keys)
        order = tuple(compiled.positiontup or ())
        # The dialect's own form of each type (SQLite's DATETIME parses text, say).
        binds = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in order
        )
        params = [compiled.binds[name] for name in order]
        if any(p.expanding or p.callable is not None for p in params):
            raise ValueError("Prepared statements take no expanding or callable parameters")
        defaults = tuple(_REQUIRED if p.required else p.value for p in params)
        exported = getattr(self.statement, "exported_columns", None)
        names = tuple(exported.keys()) if exported is not None else ()
        results = tuple(
            col.type.dialect_impl(dialect).result_processor(dialect, None) for col in exported or ()
        )
        index = {name: i for i, name in enumerate(names)}
        done = _Compiled(str(compiled), compiled, order, binds, defaults, names, results, index)
        self._compiled[dialect] = done
        return done

    def _values(self, c: _Compiled, params: Mapping[str, Any]) -> tuple[Any, ...]:
        # What SQLAlchemy's construct_params does for these statements, at a third of
        # its cost (it runs inside the write lock): a literal's own value unless given.
        values = []
        for name, bind, default in zip(c.order, c.binds, c.defaults, strict=True):
            value = params[name] if default is _REQUIRED or name in params else default
            values.append(bind(value) if bind is not None else value)
        return tuple(values)

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """Run with *params*; the result rows as mappings (none for an insert)."""
        if conn.dialect.name != "sqlite":
            result = conn.execute(self.statement, dict(params))
            return [dict(row) for row in result.mappings()] if result.returns_rows else []
        c = self._compile(conn.dialect)
        values = self._values(c, params)
        cursor = conn.connection.cursor()
        try:
            found = cursor.execute(c.sql, values).fetchall()
        except sqlite3.Error as exc:
            raise _wrapped(c.sql, values, exc) from exc
        finally:
            cursor.close()
        if self.lazy:
            return [LazyRow(c, row) for row in found]
        return [
            {
                name: process(value) if process is not None else value
                for name, process, value in zip(c.names, c.results, row, strict=True)
            }
            for row in found
        ]

    def first(self, conn: Connection, params: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The first result row, or None."""
        found = self.rows(conn, params)
        return found[0] if found else None

    def scalar(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """The first column of the only row of an aggregate (a count, a max)."""
        row = self.first(conn, params)
        assert row is not None  # an aggregate always has its row
        return next(iter(row.values()))

    def many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per parameter set in *rows* (an executemany)."""
        if conn.dialect.name != "sqlite":
            conn.execute(self.statement, [dict(row) for row in rows])
            return
        c = self._compile(conn.dialect)
        values = [self._values(c, row) for row in rows]
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(c.sql, values)
        except sqlite3.Error as exc:
            raise _wrapped(c.sql, values, exc) from exc
        finally:
            cursor.close()


def _wrapped(sql: str, values: Any, exc: sqlite3.Error) -> DBAPIError:
    # The same exception Core raises (IntegrityError, OperationalError, ...), so retries on
    # a busy database and the messages for people work alike on both paths.
    wrapped = DBAPIError.instance(sql, values, exc, sqlite3.Error)
    assert isinstance(wrapped, DBAPIError)  # a driver error always makes one
    return wrapped
