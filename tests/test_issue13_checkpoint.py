"""Issue 13 item 5: SQLite's WAL is checkpointed by a background thread, never inside a
commit (where every other writer would wait for it), and what a process leaves in the
WAL is checkpointed when it closes; hot writes begin and commit on the driver."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from ecpm_tui.checkpoint import CHECKPOINT_EVERY, Checkpointer
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.errors import NotFound, StorageError
from ecpm_tui.models import Card, Project
from ecpm_tui.store import Store


def in_file(path: Path, sql: str) -> tuple[object, ...]:
    """The first row of *sql* on the database file itself, leaving out the WAL."""
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return tuple(conn.execute(sql).fetchone())
    finally:
        conn.close()


def file_only_titles(path: Path) -> int:
    """Cards in the database file itself (not what is still only in the WAL)."""
    return int(str(in_file(path, "SELECT count(*) FROM card")[0]))


def project(store: Store) -> int:
    made = store.create_project({"key": "SHOP", "name": "Storefront"})
    assert made.id is not None
    return made.id


def keep_wal(path: Path) -> sqlite3.Connection:
    # SQLite checkpoints and removes the WAL when the last connection closes: a second
    # connection keeps it, so only ecpm's own checkpoints copy pages into the file.
    reader = sqlite3.connect(path)
    reader.execute("SELECT 1 FROM card LIMIT 1").fetchall()
    return reader


def test_commits_leave_their_pages_in_the_wal(db_path: Path) -> None:
    db = open_database(DbTarget(f"sqlite:///{db_path}", "test"))
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    store = Store(db, user="alice")
    pid = project(store)
    db.checkpointer.checkpoint()  # the schema and the project, into the file
    reader = keep_wal(db_path)
    before = file_only_titles(db_path)
    for i in range(30):
        store.create_card(pid, {"title": f"card {i}"})
    # Far fewer writes than a checkpoint waits for: nothing reached the file yet.
    assert file_only_titles(db_path) == before
    db.close()
    assert file_only_titles(db_path) == before + 30, "closing checkpoints what was left"
    reader.close()


def test_a_thread_checkpoints_after_every_hundred_writes(db_path: Path) -> None:
    db = open_database(DbTarget(f"sqlite:///{db_path}", "test"))
    store = Store(db, user="alice")
    pid = project(store)
    card = store.create_card(pid, {"title": "moved to and fro"})
    assert card.id is not None
    reader = keep_wal(db_path)
    db.checkpointer.checkpoint()
    assert file_only_titles(db_path) == 1
    store.move_card(card.id, "execution")
    assert in_file(db_path, "SELECT phase FROM card") == ("initiation",)
    done = db.checkpointer.done
    for i in range(CHECKPOINT_EVERY - 2):  # with the move above, one short of a checkpoint
        store.move_card(card.id, "planning" if i % 2 == 0 else "initiation")
    assert db.checkpointer.done == done and db.checkpointer._thread is None
    moved = store.move_card(card.id, "closure")
    thread = db.checkpointer._thread
    assert thread is not None and thread.name == "ecpm-checkpoint"
    for _ in range(500):
        if db.checkpointer.done > done:
            break
        threading.Event().wait(0.01)
    assert db.checkpointer.done == done + 1
    last = db.checkpointer.last
    assert last is not None and last[0] == 0 and last[1] == last[2] > 0  # all copied
    assert in_file(db_path, "SELECT phase FROM card") == ("closure",) == (moved.phase,)
    reader.close()
    db.close()
    assert not thread.is_alive()


def test_a_failed_checkpoint_is_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    checkpointer = Checkpointer(folder / "missing" / "x.db", every=1)
    checkpointer.wrote()
    checkpointer.close()  # cannot open the file: nothing raised, nothing counted
    assert checkpointer.done == 0
    Checkpointer(None).wrote()  # PostgreSQL and in-memory SQLite: nothing to do


def test_a_core_statement_inside_a_hot_write_joins_its_transaction(db_path: Path) -> None:
    db = open_database(DbTarget(f"sqlite:///{db_path}", "test"))
    store = Store(db, user="alice")
    pid = project(store)
    table = Card.__table__
    row = store.create_card(pid, {"title": "template"}).model_dump()
    row.pop("id")

    def write(conn: Connection, fail: bool) -> None:
        conn.execute(insert(table).values({**row, "title": "in the hot write"}))
        if fail:
            raise RuntimeError("after the insert")

    with pytest.raises(RuntimeError):
        db.write_core(lambda c: write(c, fail=True))
    titles = {c.title for c in store.list_cards(pid)}
    assert "in the hot write" not in titles, "a failed write is rolled back"
    db.write_core(lambda c: write(c, fail=False))
    assert "in the hot write" in {c.title for c in store.list_cards(pid)}
    # The write lock was released after each: another connection can begin at once.
    other = sqlite3.connect(db.target.sqlite_path or "", isolation_level=None)
    other.execute("PRAGMA busy_timeout=0")
    other.execute("BEGIN IMMEDIATE")
    other.rollback()
    other.close()
    with db.engine.connect() as conn:
        assert conn.execute(select(Project.key)).scalars().all() == ["SHOP"]
    db.close()


def test_the_kept_hot_connection_survives_refusals_and_is_replaced_after_errors(
    db_path: Path,
) -> None:
    db = open_database(DbTarget(f"sqlite:///{db_path}", "test"))
    store = Store(db, user="alice")
    pid = project(store)
    card = store.create_card(pid, {"title": "moved"})
    assert card.id is not None
    store.move_card(card.id, "planning")
    kept = db._hot
    assert kept is not None
    with pytest.raises(NotFound):
        store.move_card(999_999, "planning")
    assert db._hot is kept, "a refusal leaves the connection as it was"
    assert store.move_card(card.id, "execution").phase == "execution"

    def broken(conn: Connection) -> None:
        conn.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")

    with pytest.raises(StorageError, match="no such table"):
        db.write_core(broken)
    assert db._hot is None and kept.closed, "a database error drops it"
    assert store.move_card(card.id, "closure").phase == "closure"
    assert db._hot is not None and db._hot is not kept
    db.close()
    assert db._hot is None
