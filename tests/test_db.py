"""Opening databases: migrations, refusal of newer schemas, permissions, corrupt files."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from ecpm_tui.config import DbTarget
from ecpm_tui.db import migration_config, open_database, schema_revisions
from ecpm_tui.errors import StorageError
from ecpm_tui.store import Store

FIRST_REVISION = "0001"


def sqlite_target(path: Path) -> DbTarget:
    return DbTarget(f"sqlite:///{path}", "test")


def test_migrates_an_empty_database_to_head(db_url: str) -> None:
    db = open_database(DbTarget(db_url, "test"))
    current, heads = schema_revisions(db.engine)
    assert current == heads and heads
    assert Store(db, user="t").list_projects() == []
    db.close()


def test_upgrades_a_populated_first_revision_database(db_url: str) -> None:
    engine = create_engine(db_url)
    cfg = migration_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, FIRST_REVISION)
        conn.commit()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO project (key, name, description, channel, objectives, scope, sponsor, "
                "manager, phase, health, currency, archived, risk_seq, version, created_at, "
                "created_by, updated_at, updated_by) VALUES ('OLD', 'Old project', '', 'b2c', "
                "'', '', '', '', 'planning', 'amber', 'EUR', false, 0, 1, :now, 'x', :now, 'x')"
            ),
            {"now": "2026-01-01 00:00:00+00:00"},
        )
    engine.dispose()
    db = open_database(DbTarget(db_url, "test"))
    current, heads = schema_revisions(db.engine)
    assert current == heads
    (project,) = Store(db, user="t").list_projects()
    assert (project.key, project.phase, project.health) == ("OLD", "planning", "amber")
    db.close()


def test_refuses_a_database_from_a_newer_ecpm(db_url: str) -> None:
    open_database(DbTarget(db_url, "test")).close()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    with pytest.raises(StorageError, match="newer version of ecpm"):
        open_database(DbTarget(db_url, "test"))


def test_personal_database_is_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "ecpm.db"
    open_database(sqlite_target(path)).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_connection_pragmas(tmp_path: Path) -> None:
    db = open_database(sqlite_target(tmp_path / "p.db"))
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    db.close()


def test_corrupt_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StorageError, match="not an SQLite database"):
        open_database(sqlite_target(path))
    assert path.read_bytes().startswith(b"this is not sqlite")
    assert not Path(f"{path}-wal").exists()


NOBODY = 65534


def open_as_unprivileged(path: Path) -> tuple[int, str]:
    """Open *path* in a forked child that file permissions apply to (root ignores them).

    Returns (exit status, message). The child drops to uid/gid 65534 when run as root.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        message = "opened"
        try:
            os.close(read_end)
            # The test's working folder may be closed to the unprivileged user.
            os.chdir("/")
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            open_database(sqlite_target(path)).close()
        except StorageError as exc:
            code, message = 1, exc.message
        except BaseException as exc:  # report, never let the child run pytest on
            code, message = 2, repr(exc)
        finally:
            os.write(write_end, message.encode())
            os.close(write_end)
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        message = fh.read().decode()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), message


@pytest.fixture
def shared_tmp(tmp_path: Path) -> Path:
    # The unprivileged child must be able to reach the folder under test.
    for parent in [tmp_path, *tmp_path.parents]:
        if parent == Path("/"):
            break
        parent.chmod(parent.stat().st_mode | 0o011)
    return tmp_path


def test_unwritable_file_is_refused_before_opening(shared_tmp: Path) -> None:
    folder = shared_tmp / "ro"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    path = folder / "ecpm.db"
    open_database(sqlite_target(path)).close()
    path.chmod(0o444)
    code, message = open_as_unprivileged(path)
    assert (code, message.startswith("Cannot write to")) == (1, True), message
    assert sorted(p.name for p in folder.iterdir()) == ["ecpm.db"]


def test_unwritable_folder_is_refused_before_opening(shared_tmp: Path) -> None:
    folder = shared_tmp / "locked"
    folder.mkdir()
    path = folder / "ecpm.db"
    open_database(sqlite_target(path)).close()
    path.chmod(0o666)
    folder.chmod(0o555)
    try:
        code, message = open_as_unprivileged(path)
        assert (code, message.startswith("Cannot write in the database folder")) == (1, True), (
            message
        )
        assert sorted(p.name for p in folder.iterdir()) == ["ecpm.db"]
    finally:
        folder.chmod(0o700)


def test_a_folder_in_place_of_the_file_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "isdir.db"
    bogus.mkdir()
    with pytest.raises(StorageError, match="is a folder"):
        open_database(sqlite_target(bogus))


def test_missing_database_without_create(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="ecpm init"):
        open_database(sqlite_target(tmp_path / "none.db"), create=False)


def test_change_token_moves_when_another_connection_writes(db_url: str) -> None:
    db = open_database(DbTarget(db_url, "test"))
    other = open_database(DbTarget(db_url, "test"))
    before = db.change_token()
    Store(other, user="bob").create_project({"key": "CHG", "name": "Change"})
    assert db.change_token() != before
    db.close()
    other.close()


def test_change_token_of_a_file_made_corrupt_is_a_clear_error(tmp_path: Path) -> None:
    # The board and the change poll read it from workers, which report ecpm's errors:
    # a driver error there would end the app with a traceback.
    path = tmp_path / "token.db"
    db = open_database(sqlite_target(path))
    db.engine.dispose()
    for name in ("token.db", "token.db-wal", "token.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    path.write_bytes(b"x" * 8192)  # replaced behind the app's back
    with pytest.raises(StorageError, match="corrupt"):
        db.change_token()
    db.close()
