"""Issue 12: CSV export (header row, ISO dates, formula neutralisation, hostile text)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ecpm_tui import cli
from ecpm_tui.config import DbTarget
from ecpm_tui.csvexport import (
    ANSWER_COLUMNS,
    CARD_COLUMNS,
    PROJECT_COLUMNS,
    RISK_COLUMNS,
    cell,
    export_csv,
    neutralise,
)
from ecpm_tui.db import open_database
from ecpm_tui.demo import generate
from ecpm_tui.errors import ValidationError
from ecpm_tui.store import Store

TODAY = date(2026, 3, 2)
HOSTILE = '=HYPERLINK("http://evil","x"), "quoted"\nline [/] ünï 😀'


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'e.db'}", "test"), create=True)
    st = Store(db, user="alice", today=lambda: TODAY)
    generate(st, projects=2, cards=12, risks=6, seed=3)
    yield st
    db.close()


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_starts_are_neutralised(start: str) -> None:
    assert neutralise(f"{start}1+1") == f"'{start}1+1"
    assert cell(f"{start}cmd") == f"'{start}cmd"


def test_plain_text_numbers_and_dates_are_left_alone() -> None:
    assert neutralise("Launch") == "Launch"
    assert neutralise("a=b") == "a=b"
    assert cell(-3) == "-3"  # our own numbers stay numbers
    assert cell(date(2026, 1, 31)) == "2026-01-31"
    assert cell(None) == "" and cell(True) == "true"


@pytest.mark.parametrize(
    ("what", "columns"),
    [
        ("cards", CARD_COLUMNS),
        ("risks", RISK_COLUMNS),
        ("answers", ANSWER_COLUMNS),
        ("projects", PROJECT_COLUMNS),
    ],
)
def test_every_table_round_trips_through_the_csv_module(
    store: Store, what: str, columns: tuple[str, ...]
) -> None:
    rows = parse(export_csv(store, what))
    assert rows, what
    assert list(rows[0]) == list(columns)
    if what == "cards":
        expected = sum(len(store.list_cards(p.id or 0)) for p in store.list_projects())
        assert len(rows) == expected
        assert all(r["due_date"] == "" or date.fromisoformat(r["due_date"]) for r in rows)
    if what == "projects":
        assert [r["key"] for r in rows] == [p.key for p in store.list_projects(True)]
        assert all(date.fromisoformat(r["start_date"]) <= TODAY for r in rows)


def test_hostile_card_title_survives_and_is_inert(store: Store) -> None:
    pid = store.list_projects()[0].id
    assert pid is not None
    card = store.create_card(pid, {"title": HOSTILE[:200], "description": "-1 dangerous\r\nx"})
    rows = {r["id"]: r for r in parse(export_csv(store, "cards"))}
    got = rows[str(card.id)]
    assert got["title"] == "'" + card.title  # round-trips exactly, behind the apostrophe
    assert got["description"] == "'" + card.description  # the store's own line ends
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value


def test_one_project_and_unknown_table(store: Store) -> None:
    key = store.list_projects()[0].key
    assert {r["project"] for r in parse(export_csv(store, "risks", key))} == {key}
    with pytest.raises(ValidationError):
        export_csv(store, "gates")


def test_cli_writes_utf8_file_and_refuses_symlinks(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    out = tmp_path / "cards.csv"
    args = ["export", "--db", url, "--format", "csv", "--what", "cards", "-o", str(out)]
    assert cli.main(args) == 0
    data = out.read_bytes().decode("utf-8")
    assert data.startswith("project,id,title,")
    link = tmp_path / "link.csv"
    link.symlink_to(out)
    code = cli.main(["export", "--db", url, "--format", "csv", "--what", "risks", "-o", str(link)])
    assert code == 1
    assert "symbolic link" in capsys.readouterr().err
    assert out.read_bytes().decode("utf-8") == data
    assert cli.main(["export", "--db", url, "--format", "csv"]) == 1
    assert "--what" in capsys.readouterr().err
