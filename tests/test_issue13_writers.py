"""Issue 13 item 5: the hot card writes in Core SQL give the same results and audit events
as before, and SQLite writers queue on a sidecar flock that never stops a write."""

from __future__ import annotations

import fcntl
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import object_session
from sqlmodel import col

from ecpm_tui.config import DbTarget
from ecpm_tui.db import Database, open_database
from ecpm_tui.errors import NotFound, ValidationError, WipLimitReached
from ecpm_tui.models import AuditEvent, Card
from ecpm_tui.store import Store
from ecpm_tui.write_lock import WriteLock, lock_path


def events(db: Database) -> list[tuple[str, int | None, str, str, dict[str, list[object]]]]:
    rows = db.read(
        lambda s: s.execute(select(AuditEvent).order_by(col(AuditEvent.id))).scalars().all()
    )
    return [(e.action, e.entity_id, e.user, e.summary, json.loads(e.changes)) for e in rows]


def board(db: Database) -> tuple[Store, int, int]:
    store = Store(db, user="alice")
    project = store.create_project({"key": "SHOP", "name": "Storefront"})
    assert project.id is not None
    card = store.create_card(project.id, {"title": "Checkout [/]"})
    assert card.id is not None
    return store, project.id, card.id


def test_a_move_records_the_same_event_and_returns_the_stored_card(db: Database) -> None:
    store, _pid, cid = board(db)
    before = store.get_card(cid)
    moved = store.move_card(cid, "planning")
    assert isinstance(moved, Card) and object_session(moved) is None
    stored = store.get_card(cid)
    for name in Card.model_fields:
        assert getattr(moved, name) == getattr(stored, name), name
    assert (moved.phase, moved.version, moved.rank, moved.updated_by) == ("planning", 2, 1, "alice")
    entry = before.entered_at
    assert entry is not None
    assert events(db)[-1] == (
        "move",
        cid,
        "alice",
        "Moved card 'Checkout [/]' Initiation -> Planning",
        {"phase": ["initiation", "planning"], "entered_at": [entry.isoformat(), None]},
    )
    # The same column again: nothing changes, nothing is recorded.
    count = len(events(db))
    again = store.move_card(cid, "planning")
    assert again.version == 2 and len(events(db)) == count
    assert store.verify_audit().ok


def test_a_full_column_is_refused_then_overridden_with_its_own_event(db: Database) -> None:
    store, pid, cid = board(db)
    other = store.create_card(pid, {"title": "Search", "phase": "planning"})
    store.set_column_setting(pid, "planning", {"wip_limit": 1})
    with pytest.raises(WipLimitReached, match=r"Planning is at its WIP limit \(1/1\)"):
        store.move_card(cid, "planning")
    assert store.get_card(cid).phase == "initiation"
    moved = store.move_card(cid, "planning", force=True)
    assert moved.rank == (other.rank or 0) + 1
    assert [e[:4] for e in events(db)[-2:]] == [
        (
            "wip_override",
            cid,
            "alice",
            "WIP limit overridden in Planning (2/1) for card 'Checkout [/]'",
        ),
        ("move", cid, "alice", "Moved card 'Checkout [/]' Initiation -> Planning"),
    ]
    assert events(db)[-2][4] == {"wip": [None, "2/1"]}
    assert store.verify_audit().ok


def test_status_changes_record_the_same_events_and_clear_a_block(db: Database) -> None:
    store, _pid, cid = board(db)
    assert store.cycle_card_status(cid).status == "doing"
    assert events(db)[-1][3:] == (
        "Card 'Checkout [/]': To do -> Doing",
        {"status": ["todo", "doing"]},
    )
    store.set_blocked(cid, "waiting for the PSP")
    done = store.set_card_status(cid, "done")
    assert (done.status, done.blocked_reason, done.version) == ("done", "", 4)
    assert events(db)[-1] == (
        "status",
        cid,
        "alice",
        "Card 'Checkout [/]': Blocked -> Done",
        {"status": ["blocked", "done"], "blocked_reason": ["waiting for the PSP", ""]},
    )
    count = len(events(db))
    assert store.set_card_status(cid, "done").version == 4  # unchanged: no event
    assert len(events(db)) == count
    with pytest.raises(ValidationError):
        store.set_card_status(cid, "blocked")
    # Done -> todo skips nothing; todo -> doing; the undo replays the status event.
    assert store.cycle_card_status(cid).status == "todo"
    store.undo_last(store.get_card(cid).project_id)
    assert store.get_card(cid).status == "done"
    assert store.verify_audit().ok


