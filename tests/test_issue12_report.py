"""Issue 12: the status report (Markdown golden file, HTML sections and escaping, CLI).

``tests/data/issue12_demo.db`` is a demo database made once on a fixed day::

    Store(open_database(DbTarget("sqlite:///tests/data/issue12_demo.db", "t")),
          user="demo", today=lambda: date(2026, 3, 2))
    demo.generate(store, projects=3, cards=20, risks=8, seed=7)

Each test opens a copy (opening migrates it to the current schema). Set
``ECPM_UPDATE_GOLDEN=1`` to rewrite the golden Markdown after an intended change.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ecpm_tui import cli, report
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.report_html import html_report
from ecpm_tui.store import Store

DATA = Path(__file__).parent / "data"
TODAY = date(2026, 3, 2)
KEY = "B2BX"
GOLDEN = DATA / "issue12_report_B2BX.md"
HOSTILE = "<script>alert(1)</script> & [/] | **x**"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    copy = tmp_path / "demo.db"
    shutil.copyfile(DATA / "issue12_demo.db", copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    db = open_database(DbTarget(db_url, "test"), create=False)
    yield Store(db, user="alice", today=lambda: TODAY)
    db.close()


def test_markdown_report_matches_the_golden_file(store: Store) -> None:
    text = report.markdown(report.collect(store, KEY, date(2026, 2, 20)))
    if os.environ.get("ECPM_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_report_contents_follow_the_data(store: Store) -> None:
    r = report.collect(store, KEY)
    assert r.since == date(2026, 2, 23)  # a week before the store's today by default
    assert all(c.due_date and c.due_date < TODAY and c.status != "done" for c in r.overdue)
    assert all(c.status == "blocked" for c in r.blocked)
    assert sum(r.matrix.values()) == len(r.top_risks)  # few risks: all open threats listed
    assert r.suggested.health.value in {"green", "amber", "red"}
    assert sum(t for _, _, t in r.progress) == len(store.list_cards(r.project.id or 0))


class Outline(HTMLParser):
    """Section ids, tag names and visible text of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "section":
            self.sections.append(dict(attrs).get("id") or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_report_has_every_section_and_escapes_user_text(store: Store) -> None:
    pid = store.get_project_by_key(KEY).id
    assert pid is not None
    card = store.create_card(pid, {"title": HOSTILE, "due_date": date(2026, 2, 1)})
    store.set_blocked(card.id or 0, HOSTILE)
    html = html_report(report.collect(store, KEY))
    outline = Outline()
    outline.feed(html)
    assert outline.sections == [
        "gate",
        "health",
        "progress",
        "done",
        "overdue",
        "blocked",
        "risks",
        "pptf",
        "transitions",
    ]
    assert "script" not in outline.tags and "link" not in outline.tags
    assert "style" in outline.tags  # self-contained: the CSS is inline
    assert "<script>" not in html
    assert sum(HOSTILE in chunk for chunk in outline.text) >= 2  # shown literally as text


def test_markdown_keeps_hostile_text_on_one_table_row(store: Store) -> None:
    pid = store.get_project_by_key(KEY).id
    assert pid is not None
    card = store.create_card(pid, {"title": "a|b\nc", "due_date": date(2026, 2, 1)})
    text = report.markdown(report.collect(store, KEY))
    assert f"| #{card.id} a\\|b c |" in text


def test_cli_report_md_html_all_and_errors(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.html"
    assert cli.main(["report", "--db", db_url, KEY, "--format", "html", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    capsys.readouterr()
    assert cli.main(["report", "--db", db_url, "--all"]) == 0
    lines = [x for x in capsys.readouterr().out.splitlines() if x.startswith("| ")]
    assert len(lines) == 1 + 3  # header + one line per demo project
    assert cli.main(["report", "--db", db_url, KEY, "--since", "yesterday"]) == 1
    assert "--since" in capsys.readouterr().err
    assert cli.main(["report", "--db", db_url]) == 1
    assert cli.main(["report", "--db", db_url, "NOPE"]) == 1
    assert "NOPE" in capsys.readouterr().err


def test_open_conditions_leave_out_done_cards_and_survive_bad_json(store: Store) -> None:
    from datetime import UTC, datetime

    from ecpm_tui.store import TransitionRow

    cards = {c.id: c for c in store.list_cards(store.get_project_by_key(KEY).id or 0)}
    done_id = next(i for i, c in cards.items() if c.status == "done")
    open_id = next(i for i, c in cards.items() if c.status != "done")
    conditions = (
        f'[{{"text": "Sign DPA", "owner": "eve", "due_date": "2026-03-09", "card_id": {open_id}}},'
        f' {{"text": "Done one", "owner": "bob", "due_date": "2026-03-01", "card_id": {done_id}}}]'
    )
    at = datetime(2026, 2, 1, tzinfo=UTC)
    rows = [
        TransitionRow(
            1, 1, "planning", "execution", "amy", at, "go_with_conditions", "", "", "", conditions
        ),
        TransitionRow(2, 1, "planning", "execution", "amy", at, "go", "", "", "", "{not json"),
    ]
    assert report.open_conditions(rows, cards) == [("Sign DPA", "eve", "2026-03-09")]


def test_portfolio_html_escapes_names_and_lists_every_project(store: Store) -> None:
    store.create_project({"key": "EVIL", "name": HOSTILE})
    html = report.portfolio(store, "html")
    outline = Outline()
    outline.feed(html)
    assert outline.sections == ["portfolio"]
    assert "script" not in outline.tags and "<script>" not in html
    assert any(HOSTILE in chunk for chunk in outline.text)
    assert html.count("<tr>") == 1 + len(store.list_projects())
