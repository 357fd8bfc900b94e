"""The installed ``ecpm`` entry point, run as a subprocess like a user would."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import ecpm_tui

ECPM = str(Path(sys.executable).parent / "ecpm")


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ECPM, *args], capture_output=True, text=True, timeout=timeout, env=env or dict(os.environ)
    )


def assert_user_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ecpm: "), result.stderr
    assert fragment in lines[0], lines[0]


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "data" / "ecpm.db"


@pytest.fixture
def demo_db(db_file: Path) -> Path:
    assert run("init", "--db", str(db_file)).returncode == 0
    result = run("demo", "--db", str(db_file), "--projects", "3", "--cards", "30", "--risks", "12")
    assert result.returncode == 0, result.stderr
    return db_file


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"ecpm {ecpm_tui.__version__}"


def test_python_dash_m_matches_the_script() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ecpm_tui", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == f"ecpm {ecpm_tui.__version__}"


def test_usage_error_exits_2() -> None:
    assert run("frobnicate").returncode == 2
    assert run("demo", "--projects", "many").returncode == 2


def test_init_creates_private_database_and_prints_where(db_file: Path) -> None:
    result = run("init", "--db", str(db_file))
    assert result.returncode == 0, result.stderr
    assert str(db_file) in result.stdout and "--db" in result.stdout
    assert oct(db_file.stat().st_mode & 0o777) == "0o600"


def test_database_precedence_env_over_config(tmp_path: Path) -> None:
    env = dict(os.environ)
    config_dir = Path(env["XDG_CONFIG_HOME"]) / "ecpm"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text(f'db = "{tmp_path / "from-config.db"}"\n')
    result = run("init", env=env)
    assert "from-config.db" in result.stdout and "user config" in result.stdout
    env["ECPM_DB"] = str(tmp_path / "from-env.db")
    result = run("init", env=env)
    assert "from-env.db" in result.stdout and "ECPM_DB" in result.stdout
    result = run("init", "--db", str(tmp_path / "from-flag.db"), env=env)
    assert "from-flag.db" in result.stdout


def test_default_database_lives_in_the_user_data_dir() -> None:
    result = run("init")
    assert result.returncode == 0, result.stderr
    expected = Path(os.environ["XDG_DATA_HOME"]) / "ecpm" / "ecpm.db"
    assert str(expected) in result.stdout and expected.exists()


def test_broken_config_is_one_clear_line(tmp_path: Path) -> None:
    config_dir = Path(os.environ["XDG_CONFIG_HOME"]) / "ecpm"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text("db = [unclosed\n")
    assert_user_error(run("init"), "not valid TOML")


def test_demo_makes_realistic_data(demo_db: Path) -> None:
    data = json.loads(run("export", "--db", str(demo_db)).stdout)
    projects = data["projects"]
    assert len(projects) == 3
    assert len({p["phase"] for p in projects}) == 3
    cards = [c for p in projects for c in p["cards"]]
    assert {c["workstream"] for c in cards} >= {"website", "payments", "inventory", "integration"}
    risks = [r for p in projects for r in p["risks"]]
    assert len({(r["likelihood"], r["impact"]) for r in risks}) >= 8  # spread across the matrix
    statuses = {a["status"] for p in projects for a in p["assessments"]}
    assert statuses == {"completed", "in_progress"}


def test_export_import_round_trip_is_lossless(demo_db: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    assert run("export", "--db", str(demo_db), "-o", str(first)).returncode == 0
    other = tmp_path / "other.db"
    assert run("init", "--db", str(other)).returncode == 0
    result = run("import", str(first), "--db", str(other))
    assert result.returncode == 0, result.stderr
    assert "Imported 3 project(s)" in result.stdout
    second = json.loads(run("export", "--db", str(other)).stdout)
    original = json.loads(first.read_text())
    for doc in (original, second):
        doc.pop("exported_at")
    assert second == original


def test_import_is_all_or_nothing(demo_db: Path, tmp_path: Path) -> None:
    data = json.loads(run("export", "--db", str(demo_db)).stdout)
    data["projects"][2]["risks"][0]["likelihood"] = 9  # invalid in the LAST project
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    target = tmp_path / "target.db"
    assert run("init", "--db", str(target)).returncode == 0
    assert_user_error(run("import", str(bad), "--db", str(target)), "likelihood")
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM project").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM card").fetchone()[0] == 0


def test_import_dry_run_changes_nothing(demo_db: Path, tmp_path: Path) -> None:
    dump = tmp_path / "dump.json"
    run("export", "--db", str(demo_db), "-o", str(dump))
    target = tmp_path / "dry.db"
    assert run("init", "--db", str(target)).returncode == 0
    result = run("import", str(dump), "--dry-run", "--db", str(target))
    assert result.returncode == 0 and result.stdout.startswith("Would import 3")
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM project").fetchone()[0] == 0


def test_import_refuses_existing_keys(demo_db: Path, tmp_path: Path) -> None:
    dump = tmp_path / "dump.json"
    run("export", "--db", str(demo_db), "-o", str(dump))
    assert_user_error(run("import", str(dump), "--db", str(demo_db)), "already exists")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"{not json", "JSON error"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b'{"format": "something-else"}', "Not an ecpm export"),
        (b'{"format": "ecpm-export", "format_version": 99, "projects": []}', "version 99"),
        (b'{"format": "ecpm-export", "format_version": 1, "projects": [42]}', "expected an object"),
        (
            b'{"format": "ecpm-export", "format_version": 1, '
            b'"projects": [{"key": "[/]", "name": "x"}]}',
            "key",
        ),
    ],
)
def test_broken_import_files_print_one_line(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    db = tmp_path / "x.db"
    assert run("init", "--db", str(db)).returncode == 0
    assert_user_error(run("import", str(path), "--db", str(db)), fragment)


def test_hostile_text_survives_a_round_trip(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    run("init", "--db", str(db))
    doc = {
        "format": "ecpm-export",
        "format_version": 1,
        "projects": [
            {
                "key": "EVIL",
                "name": "[/] [@click=app.quit] \x1b[2J",
                "description": "x" * 100_000,
                "risk_seq": 0,
                "created_at": "2026-01-01T00:00:00+00:00",
                "created_by": "m",
                "updated_at": "2026-01-01T00:00:00+00:00",
                "updated_by": "m",
            }
        ],
    }
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(doc))
    assert_user_error(run("import", str(path), "--db", str(db)), "too long")
    doc["projects"][0]["description"] = "🛒 עברית"  # type: ignore[index]
    path.write_text(json.dumps(doc))
    assert run("import", str(path), "--db", str(db)).returncode == 0
    out = json.loads(run("export", "--db", str(db), "--project", "evil").stdout)
    assert out["projects"][0]["name"] == "[/] [@click=app.quit]"
    assert out["projects"][0]["description"] == "🛒 עברית"


def test_missing_file_and_unknown_project(tmp_path: Path, demo_db: Path) -> None:
    assert_user_error(
        run("import", str(tmp_path / "nope.json"), "--db", str(demo_db)), "No such file"
    )
    assert_user_error(run("export", "--project", "NOPE", "--db", str(demo_db)), "NOPE")


def test_corrupt_database_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("garbage" * 100)
    assert_user_error(run("export", "--db", str(bad)), "not an SQLite database")
    assert_user_error(run("--db", str(bad)), "not an SQLite database")


def test_backup_is_a_consistent_copy(demo_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "backup.db"
    result = run("backup", str(copy), "--db", str(demo_db))
    assert result.returncode == 0, result.stderr
    assert oct(copy.stat().st_mode & 0o777) == "0o600"
    original = json.loads(run("export", "--db", str(demo_db)).stdout)
    restored = json.loads(run("export", "--db", str(copy)).stdout)
    original.pop("exported_at")
    restored.pop("exported_at")
    assert restored == original
    assert_user_error(run("backup", str(demo_db), "--db", str(demo_db)), "must differ")


def test_doctor_reports_database_and_schema(demo_db: Path) -> None:
    result = run("doctor", "--db", str(demo_db))
    # The current revision is named (the head moves with every migration).
    assert re.search(r"schema\s+0\d{3} \(app head 0\d{3}\)", result.stdout), result.stdout
    assert "integrity" in result.stdout and str(demo_db) in result.stdout
    assert "Traceback" not in result.stderr


def test_doctor_flags_a_corrupt_database(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("garbage" * 100)
    result = run("doctor", "--db", str(bad))
    assert result.returncode == 1
    assert "BAD open" in result.stdout


def test_init_shared_group_makes_a_group_writable_database(tmp_path: Path) -> None:
    import grp
    import stat

    group = grp.getgrgid(os.getgid()).gr_name
    db = tmp_path / "shared" / "team.db"
    result = run("init", "--shared-group", group, "--db", str(db))
    assert result.returncode == 0, result.stderr
    folder_mode = db.parent.stat().st_mode
    assert stat.S_IMODE(folder_mode) == 0o2770
    assert stat.S_IMODE(db.stat().st_mode) == 0o660
    assert db.stat().st_gid == grp.getgrnam(group).gr_gid
    assert_user_error(run("init", "--shared-group", "no-such-group-xyz", "--db", str(db)), "group")


def test_imported_risk_refs_are_not_reused(demo_db: Path, tmp_path: Path) -> None:
    from ecpm_tui.config import DbTarget
    from ecpm_tui.db import open_database
    from ecpm_tui.store import Store

    data = json.loads(run("export", "--db", str(demo_db), "--project", "SHOP").stdout)
    data["projects"][0]["risk_seq"] = 0  # a hand-edited file with a stale counter
    path = tmp_path / "stale.json"
    path.write_text(json.dumps(data))
    target = tmp_path / "t.db"
    assert run("init", "--db", str(target)).returncode == 0
    assert run("import", str(path), "--db", str(target)).returncode == 0
    db = open_database(DbTarget(f"sqlite:///{target}", "t"))
    store = Store(db, user="t")
    new = store.create_risk(store.get_project_by_key("SHOP").id, {"title": "new", "owner": "x"})  # type: ignore[arg-type]
    assert new.ref == f"R-{len(data['projects'][0]['risks']) + 1:03d}"
    db.close()


@pytest.mark.parametrize(
    "command", [["demo"], ["import", "{export}"], [], ["export"], ["backup", "{out}"]]
)
def test_a_mistyped_database_path_is_not_a_new_database(
    tmp_path: Path, demo_db: Path, command: list[str]
) -> None:
    export = tmp_path / "e.json"
    assert run("export", "--db", str(demo_db), "-o", str(export)).returncode == 0
    typo = tmp_path / "tema" / "x.db"
    args = [a.format(export=export, out=tmp_path / "b.db") for a in command]
    result = run(*args, "--db", str(typo))
    assert_user_error(result, f"No database at {typo}")
    creates = command[:1] != ["backup"]  # a backup has nothing to create
    assert ("ecpm init --db" in result.stderr) is creates
    assert not typo.parent.exists()
    # The same in an existing folder: the file is not created either.
    result = run(*args, "--db", str(tmp_path / "typo.db"))
    assert_user_error(result, "ecpm init --db" if creates else "No database at")
    assert not (tmp_path / "typo.db").exists()
