"""Engine, transactions and migrations for SQLite and PostgreSQL.

SQLite writes run in ``BEGIN IMMEDIATE`` transactions (the write lock is taken up
front, so two processes never both read-then-write the same row) with a bounded
retry when the lock stays busy. Reads use plain deferred transactions, which WAL
lets run beside a writer.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from ecpm_tui.checkpoint import Checkpointer
from ecpm_tui.config import DbTarget, redact_url
from ecpm_tui.engine import BUSY_TIMEOUT_MS, make_engine, on_driver
from ecpm_tui.errors import StorageError

# Re-exported: the file checks live apart so ``ecpm`` runs them before importing SQLAlchemy.
from ecpm_tui.sqlite_file import (
    NETWORK_FILESYSTEMS,
    SQLITE_HEADER,
    filesystem_type,
    prepare_sqlite_file,
)
from ecpm_tui.write_lock import WriteLock

if TYPE_CHECKING:
    from alembic.config import Config

T = TypeVar("T")

# Bumped first in every PostgreSQL write: its row lock, held to commit, makes PostgreSQL
# writers take turns as SQLite's BEGIN IMMEDIATE does, so reads-then-writes (next rank,
# next risk ref) never interleave. (Bumped last, concurrent card creation got equal ranks.)
BUMP = text("UPDATE ecpm_changes SET seq = seq + 1 WHERE id = 1")
WRITE_ATTEMPTS = 5
__all__ = [
    "NETWORK_FILESYSTEMS",
    "SQLITE_HEADER",
    "Database",
    "filesystem_type",
    "known_heads",
    "make_engine",
    "migrate",
    "open_database",
    "prepare_sqlite_file",
    "schema_revisions",
    "storage_error",
]


def migration_config() -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "ecpm_tui:migrations")
    return cfg


def _is_locked(exc: BaseException) -> bool:
    msg = str(getattr(exc, "orig", exc)).lower()
    return (
        "database is locked" in msg
        or "database is busy" in msg
        or "deadlock" in msg
        or ("could not serialize" in msg)
    )


def storage_error(exc: BaseException, target: str) -> StorageError:
    """Translate a driver error into a message fit for a person."""
    msg = str(getattr(exc, "orig", exc))
    low = msg.lower()
    if _is_locked(exc):
        return StorageError(
            f"The database {target} stayed locked by another user for too long; nothing was "
            "saved. Try again."
        )
    if "readonly" in low or "read-only" in low:
        return StorageError(f"The database {target} is read-only for you; nothing was saved.")
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return StorageError(
            f"The database {target} is corrupt or not an ecpm database. Restore it from a backup."
        )
    if "disk" in low and "full" in low:
        return StorageError(f"The disk holding {target} is full; nothing was saved.")
    if "unable to open" in low:
        return StorageError(f"Cannot open the database {target}: check the path and permissions.")
    if "connection" in low or "could not connect" in low or "password" in low:
        return StorageError(f"Cannot connect to {target}: {msg.strip().splitlines()[0]}")
    first = msg.strip().splitlines()[0] if msg.strip() else type(exc).__name__
    return StorageError(f"Database error on {target}: {first}")


class Database:
    """An open ecpm database: engine, write/read transactions and change detection."""

    def __init__(self, target: DbTarget, engine: Engine) -> None:
        self.target = target
        self.engine = engine
        self._watch: sqlite3.Connection | None = None
        self._watch_lock = threading.Lock()
        # Writers to one SQLite file queue on a sidecar flock (woken at once when the
        # lock is free) before BEGIN IMMEDIATE; busy_timeout stays the fallback.
        path = target.sqlite_path if engine.dialect.name == "sqlite" else None
        self.write_lock = WriteLock(path, BUSY_TIMEOUT_MS / 1000)
        self.checkpointer = Checkpointer(path)
        self._hot: Connection | None = None
        self._hot_lock = threading.Lock()

    @functools.cached_property
    def role(self) -> str:
        """The PostgreSQL role this database is used as ("" for SQLite), for the audit trail."""
        if self.is_sqlite:
            return ""
        return str(self.read(lambda s: s.exec(text("SELECT current_user")).scalar_one()))  # type: ignore[call-overload]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def display(self) -> str:
        """Where the database is, fit for display."""
        path = self.target.sqlite_path
        return str(path) if path else redact_url(self.target.url)

    @contextlib.contextmanager
    def _session(self, write: bool) -> Iterator[Session]:
        with self.engine.connect() as conn:
            conn.execution_options(ecpm_write=write)
            with (
                Session(bind=conn, expire_on_commit=False, autoflush=True) as session,
                self._turn(write),
            ):
                try:
                    if write and not self.is_sqlite:
                        session.exec(BUMP)  # type: ignore[call-overload]
                    yield session
                    if write:
                        session.commit()
                    else:
                        # Detach first: a rollback would expire what the caller gets back.
                        session.expunge_all()
                        session.rollback()
                except BaseException:
                    session.rollback()
                    raise
            if write:
                self.checkpointer.wrote()

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Connection]:
        # A write transaction without an ORM session, for the hot writes (card moves and
        # status changes): Core statements only, nothing to flush or expunge.
        if not self.is_sqlite:
            with self.engine.connect() as conn:
                conn.execution_options(ecpm_write=True)
                with conn.begin():
                    conn.execute(BUMP)
                    yield conn
            return
        with self._hot_connection() as conn:
            # BEGIN and COMMIT go straight to the driver: through Core's transaction
            # they cost a tenth of the time the write lock is held.
            driver = conn.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)  # the engine is pysqlite's
            with self._turn(True):
                on_driver(driver, "BEGIN IMMEDIATE")
                try:
                    yield conn
                    on_driver(driver, "COMMIT")
                except BaseException:
                    if driver.in_transaction:
                        driver.rollback()
                    raise
                finally:
                    if conn.in_transaction():
                        # A Core statement inside had Core begin too (on the driver's
                        # transaction, see _sqlite_on_begin): end that for the next write.
                        conn.rollback()
        self.checkpointer.wrote()

    @contextlib.contextmanager
    def _hot_connection(self) -> Iterator[Connection]:
        # One connection kept for the hot writes of this process: checking one out of
        # the pool and back in cost a sixth of a card move's CPU. A database error
        # closes it (a broken file never sticks); a thread that finds it busy for long
        # takes a connection of its own.
        if not self._hot_lock.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            with self.engine.connect() as own:
                own.execution_options(ecpm_write=True)
                yield own
            return
        try:
            kept = self._hot
            if kept is None or kept.closed or kept.invalidated:
                kept = self._hot = self.engine.connect()
                kept.execution_options(ecpm_write=True)
            try:
                yield kept
            except BaseException as exc:
                driver = None if kept.invalidated else kept.connection.driver_connection
                broken = isinstance(exc, (DBAPIError, sqlite3.Error))
                if broken or not isinstance(driver, sqlite3.Connection) or driver.in_transaction:
                    self._hot = None
                    kept.close()
                raise
        finally:
            self._hot_lock.release()

    def _turn(self, write: bool) -> contextlib.AbstractContextManager[None]:
        # Taken after the connection is checked out, released after COMMIT: the queue is
        # held for the transaction only.
        return self.write_lock.held() if write else contextlib.nullcontext()

    def write(self, fn: Callable[[Session], T]) -> T:
        """Run *fn* in one write transaction, retrying a bounded number of times on lock."""
        return self._retrying(lambda: self._session(write=True), fn)

    def write_core(self, fn: Callable[[Connection], T]) -> T:
        """Like :meth:`write`, with a Core connection instead of an ORM session."""
        return self._retrying(self._connection, fn)

    def _retrying(
        self, open_: Callable[[], contextlib.AbstractContextManager[Any]], fn: Callable[[Any], T]
    ) -> T:
        delay = 0.05
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with open_() as session:
                    return fn(session)
            except OperationalError as exc:
                if _is_locked(exc) and attempt < WRITE_ATTEMPTS:
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
                    continue
                raise storage_error(exc, self.display) from exc
            except DBAPIError as exc:
                if _is_locked(exc) and attempt < WRITE_ATTEMPTS:
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
                    continue
                if exc.connection_invalidated or isinstance(exc.orig, sqlite3.DatabaseError):
                    raise storage_error(exc, self.display) from exc
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def read(self, fn: Callable[[Session], T]) -> T:
        """Run *fn* in one read-only transaction."""
        try:
            with self._session(write=False) as session:
                return fn(session)
        except OperationalError as exc:
            raise storage_error(exc, self.display) from exc

    def change_token(self) -> int:
        """A number that changes whenever anyone commits a write (cheap: poll ~1/s)."""
        try:
            return self._change_token()
        except (sqlite3.Error, DBAPIError) as exc:
            raise storage_error(exc, self.display) from exc

    def _change_token(self) -> int:
        if self.is_sqlite:
            with self._watch_lock:
                if self._watch is None:
                    path = self.target.sqlite_path
                    self._watch = sqlite3.connect(
                        str(path) if path else ":memory:", check_same_thread=False
                    )
                    self._watch.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                row = self._watch.execute("PRAGMA data_version").fetchone()
                return int(row[0])
        with self.engine.connect() as conn:
            value = conn.execute(text("SELECT seq FROM ecpm_changes WHERE id = 1")).scalar()
            return int(value or 0)

    def close(self) -> None:
        """Release every connection (checkpointing first what this process left in the WAL)."""
        self.checkpointer.close()
        if self._hot_lock.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            try:
                if self._hot is not None:
                    self._hot.close()
                    self._hot = None
            finally:
                self._hot_lock.release()
        with self._watch_lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None
        self.write_lock.close()
        self.engine.dispose()


_REVISION = re.compile(r"^(down_revision|revision)\b[^=]*=\s*(.+)$", re.MULTILINE)


def known_heads() -> set[str]:
    """Head revisions of the packaged migrations, read from their source text.

    Importing Alembic costs more than the rest of an up-to-date start, so the common
    case (the database is at head) is decided without it; anything else goes to Alembic.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    folder = resources.files("ecpm_tui.migrations").joinpath("versions")
    for entry in folder.iterdir():
        if not entry.name.endswith(".py") or entry.name.startswith("__"):
            continue
        for name, value in _REVISION.findall(entry.read_text(encoding="utf-8")):
            found = set(re.findall(r"[\"']([^\"']+)[\"']", value))
            (revisions if name == "revision" else parents).update(found)
    return revisions - parents


