"""Import files that used to give tracebacks or hang: one clear line each, nothing changed."""

from __future__ import annotations

import copy
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from test_cli import assert_user_error, run

ENVELOPE = '{"format": "ecpm-export", "format_version": 1, "projects": %s}'


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("source")
    db = folder / "source.db"
    assert run("init", "--db", str(db)).returncode == 0
    assert run("demo", "--db", str(db), "--projects", "1", "--cards", "4").returncode == 0
    out = folder / "export.json"
    assert run("export", "--db", str(db), "-o", str(out)).returncode == 0
    data: dict[str, Any] = json.loads(out.read_text())
    return data


@pytest.fixture
def target(tmp_path: Path) -> Path:
    db = tmp_path / "target.db"
    assert run("init", "--db", str(db)).returncode == 0
    return db


def project_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("select count(*) from project").fetchone()[0])


def test_deep_nesting_and_huge_numbers(tmp_path: Path, target: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(ENVELOPE % ("[" * 100_000 + "]" * 100_000))
    assert_user_error(run("import", "--db", str(target), str(deep)), "nested too deeply")
    big = tmp_path / "big.json"
    big.write_text(ENVELOPE % ('[{"key": %s}]' % ("9" * 5000)))
    assert_user_error(run("import", "--db", str(target), str(big)), "too many digits")
    assert project_count(target) == 0


def test_devices_and_fifos_are_refused_without_reading(tmp_path: Path, target: Path) -> None:
    assert_user_error(
        run("import", "--db", str(target), "/dev/zero", timeout=30), "not a regular file"
    )
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    # Nobody writes to the FIFO: the old code blocked in open() forever.
    assert_user_error(
        run("import", "--db", str(target), str(fifo), timeout=30), "not a regular file"
    )


def test_the_size_limit_is_checked_before_parsing(
    tmp_path: Path, target: Path, export: dict[str, Any]
) -> None:
    path = tmp_path / "e.json"
    path.write_text(json.dumps(export))
    size = path.stat().st_size
    limited = run("import", "--db", str(target), "--max-bytes", str(size - 1), str(path))
    assert_user_error(limited, "too large")
    assert project_count(target) == 0
    assert run("import", "--db", str(target), "--max-bytes", str(size), str(path)).returncode == 0
    assert project_count(target) == 1


@pytest.mark.parametrize(
    ("where", "field"),
    [
        (("risks", 0), "occurred_card"),
        (("assessments", 0), "milestone_card"),
        (("events", 0), "entity_ref"),
        (("assessments", 0, "answers", 0), "created_card"),
        (("assessments", 0, "answers", 0), "created_risk"),
    ],
)
@pytest.mark.parametrize("value", [[1], {"n": 1}])
def test_a_list_or_object_where_a_reference_belongs(
    tmp_path: Path,
    target: Path,
    export: dict[str, Any],
    where: tuple[Any, ...],
    field: str,
    value: object,
) -> None:
    data = copy.deepcopy(export)
    record: Any = data["projects"][0]
    for step in where:
        record = record[step]
    record[field] = value
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    assert_user_error(run("import", "--db", str(target), str(path)), f"'{field}' must be")
    assert project_count(target) == 0


def test_duplicates_are_named(tmp_path: Path, target: Path, export: dict[str, Any]) -> None:
    data = copy.deepcopy(export)
    data["projects"].append(copy.deepcopy(data["projects"][0]))
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(data))
    key = export["projects"][0]["key"]
    assert_user_error(run("import", "--db", str(target), str(path)), f"project key {key}")
    data = copy.deepcopy(export)
    checks = data["projects"][0]["gate_checks"]
    checks.append(copy.deepcopy(checks[0]))
    path.write_text(json.dumps(data))
    criterion = checks[0]["criterion_key"]
    assert_user_error(run("import", "--db", str(target), str(path)), f"'{criterion}' appears twice")
    assert project_count(target) == 0
