"""Issue 12 item 4: ``ecpm import --from trello|csv|kanban-tui``.

The samples in ``tests/data/imports/`` have the shape the tools write (see the README
there): a Trello board JSON export, a Jira CSV export header, and kanban-tui's SQLite
schema (built into a database here from its DDL).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ecpm_tui import cli

DATA = Path(__file__).parent / "data" / "imports"
TRELLO = DATA / "trello_board.json"
JIRA = DATA / "jira_export.csv"
TRELLO_MAP = "To Do=Planning,Doing=Execution,Done=Execution"
JIRA_MAP = "To Do=Planning,In Progress=Execution,Done=Execution,Blocked=Execution"
KT_MAP = "Ready=Planning,Doing=Execution,Done=Execution"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "ecpm.db"
    assert cli.main(["init", "--db", str(path)]) == 0
    return path


@pytest.fixture
def kt_db(tmp_path: Path) -> Path:
    """A kanban-tui database made with its own DDL and rows shaped as it writes them."""
    path = tmp_path / "kanban_tui.db"
    con = sqlite3.connect(path)
    con.executescript((DATA / "kanban_tui_schema.sql").read_text())
    con.executescript((DATA / "kanban_tui_sample.sql").read_text())
    con.commit()
    con.close()
    return path


def ecpm(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(["import", *args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(code: int, err: str, fragment: str) -> str:
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ecpm: "), err
    assert fragment in lines[0], lines[0]
    return lines[0]


def counts(db: Path) -> tuple[int, int, int, int]:
    with sqlite3.connect(db) as con:
        return tuple(  # type: ignore[return-value]
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("project", "card", "gatecheck", "auditevent")
        )


def cards(db: Path, key: str) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(db) as con:
        con.row_factory = sqlite3.Row
        rows = con.execute(
            "SELECT c.* FROM card c JOIN project p ON p.id = c.project_id WHERE p.key = ?",
            (key,),
        ).fetchall()
    return {r["title"]: dict(r) for r in rows}


# -- Trello -------------------------------------------------------------------------------


def test_trello_unmapped_lists_are_named_in_one_line(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    before = counts(db)
    code, _, err = ecpm(capsys, db, str(TRELLO), "--from", "trello")
    line = one_error_line(code, err, "No phase for lists 'To Do', 'Doing', 'Done'")
    assert '--map "To Do=Planning,Doing=Execution,Done=Execution"' in line
    # "Initiation" is a phase name and needs no mapping; the archived list is not asked for.
    assert "Initiation'" not in line and "Parking lot" not in line
    assert counts(db) == before


def test_trello_board_becomes_a_project(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, err = ecpm(capsys, db, str(TRELLO), "--from", "trello", "--map", TRELLO_MAP)
    assert code == 0, err
    assert out.splitlines()[0] == (
        "Imported 1 project(s) (WR2026): 5 cards; left out 2 archived card(s)."
    )
    assert "Initiation 1, Planning 2, Execution 2" in out
    with sqlite3.connect(db) as con:
        name, desc, phase = con.execute(
            "SELECT name, description, phase FROM project WHERE key = 'WR2026'"
        ).fetchone()
        gates = con.execute("SELECT count(*) FROM gatecheck").fetchone()[0]
    assert (name, phase) == ("Webshop Relaunch 2026", "initiation")
    assert desc.startswith("Replatforming")
    assert gates > 0  # the default exit criteria, as for a project made in the app
    got = cards(db, "WR2026")
    assert set(got) == {
        "Agree project charter",
        "Integrate payment provider",
        "Migrate product catalogue",
        "[/]Fix [bold]checkout[/bold] copy",  # stored literally, never as markup
        "Launch newsletter sign-up",
    }  # the archived card and the card of the archived list are left out
    charter = got["Agree project charter"]
    assert (charter["phase"], charter["status"]) == ("initiation", "done")  # due completed
    assert charter["assignee"] == "brianc"  # no full name: the username
    assert charter["tags"] == "governance"
    assert charter["due_date"] == "2026-01-20"
    pay = got["Integrate payment provider"]
    assert (pay["phase"], pay["status"]) == ("execution", "doing")
    assert pay["assignee"] == "Leena Gupta"
    assert "Trello members: Leena Gupta, brianc" in pay["description"]
    assert pay["description"].startswith("3-D Secure, refunds and webhooks.\nSandbox")
    assert pay["tags"] == "payments, red"  # an unnamed label is known by its colour
    assert pay["due_date"] == "2026-03-15"
    assert pay["acceptance_criteria"] == (
        "Go-live checks:\n- [x] 3-D Secure challenge tested\n- [ ] Refund tested"
    )
    todo = got["Migrate product catalogue"], got["[/]Fix [bold]checkout[/bold] copy"]
    assert [c["status"] for c in todo] == ["todo", "todo"]
    assert todo[1]["rank"] < todo[0]["rank"]  # Trello's order inside the list (pos)
    assert todo[1]["tags"] == "needs-review"
    assert got["Launch newsletter sign-up"]["status"] == "done"
    with sqlite3.connect(db) as con:
        events = con.execute(
            "SELECT action, summary FROM auditevent WHERE action = 'import' ORDER BY id"
        ).fetchall()
    assert events == [
        ("import", "Imported WR2026 from Trello board 'Webshop Relaunch 2026'"),
        ("import", "Imported 1 project(s) from trello: WR2026"),
    ]


def test_trello_dry_run_changes_nothing(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    before = counts(db)
    code, out, _ = ecpm(
        capsys, db, str(TRELLO), "--from", "trello", "--map", TRELLO_MAP, "--dry-run"
    )
    assert code == 0
    assert out.startswith("Would import 1 project(s) (WR2026): 5 cards")
    assert "WR2026 'Webshop Relaunch 2026' from Trello board" in out
    assert counts(db) == before


def test_map_sets_status_and_project_key(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    mapping = "To Do=Planning,Doing=Execution/blocked,*=Closure"
    code, _, err = ecpm(
        capsys, db, str(TRELLO), "--from", "trello", "--map", mapping, "--project", "web1"
    )
    assert code == 0, err
    got = cards(db, "WEB1")
    pay = got["Integrate payment provider"]
    assert (pay["status"], pay["blocked_reason"]) == (
        "blocked",
        "Blocked when imported (from 'Doing')",
    )
    assert got["Launch newsletter sign-up"]["phase"] == "closure"  # the * entry
    # The same board again: its key is taken, and the message says how to go on.
    code, _, err = ecpm(
        capsys, db, str(TRELLO), "--from", "trello", "--map", mapping, "--project", "WEB1"
    )
    one_error_line(code, err, "already exists in the database; pass --project KEY")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--map", "Todo list=Planning"], "--map names 'Todo list', which is not a list"),
        (["--map", "To Do=Someday"], "'Someday' is not a phase"),
        (["--map", "To Do"], "must look like"),
        (["--map", "*=Planning/later"], "'later' is not a card status"),
        (["--map", TRELLO_MAP, "--project", "no way"], "a key is 2 to 10 letters"),
        (["--map", TRELLO_MAP, "--columns", "title=Summary"], "--columns applies to --from csv"),
    ],
)
def test_bad_options_give_one_line(
    capsys: pytest.CaptureFixture[str], db: Path, args: list[str], fragment: str
) -> None:
    before = counts(db)
    code, _, err = ecpm(capsys, db, str(TRELLO), "--from", "trello", *args)
    one_error_line(code, err, fragment)
    assert counts(db) == before


def test_map_without_from_is_refused(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, _, err = ecpm(capsys, db, str(TRELLO), "--map", TRELLO_MAP)
    one_error_line(code, err, "apply with --from only")


def _board(**changes: Any) -> dict[str, Any]:
    board = json.loads(TRELLO.read_text())
    for key, value in changes.items():
        if key.startswith("card_"):
            board["cards"][1][key[5:]] = value
        else:
            board[key] = value
    return board


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'{"name": "x", "lists": [', "Not a Trello board export: JSON error at line 1"),
        (b"\xff\xfe{}", "is not UTF-8"),
        (b"[1, 2]", "Not a Trello board export: expected one board object"),
        (json.dumps({"name": "x", "cards": []}).encode(), 'the board has no "lists" list'),
        (json.dumps(_board(cards={})).encode(), "'cards' must be a list"),
        (json.dumps(_board(card_due=5)).encode(), "'Integrate payment provider': 'due' must be"),
        (json.dumps(_board(card_due="soon")).encode(), "due 'soon' is not a date"),
        (json.dumps(_board(card_idLabels="red")).encode(), "'idLabels' must be a list of ids"),
        (json.dumps(_board(card_idList="nowhere")).encode(), "its list 'nowhere' is not in"),
        (json.dumps(_board(card_closed="no")).encode(), "'closed' must be true or false"),
        (json.dumps(_board(card_name=None)).encode(), "card #2: 'name'"),
        (json.dumps(_board(lists=[{"id": "a"}])).encode(), "Trello list #1: missing 'name'"),
    ],
    ids=lambda v: "" if isinstance(v, bytes) else str(v)[:40],
)
def test_broken_trello_files_give_one_line_and_change_nothing(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "board.json"
    path.write_bytes(content)
    before = counts(db)
    code, _, err = ecpm(capsys, db, str(path), "--from", "trello", "--map", "*=Planning")
    one_error_line(code, err, fragment)
    assert counts(db) == before


def test_a_bad_card_late_in_the_file_changes_nothing(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    board = json.loads(TRELLO.read_text())
    board["cards"][-3]["idMembers"] = []
    board["members"].append({"id": "m9", "fullName": "x" * 80, "username": "long"})
    board["cards"][-3]["idMembers"] = ["m9"]
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board))
    before = counts(db)
    code, _, err = ecpm(capsys, db, str(path), "--from", "trello", "--map", TRELLO_MAP)
    one_error_line(code, err, "Trello card 'Launch newsletter sign-up': assignee: is too long")
    assert counts(db) == before


# -- CSV (Jira and spreadsheets) ----------------------------------------------------------


def test_jira_csv_with_its_own_headers(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, _, err = ecpm(capsys, db, str(JIRA), "--from", "csv")
    one_error_line(code, err, "No phase for 'Status' values 'Done', 'In Progress'")
    code, out, err = ecpm(capsys, db, str(JIRA), "--from", "csv", "--map", JIRA_MAP)
    assert code == 0, err
    assert out.splitlines()[0] == "Imported 1 project(s) (SHOP): 4 cards."
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT name FROM project WHERE key = 'SHOP'").fetchone() == (
            "Shop Platform",
        )
    got = cards(db, "SHOP")
    sandbox = got["Set up payment sandbox"]
    assert (sandbox["phase"], sandbox["status"], sandbox["priority"]) == (
        "execution",
        "done",
        "high",
    )
    assert (sandbox["assignee"], sandbox["due_date"], sandbox["estimate"]) == (
        "Ana Ruiz",
        "2026-01-14",
        3,
    )
    assert sandbox["description"].endswith("Imported from SHOP-1")
    redesign = got["Checkout redesign"]
    assert (redesign["status"], redesign["priority"], redesign["estimate"]) == (
        "doing",
        "critical",  # Jira's Highest
        8,
    )
    assert redesign["tags"] == "ux, web"  # both of Jira's repeated Labels columns
    assert redesign["due_date"] == "2026-02-28"  # Jira's 28/Feb/26 5:00 PM
    assert redesign["description"].startswith(
        'One-page checkout, "guest" flow first;\nthen saved cards'
    )
    fraud = got["Fraud rules review"]
    assert (fraud["status"], fraud["priority"]) == ("blocked", "low")
    feed = got["Product feed to marketplace"]
    assert (feed["phase"], feed["status"], feed["assignee"]) == ("planning", "todo", "")


def test_spreadsheet_csv_with_a_column_mapping(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "plan.csv"
    sheet.write_text(
        "Task;Stage;Owner;Deadline;Notes\n"
        "Choose a PSP;Planning;Ana;2026-04-01;shortlist of three\n"
        ";;;;\n"
        "Load test;Execution;Tom;;\n",
        encoding="utf-8-sig",
    )
    columns = "title=Task,phase=Stage,assignee=Owner,due=Deadline,description=Notes"
    code, out, err = ecpm(
        capsys, db, str(sheet), "--from", "csv", "--columns", columns, "--project", "PLAN"
    )
    assert code == 0, err
    assert "Planning 1, Execution 1" in out
    got = cards(db, "PLAN")
    assert got["Choose a PSP"]["due_date"] == "2026-04-01"
    assert got["Choose a PSP"]["description"] == "shortlist of three"
    assert got["Load test"]["assignee"] == "Tom"
    assert {c["status"] for c in got.values()} == {"todo"}


@pytest.mark.parametrize(
    ("content", "args", "fragment"),
    [
        (b"", [], "is empty: expected a header row"),
        (b"Name,Stage\nx,Planning\n", [], "has no 'Summary' column for card titles"),
        (b"Summary,Status\nx,Planning\n", ["--columns", "phase=Stage"], "no such column"),
        (b"Summary,Status\nx,Planning\n", ["--columns", "colour=Red"], "must look like"),
        (b"Summary,Status\n,Planning\n", [], "line 2: the title is empty"),
        (b"Summary,Status,Due date\nx,Planning,tomorrow\n", [], "due date 'tomorrow' is not"),
        (
            b"Summary,Status,Custom field (Story Points)\nx,Planning,lots\n",
            [],
            "estimate 'lots' is not a number",
        ),
        (b"Summary,Status,Priority\nx,Planning,Urgent!\n", [], "priority: must be one of"),
        (b'Summary,Status\n"x,Planning\n', [], "unexpected end of data"),
        (b"\xff\xfeSummary", [], "is not UTF-8"),
        (b"Summary,Status\r\n", [], "holds no board or project to import"),
    ],
)
def test_broken_csv_files_give_one_line_and_change_nothing(
    capsys: pytest.CaptureFixture[str],
    db: Path,
    tmp_path: Path,
    content: bytes,
    args: list[str],
    fragment: str,
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    before = counts(db)
    code, _, err = ecpm(capsys, db, str(path), "--from", "csv", "--project", "CSV", *args)
    one_error_line(code, err, fragment)
    assert counts(db) == before


# -- kanban-tui ---------------------------------------------------------------------------


def test_kanban_tui_database(capsys: pytest.CaptureFixture[str], db: Path, kt_db: Path) -> None:
    digest = hashlib.sha256(kt_db.read_bytes()).hexdigest()
    code, out, err = ecpm(capsys, db, str(kt_db), "--from", "kanban-tui", "--map", KT_MAP)
    assert code == 0, err
    assert out.splitlines()[0] == (
        "Imported 1 project(s) (ML): 4 cards; left out 1 archived card(s)."
    )
    got = cards(db, "ML")
    assert "Old pricing experiment" not in got  # in the hidden Archive column
    listed = got["List top 200 products"]
    assert (listed["phase"], listed["status"]) == ("planning", "blocked")
    assert listed["blocked_reason"] == "Waiting for: Connect order feed"  # its dependency
    assert listed["tags"] == "marketplace-ops"
    assert listed["due_date"] == "2026-02-01"
    assert listed["description"] == "Start with the best sellers."
    shipping = got["Set shipping templates"]
    assert shipping["status"] == "todo" and shipping["rank"] < listed["rank"]  # position
    assert got["Connect order feed"]["status"] == "doing"
    assert got["Sign seller agreement"]["status"] == "done"
    # Read through a read-only URI: the other tool's file is untouched, no journal left.
    assert hashlib.sha256(kt_db.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in kt_db.parent.glob("kanban_tui.db*")) == ["kanban_tui.db"]


def test_kanban_tui_archive_comes_in_when_mapped(
    capsys: pytest.CaptureFixture[str], db: Path, kt_db: Path
) -> None:
    code, out, err = ecpm(
        capsys, db, str(kt_db), "--from", "kanban-tui", "--map", f"{KT_MAP},Archive=Closure"
    )
    assert code == 0, err
    assert "5 cards" in out and "left out" not in out
    assert cards(db, "ML")["Old pricing experiment"]["phase"] == "closure"


def test_kanban_tui_dry_run_changes_nothing(
    capsys: pytest.CaptureFixture[str], db: Path, kt_db: Path
) -> None:
    before = counts(db)
    code, out, _ = ecpm(
        capsys, db, str(kt_db), "--from", "kanban-tui", "--map", KT_MAP, "--dry-run"
    )
    assert code == 0 and out.startswith("Would import 1 project(s) (ML): 4 cards")
    assert counts(db) == before


def test_not_a_kanban_tui_database(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    before = counts(db)
    text = tmp_path / "notes.db"
    text.write_text("just some notes, not SQLite at all\n" * 20)
    code, _, err = ecpm(capsys, db, str(text), "--from", "kanban-tui")
    one_error_line(code, err, "is not a SQLite database")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT)")
    code, _, err = ecpm(capsys, db, str(other), "--from", "kanban-tui")
    one_error_line(code, err, "is not a kanban-tui database (no 'boards' table")
    code, _, err = ecpm(capsys, db, str(tmp_path / "missing.db"), "--from", "kanban-tui")
    one_error_line(code, err, "No such file")
    # Our own database is not kanban-tui's either.
    code, _, err = ecpm(capsys, db, str(db), "--from", "kanban-tui")
    one_error_line(code, err, "is not a kanban-tui database")
    assert counts(db) == before


def test_kanban_tui_bad_due_date_changes_nothing(
    capsys: pytest.CaptureFixture[str], db: Path, kt_db: Path
) -> None:
    with sqlite3.connect(kt_db) as con:
        con.execute("UPDATE tasks SET due_date = 'next week' WHERE task_id = 3")
    before = counts(db)
    code, _, err = ecpm(capsys, db, str(kt_db), "--from", "kanban-tui", "--map", KT_MAP)
    one_error_line(code, err, "kanban-tui task 'Sign seller agreement': due date 'next week'")
    assert counts(db) == before


def test_dates_are_read_as_the_tools_write_them() -> None:
    from ecpm_tui.importers.common import parse_day

    assert parse_day("2026-03-15T10:00:00.000Z", "x", "due") == date(2026, 3, 15)
    assert parse_day("21/Mar/26 10:00 AM", "x", "due") == date(2026, 3, 21)
    assert parse_day("21/Mar/2026", "x", "due") == date(2026, 3, 21)
    assert parse_day("2026-01-05T10:00:00", "x", "due") == date(2026, 1, 5)
    assert parse_day("", "x", "due") is None


def test_hostile_names_reach_the_terminal_cleaned(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    board = json.loads(TRELLO.read_text())
    board["lists"][1]["name"] = "\x1b]0;pwned\x07To [/]Do\x00"
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board))
    code, _, err = ecpm(capsys, db, str(path), "--from", "trello")
    line = one_error_line(code, err, "No phase for lists")
    assert "\x1b" not in line and "\x07" not in line and "\x00" not in line
    assert "To [/]Do" in line


def test_kanban_tui_boards_become_projects_with_distinct_keys(
    capsys: pytest.CaptureFixture[str], db: Path, kt_db: Path
) -> None:
    with sqlite3.connect(kt_db) as con:
        con.execute(
            "INSERT INTO boards VALUES "
            "(2, 'Marketplace launch', NULL, '2026-01-09', NULL, NULL, NULL)"
        )
        con.execute("INSERT INTO columns VALUES (5, 'Planning', 1, 1, 2)")
        con.execute(
            "INSERT INTO tasks (task_id, title, column, creation_date) "
            "VALUES (6, 'Pick a second marketplace', 5, '2026-01-09T10:00:00')"
        )
    code, _, err = ecpm(
        capsys, db, str(kt_db), "--from", "kanban-tui", "--map", KT_MAP, "--project", "MKT"
    )
    one_error_line(code, err, "--project names one project, but the file holds 2")
    code, out, err = ecpm(capsys, db, str(kt_db), "--from", "kanban-tui", "--map", KT_MAP)
    assert code == 0, err
    assert out.splitlines()[0].startswith("Imported 2 project(s) (ML, ML2): 5 cards")
    assert cards(db, "ML2")["Pick a second marketplace"]["phase"] == "planning"