def stored_revisions(engine: Engine) -> set[str] | None:
    """The revisions recorded in the database (one query), None without a version table."""
    try:
        with engine.connect() as conn:
            conn.execution_options(ecpm_write=False)
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            return {str(r) for r in rows}
    except DBAPIError:
        return None


def schema_revisions(engine: Engine) -> tuple[set[str], set[str]]:
    """(revisions the database is at, head revisions this app knows)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migration_config())
    with engine.connect() as conn:
        conn.execution_options(ecpm_write=False)
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current, set(script.get_heads())


def migrate(engine: Engine, display: str) -> None:
    """Bring the schema to head; refuse a database made by a newer ecpm.

    A database already at head (the usual start) is recognised with one query, without
    importing Alembic.
    """
    heads = known_heads()
    if heads and stored_revisions(engine) == heads:
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = migration_config()
    script = ScriptDirectory.from_config(cfg)
    known = {rev.revision for rev in script.walk_revisions()}
    current, heads = schema_revisions(engine)
    unknown = current - known
    if unknown:
        raise StorageError(
            f"The database {display} was created by a newer version of ecpm "
            f"(schema {', '.join(sorted(unknown))}). Upgrade ecpm to open it."
        )
    if current == heads:
        return
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()


def open_database(
    target: DbTarget, *, create: bool = True, shared_group: int | None = None
) -> Database:
    """Check, open and migrate a database; every failure is a StorageError."""
    path = target.sqlite_path
    if target.is_sqlite and path is not None:
        prepare_sqlite_file(path, create=create, shared_group=shared_group)
    engine = make_engine(target)
    display = str(path) if path else redact_url(target.url)
    try:
        migrate(engine, display)
    except StorageError:
        engine.dispose()
        raise
    except (DBAPIError, sqlite3.Error, OSError) as exc:
        engine.dispose()
        raise storage_error(exc, display) from exc
    if shared_group is not None and path is not None:
        for extra in (Path(f"{path}-wal"), Path(f"{path}-shm")):
            if extra.exists():
                with contextlib.suppress(OSError):
                    os.chown(extra, -1, shared_group)
                    os.chmod(extra, 0o660)
    return Database(target, engine)
