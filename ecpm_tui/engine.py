"""ecpm's engines: SQLite connection settings and driver-level transactions.

SQLite connections run in the driver's autocommit mode so that ecpm emits BEGIN itself:
``BEGIN IMMEDIATE`` for writes (the write lock is taken up front, so two processes never
both read-then-write the same row) and a plain ``BEGIN`` for reads, which WAL lets run
beside a writer.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from ecpm_tui.config import DbTarget

__all__ = ["BUSY_TIMEOUT_MS", "make_engine", "on_driver"]

BUSY_TIMEOUT_MS = 5000


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Autocommit at the driver level so that BEGIN is ours to emit (IMMEDIATE for writes).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA wal_autocheckpoint=0")  # ecpm_tui.checkpoint checkpoints instead
    mode = cur.execute("PRAGMA journal_mode=WAL").fetchone()
    cur.close()
    if mode and str(mode[0]).lower() not in ("wal", "memory"):
        raise sqlite3.OperationalError(f"cannot switch to WAL journal mode (got {mode[0]})")


def on_driver(driver: sqlite3.Connection, sql: str) -> None:
    """Run *sql* on the driver's connection, raising as Core raises (so retries on a
    busy file work alike)."""
    try:
        driver.execute(sql)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, (), exc, sqlite3.Error) from exc


def _sqlite_on_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get("ecpm_write", True)
    # On the driver's connection: through Core, BEGIN cost as much as a card move's
    # UPDATE, inside the time other writers wait.
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)  # a connection being begun is open
    if driver.in_transaction:
        return  # a Core statement inside a transaction begun on the driver (write_core)
    on_driver(driver, "BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(target: DbTarget) -> Engine:
    """Create an engine with ecpm's connection settings (no I/O yet)."""
    if target.is_sqlite:
        engine = create_engine(
            target.url,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            poolclass=NullPool if target.sqlite_path is None else None,
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(
        target.url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": 10},
    )
