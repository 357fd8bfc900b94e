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
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from ecpm_tui.config import DbTarget, redact_url
from ecpm_tui.errors import StorageError

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
WRITE_ATTEMPTS = 5
SQLITE_HEADER = b"SQLite format 3\x00"
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "fuse.sshfs",
        "9p",
        "afs",
        "ceph",
        "glusterfs",
        "fuse.glusterfs",
        "lustre",
        "davfs",
        "fuse.s3fs",
        "fuse.rclone",
    }
)


def migration_config() -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", "ecpm_tui:migrations")
    return cfg


def filesystem_type(path: Path) -> str | None:
    """The type of the mounted filesystem holding *path* (Linux), or None if unknown."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    target = path.resolve()
    best: tuple[int, str] | None = None
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        try:
            target.relative_to(mount_point)
        except ValueError:
            continue
        if best is None or len(mount_point) > best[0]:
            best = (len(mount_point), parts[2])
    return best[1] if best else None


def _describe_mode(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return ""
    return f" (mode {stat.filemode(st.st_mode)}, owner uid {st.st_uid}, group gid {st.st_gid})"


def prepare_sqlite_file(path: Path, *, create: bool, shared_group: int | None = None) -> None:
    """Check (and if asked, create) a SQLite file and its folder before SQLite touches them.

    A failed open leaves -wal/-shm files behind that can lock every other user out,
    so permissions are checked first and refused with a message saying what to fix.
    """
    directory = path.parent
    if not directory.exists():
        if not create:
            raise StorageError(
                f"No database at {path}: the folder {directory} does not exist "
                f"(a typo?). To create one there: ecpm init --db {path}"
            )
        try:
            directory.mkdir(parents=True, mode=0o700, exist_ok=True)
            if shared_group is not None:
                os.chown(directory, -1, shared_group)
                os.chmod(directory, 0o2770)
        except OSError as exc:
            raise StorageError(
                f"Cannot create the database folder {directory}: {exc.strerror}."
            ) from exc
    if not directory.is_dir():
        raise StorageError(f"Cannot use {path}: {directory} is not a folder.")
    fstype = filesystem_type(directory)
    if fstype in NETWORK_FILESYSTEMS:
        raise StorageError(
            f"{path} is on a network filesystem ({fstype}); SQLite's WAL mode needs a local "
            "disk. Put the database on a local disk or use PostgreSQL (--db postgresql+psycopg://...)."
        )
    if not os.access(directory, os.W_OK | os.X_OK):
        raise StorageError(
            f"Cannot write in the database folder {directory}{_describe_mode(directory)}. "
            "SQLite needs to create its -wal and -shm files there: ask its owner to grant you "
            "write access (or use --db to pick another database)."
        )
    if path.exists():
        if path.is_dir():
            raise StorageError(f"Cannot use {path}: it is a folder, not a database file.")
        if not path.is_file():
            # A device or FIFO: SQLite would hang on it or litter its folder with journals.
            raise StorageError(f"Cannot use {path}: it is not a regular file.")
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if candidate.exists() and not os.access(candidate, os.R_OK | os.W_OK):
                raise StorageError(
                    f"Cannot write to {candidate}{_describe_mode(candidate)}. Ask its owner to "
                    "grant you read and write access (or use --db to pick another database)."
                )
        try:
            with path.open("rb") as fh:
                header = fh.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise StorageError(f"Cannot read {path}: {exc.strerror}.") from exc
        if header and header != SQLITE_HEADER:
            raise StorageError(
                f"{path} is not an SQLite database (or it is corrupt). Restore it from a "
                "backup, or use --db to pick another file."
            )
        return
    if not create:
        raise StorageError(f"No database at {path}. To create one there: ecpm init --db {path}")
    mode = 0o660 if shared_group is not None else 0o600
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
        os.close(fd)
        if shared_group is not None:
            os.chown(path, -1, shared_group)
            os.chmod(path, mode)
    except FileExistsError:
        pass
    except OSError as exc:
        raise StorageError(f"Cannot create the database file {path}: {exc.strerror}.") from exc


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
            with Session(bind=conn, expire_on_commit=False, autoflush=True) as session:
                try:
                    if write and not self.is_sqlite:
                        # Bump the change counter first: its row lock, held to commit, makes
                        # PostgreSQL writers take turns as SQLite's BEGIN IMMEDIATE does, so
                        # reads-then-writes (next rank, next risk ref) never interleave.
                        # (Bumped last, concurrent card creation got equal ranks.)
                        session.exec(text("UPDATE ecpm_changes SET seq = seq + 1 WHERE id = 1"))  # type: ignore[call-overload]
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

    def write(self, fn: Callable[[Session], T]) -> T:
        """Run *fn* in one write transaction, retrying a bounded number of times on lock."""
        delay = 0.05
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self._session(write=True) as session:
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
        """Release every connection."""
        with self._watch_lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None
        self.engine.dispose()


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Autocommit at the driver level so that BEGIN is ours to emit (IMMEDIATE for writes).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    mode = cur.execute("PRAGMA journal_mode=WAL").fetchone()
    cur.close()
    if mode and str(mode[0]).lower() not in ("wal", "memory"):
        raise sqlite3.OperationalError(f"cannot switch to WAL journal mode (got {mode[0]})")


def _sqlite_on_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get("ecpm_write", True)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


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


def schema_revisions(engine: Engine) -> tuple[set[str], set[str]]:
    """(revisions the database is at, head revisions this app knows)."""
    script = ScriptDirectory.from_config(migration_config())
    with engine.connect() as conn:
        conn.execution_options(ecpm_write=False)
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current, set(script.get_heads())


def migrate(engine: Engine, display: str) -> None:
    """Bring the schema to head; refuse a database made by a newer ecpm."""
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