def test_a_killed_project_and_a_missing_card_are_refused(db: Database) -> None:
    store, pid, cid = board(db)
    with pytest.raises(NotFound, match="Card 999 does not exist"):
        store.move_card(999, "planning")
    with pytest.raises(NotFound):
        store.cycle_card_status(999)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE project SET state = 'killed' WHERE id = :p"), {"p": pid})
    for write in (lambda: store.move_card(cid, "planning"), lambda: store.cycle_card_status(cid)):
        with pytest.raises(ValidationError, match="Project SHOP is killed: its board is read-only"):
            write()
    assert store.get_card(cid).version == 1


def test_a_process_that_only_ever_moved_cards_gets_a_card_back(db_path: Path) -> None:
    # Core writes alone never set up the ORM mapping; the returned Card must still work.
    store, _pid, cid = board(open_database(DbTarget(f"sqlite:///{db_path}", "test")))
    store.db.close()
    code = (
        "import sys\n"
        "from ecpm_tui.config import DbTarget\n"
        "from ecpm_tui.db import open_database\n"
        "from ecpm_tui.store import Store\n"
        "s = Store(open_database(DbTarget(sys.argv[1], 't')), user='bob')\n"
        "c = s.cycle_card_status(int(sys.argv[2]))\n"
        "print(c.status, c.version, c.updated_by)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, f"sqlite:///{db_path}", str(cid)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["doing", "2", "bob"]


# ---------------------------------------------------------------------------
# The sidecar lock file
# ---------------------------------------------------------------------------


def sqlite_store(db_path: Path) -> Store:
    store = Store(open_database(DbTarget(f"sqlite:///{db_path}", "test")), user="alice")
    return store


def test_the_lock_file_gets_the_database_files_mode_and_group(db_path: Path) -> None:
    store = sqlite_store(db_path)
    os.chmod(db_path, 0o660)
    old = os.umask(0o077)
    try:
        store.db.close()
        store = sqlite_store(db_path)
        project = store.create_project({"key": "SHOP", "name": "Storefront"})
    finally:
        os.umask(old)
    lock = lock_path(db_path)
    st, db_st = lock.stat(), db_path.stat()
    assert stat.S_ISREG(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o660
    assert st.st_gid == db_st.st_gid
    assert store.db.write_lock.active
    assert project.id is not None
    store.db.close()


def test_reads_never_create_or_take_the_lock(db_path: Path) -> None:
    store = sqlite_store(db_path)
    store.db.close()
    lock_path(db_path).unlink(missing_ok=True)
    reader = sqlite_store(db_path)
    assert reader.list_projects() == []
    assert not lock_path(db_path).exists()
    reader.db.close()


def test_a_symbolic_link_is_never_followed(db_path: Path, tmp_path: Path) -> None:
    store, _pid, cid = board(open_database(DbTarget(f"sqlite:///{db_path}", "test")))
    store.db.close()
    lock = lock_path(db_path)
    lock.unlink()
    victim = tmp_path / "victim"
    lock.symlink_to(victim)
    store = sqlite_store(db_path)
    assert store.cycle_card_status(cid).status == "doing"
    assert not victim.exists()  # neither created nor touched
    assert lock.is_symlink()
    assert not store.db.write_lock.active
    store.db.close()


@pytest.mark.parametrize("kind", ["folder", "fifo", "read-only file"])
def test_an_unusable_lock_file_still_lets_writes_through(db_path: Path, kind: str) -> None:
    store, _pid, cid = board(open_database(DbTarget(f"sqlite:///{db_path}", "test")))
    store.db.close()
    lock = lock_path(db_path)
    lock.unlink()
    if kind == "folder":
        lock.mkdir()
    elif kind == "fifo":
        os.mkfifo(lock)
    else:
        lock.touch()
        os.chmod(lock, 0o444)
    store = sqlite_store(db_path)
    assert store.move_card(cid, "planning").phase == "planning"
    assert store.cycle_card_status(cid).status == "doing"
    # A read-only sidecar still serves (flock needs no write access); the others are skipped.
    assert store.db.write_lock.active == (kind == "read-only file")
    assert store.verify_audit().ok
    store.db.close()


HOLDER = (
    "import sys\n"
    "from pathlib import Path\n"
    "from ecpm_tui.write_lock import WriteLock\n"
    "lock = WriteLock(Path(sys.argv[1]))\n"
    "with lock.held():\n"
    "    print('held', flush=True)\n"
    "    sys.stdin.readline()\n"
)


def test_two_processes_take_turns(db_path: Path) -> None:
    store, _pid, cid = board(open_database(DbTarget(f"sqlite:///{db_path}", "test")))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "held"
        done = threading.Event()
        results: list[str] = []

        def write() -> None:
            results.append(store.cycle_card_status(cid).status)
            done.set()

        thread = threading.Thread(target=write)
        thread.start()
        # Reads go on while the other process holds the write lock.
        assert store.get_card(cid).status == "todo"
        assert not done.wait(0.5), "the write did not wait for the other process"
        holder.stdin.write("\n")
        holder.stdin.flush()
        thread.join(30)
        assert results == ["doing"]
    finally:
        holder.kill()
        holder.wait()
        store.db.close()


def test_a_holder_that_never_lets_go_falls_back_to_sqlites_own_lock(db_path: Path) -> None:
    store, _pid, cid = board(open_database(DbTarget(f"sqlite:///{db_path}", "test")))
    store.db.write_lock.timeout = 0.2
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "held"
        # The flock is held but SQLite is free: the write gives up waiting and goes on.
        assert store.cycle_card_status(cid).status == "doing"
        assert store.cycle_card_status(cid).status == "done"
    finally:
        holder.kill()
        holder.wait()
        store.db.close()


def test_threads_of_one_process_lose_nothing(db_path: Path) -> None:
    store, pid, _cid = board(open_database(DbTarget(f"sqlite:///{db_path}", "test")))
    ids = [store.create_card(pid, {"title": f"c{i}"}).id for i in range(8)]
    errors: list[BaseException] = []

    def work(card_id: int | None) -> None:
        assert card_id is not None
        try:
            for _ in range(10):
                store.cycle_card_status(card_id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(1 for e in events(store.db) if e[0] == "status") == 80
    assert all(store.get_card(i or 0).version == 11 for i in ids)
    assert store.verify_audit().ok
    store.db.close()


def test_the_lock_is_reentrant_within_a_thread(tmp_path: Path) -> None:
    db_path = tmp_path / "x.db"
    db_path.touch()
    lock = WriteLock(db_path)
    with lock.held(), lock.held():
        assert lock.active
    lock.close()
    assert WriteLock(None).active is False


def test_a_wait_given_up_releases_the_flock_granted_later(tmp_path: Path) -> None:
    from ecpm_tui.write_lock import _Request

    path = tmp_path / "x.lock"
    path.touch()
    other = os.open(path, os.O_RDWR)
    mine = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(other, fcntl.LOCK_EX)
        late = _Request(mine)
        assert late.wait(0.01) is False  # the caller goes on without the flock
        fcntl.flock(other, fcntl.LOCK_UN)
        late.run()  # granted now, to nobody: released at once
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_UN)
        answered = _Request(mine)
        answered.run()  # the answer came before the caller looked
        assert answered.wait(0) is True
        with pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(other)
        os.close(mine)
