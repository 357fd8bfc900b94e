"""Issue 10 item 7: an import reports every error of a file (up to a limit), and output
files (backup, export -o, report -o) get the database's own mode."""

from __future__ import annotations

import copy
import json
import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from test_cli import run

from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.demo import generate
from ecpm_tui.errors import ValidationError
from ecpm_tui.exchange import export_json, import_data
from ecpm_tui.store import Store


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """A demo database to export from and an empty one to import into."""
    dbs = [open_database(DbTarget(f"sqlite:///{tmp_path / n}", "test")) for n in ("a", "b")]
    source, target = (Store(db, user="alice", today=lambda: date(2026, 11, 2)) for db in dbs)
    generate(source, projects=1, cards=6, risks=3, seed=3)
    yield source, target
    for db in dbs:
        db.close()


def exported(source: Store) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(export_json(source, None))
    return data


def test_import_reports_every_error_and_imports_nothing(stores: tuple[Store, Store]) -> None:
    source, target = stores
    data = copy.deepcopy(exported(source))
    project = data["projects"][0]
    project["cards"][0]["priority"] = "urgent"
    project["cards"][2]["estimate"] = "lots"
    project["risks"][1]["likelihood"] = 9
    with pytest.raises(ValidationError) as caught:
        import_data(target, data)
    message = caught.value.message
    assert message.startswith("3 errors in the file; nothing was imported:")
    assert "card #1" in message and "card #3" in message and "risk #2" in message
    assert target.list_projects(include_archived=True) == []


def test_import_lists_at_most_twenty_errors_then_says_how_many_more(
    stores: tuple[Store, Store],
) -> None:
    source, target = stores
    data = copy.deepcopy(exported(source))
    card = data["projects"][0]["cards"][0]
    data["projects"][0]["cards"] = [
        {**copy.deepcopy(card), "n": n, "priority": "urgent"} for n in range(1, 26)
    ]
    with pytest.raises(ValidationError) as caught:
        import_data(target, data)
    lines = caught.value.message.splitlines()
    assert lines[0].startswith("25 errors")
    assert len(lines) == 1 + 20 + 1
    assert lines[-1].strip() == "and 5 more."
    assert target.list_projects(include_archived=True) == []


def test_import_with_one_error_keeps_its_one_line_message(stores: tuple[Store, Store]) -> None:
    source, target = stores
    data = copy.deepcopy(exported(source))
    data["projects"][0]["cards"][1]["priority"] = "urgent"
    with pytest.raises(ValidationError) as caught:
        import_data(target, data)
    assert "\n" not in caught.value.message and "card #2" in caught.value.message


def test_cli_import_prints_every_error(tmp_path: Path, stores: tuple[Store, Store]) -> None:
    source, _target = stores
    data = copy.deepcopy(exported(source))
    data["projects"][0]["cards"][0]["priority"] = "urgent"
    data["projects"][0]["risks"][0]["impact"] = 0
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    db = tmp_path / "cli.db"
    assert run("init", "--db", str(db)).returncode == 0
    result = run("import", "--db", str(db), str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("ecpm: 2 errors in the file")
    assert "card #1" in result.stderr and "risk #1" in result.stderr


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("db_mode", [0o600, 0o660], ids=["personal", "shared"])
def test_output_files_get_the_database_mode(tmp_path: Path, db_mode: int) -> None:
    db = tmp_path / "data" / "ecpm.db"
    assert run("init", "--db", str(db)).returncode == 0
    assert run("demo", "--db", str(db), "--projects", "1", "--cards", "3").returncode == 0
    os.chmod(db, db_mode)
    out = tmp_path / "out"
    out.mkdir()
    old = os.umask(0o022)  # a lax umask must not widen (nor narrow) the copies
    try:
        assert run("backup", str(out / "backup.db"), "--db", str(db)).returncode == 0
        assert mode_of(out / "backup.db") == db_mode
        # A file replaced with --force keeps the mode its owner gave it.
        kept = out / "kept.db"
        kept.write_text("old")
        os.chmod(kept, 0o640)
        assert run("backup", str(kept), "--db", str(db), "--force").returncode == 0
        assert mode_of(kept) == 0o640
        assert run("export", "--db", str(db), "-o", str(out / "e.json")).returncode == 0
        assert mode_of(out / "e.json") == db_mode
        key = json.loads((out / "e.json").read_text())["projects"][0]["key"]
        assert run("report", key, "--db", str(db), "-o", str(out / "r.md")).returncode == 0
        assert mode_of(out / "r.md") == db_mode
    finally:
        os.umask(old)
