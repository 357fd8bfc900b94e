"""A shared server: planted symbolic links are never followed, authors cannot be faked."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from test_cli import assert_user_error, run


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "team.db"
    assert run("init", "--db", str(path)).returncode == 0
    assert run("demo", "--db", str(path), "--projects", "1", "--cards", "3").returncode == 0
    return path


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "precious.txt"
    path.write_text("keep me\n")
    return path


def test_export_never_writes_through_a_planted_temporary_link(
    tmp_path: Path, db: Path, victim: Path
) -> None:
    out = tmp_path / "shared" / "export.json"
    out.parent.mkdir()
    # The names the old code (and naive code) would use for its temporary file.
    for name in (f".{out.name}.tmp", f"{out.name}.tmp", f".{out.name}.swp"):
        (out.parent / name).symlink_to(victim)
    result = run("export", "--db", str(db), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "keep me\n"
    assert json.loads(out.read_text())["projects"]
    assert not out.is_symlink()
    leftovers = sorted(p.name for p in out.parent.iterdir() if not p.is_symlink())
    assert leftovers == ["export.json"]


def test_backup_never_writes_through_a_planted_temporary_link(
    tmp_path: Path, db: Path, victim: Path
) -> None:
    dest = tmp_path / "backup.db"
    (tmp_path / f".{dest.name}.tmp").symlink_to(victim)
    result = run("backup", "--db", str(db), str(dest))
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "keep me\n"
    with sqlite3.connect(dest) as conn:
        assert conn.execute("select count(*) from card").fetchone() == (3,)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600


@pytest.mark.parametrize("command", ["export", "backup"])
def test_a_target_that_is_a_link_is_refused_unless_asked(
    tmp_path: Path, db: Path, victim: Path, command: str
) -> None:
    link = tmp_path / "out.file"
    link.symlink_to(victim)
    args = ["export", "--db", str(db), "-o", str(link)]
    if command == "backup":
        args = ["backup", "--db", str(db), str(link)]
    assert_user_error(run(*args), "is a symbolic link")
    assert victim.read_text() == "keep me\n"

    # Following the link replaces an existing file, which also takes --force.
    assert_user_error(run(*args, "--follow-symlinks"), "already exists")
    assert run(*args, "--follow-symlinks", "--force").returncode == 0
    assert link.is_symlink()  # the link stays; the file it points to is replaced
    assert victim.read_bytes() != b"keep me\n"


def test_export_replaces_an_existing_file_only_with_force_and_keeps_its_mode(
    tmp_path: Path, db: Path
) -> None:
    out = tmp_path / "export.json"
    out.write_text("old")
    out.chmod(0o640)
    assert_user_error(run("export", "--db", str(db), "-o", str(out)), "give --force")
    assert out.read_text() == "old"
    assert run("export", "--db", str(db), "-o", str(out), "--force").returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert json.loads(out.read_text())["projects"]


def test_export_to_a_folder_or_device_is_refused(tmp_path: Path, db: Path) -> None:
    assert_user_error(run("export", "--db", str(db), "-o", str(tmp_path)), "not a regular file")


def test_a_database_path_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "db.fifo"
    os.mkfifo(fifo)
    for command in (["export"], ["demo"], ["doctor"]):
        result = run(*command, "--db", str(fifo), timeout=60)
        assert result.returncode == 1, (command, result.stderr)
        assert "not a regular file" in result.stderr + result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.fifo"]
    assert_user_error(run("export", "--db", "/dev/null"), "not a regular file")
    assert not Path("/dev/null-journal").exists()


def test_the_author_is_the_effective_user_not_an_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pwd

    from ecpm_tui.config import current_user

    real = pwd.getpwuid(os.geteuid()).pw_name
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "the-boss")
    assert current_user() == real
    env = {**os.environ}
    path = tmp_path / "who.db"
    assert run("init", "--db", str(path), env=env).returncode == 0
    assert run("demo", "--db", str(path), "--projects", "1", env=env).returncode == 0
    with sqlite3.connect(path) as conn:
        authors = {row[0] for row in conn.execute("select distinct user from auditevent")}
    assert authors == {real}


def test_a_login_name_longer_than_the_author_columns_still_saves(db_url: str) -> None:
    from ecpm_tui.config import DbTarget
    from ecpm_tui.db import open_database
    from ecpm_tui.store import Store

    database = open_database(DbTarget(db_url, "test"))
    try:
        store = Store(database, user="a-very-long-login-name-" * 5)
        project = store.create_project({"key": "LONG", "name": "Long names"})
        assert project.id is not None
        store.create_card(project.id, {"title": "Saved"})
        events = store.list_events()
        assert {len(e.user) for e in events} == {64}
        assert events[0].user.startswith("a-very-long-login-name-")
    finally:
        database.close()


@pytest.mark.parametrize("url", ["postgresql+psycopg2://u@h/db", "postgresql+asyncpg://u@h/db"])
def test_another_postgresql_driver_is_named_not_a_traceback(url: str) -> None:
    assert_user_error(run("export", "--db", url), "psycopg (version 3) driver")


def test_a_stale_gate_tick_is_refused_and_a_reorder_audits_the_neighbour(db_url: str) -> None:
    from ecpm_tui.config import DbTarget
    from ecpm_tui.db import open_database
    from ecpm_tui.errors import Conflict
    from ecpm_tui.store import Store

    database = open_database(DbTarget(db_url, "test"))
    try:
        alice, bob = Store(database, user="alice"), Store(database, user="bob")
        project = alice.create_project({"key": "GATE", "name": "Gates"})
        assert project.id is not None
        seen = alice.gate_checks(project.id).checks[0]  # what alice's gate list shows
        assert seen.id is not None
        bob.set_gate_check(seen.id, True, expected_version=seen.version)
        with pytest.raises(Conflict, match="bob"):
            alice.set_gate_check(seen.id, False, expected_version=seen.version)
        assert alice.gate_checks(project.id).checks[0].done is True  # bob's tick stands

        first = alice.create_card(project.id, {"title": "First"})
        second = alice.create_card(project.id, {"title": "Second"})
        assert second.id is not None and first.id is not None
        alice.reorder_card(second.id, -1)
        by_card = {(e.entity_id, e.action) for e in alice.list_events(entity="card")}
        assert (first.id, "swap") in by_card and (second.id, "reorder") in by_card
        # The neighbour's new version is explained by an event of its own.
        assert alice.get_card(first.id).version == first.version + 1
    finally:
        database.close()


def test_backup_replaces_an_existing_file_only_with_force(tmp_path: Path, db: Path) -> None:
    dest = tmp_path / "backup.db"
    dest.write_text("yesterday")
    assert_user_error(run("backup", "--db", str(db), str(dest)), "give --force")
    assert dest.read_text() == "yesterday"
    assert run("backup", "--db", str(db), str(dest), "--force").returncode == 0
    with sqlite3.connect(dest) as conn:
        assert conn.execute("select count(*) from card").fetchone() == (3,)
