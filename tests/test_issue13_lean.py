"""Issue 13 item 3: the board holds lean rows; the large texts are read when needed.

Board rows carry no acceptance criteria and only the start of a description. The
filter still finds words anywhere in a description (the store reads the long ones), and
the editor opens on the whole card, with keys typed while it is read kept for it.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date
from pathlib import Path

import pytest
from pilots import settle
from textual.widgets import Input, TextArea

from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import Database, open_database
from ecpm_tui.models import Card
from ecpm_tui.screens.board import BoardScreen
from ecpm_tui.screens.board_columns import BoardList
from ecpm_tui.screens.form import FormScreen
from ecpm_tui.store import BoardCard, Store
from ecpm_tui.store.board import _board_rows as board_rows
from ecpm_tui.store.board import _board_select as board_select
from ecpm_tui.store.rows import SUMMARY_CHARS

TODAY = date(2026, 3, 2)
LONG = "Intro. " + "filler text " * 40 + "the word Zanzibar only here, far down."
CRITERIA = "Given a shopper\nWhen they pay\nThen the order is kept"


@pytest.fixture
def store(tmp_path: Path) -> tuple[Store, int, int]:
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'lean.db'}", "test"))
    store = Store(db, user="ann", today=lambda: TODAY)
    project = store.create_project({"key": "LEAN", "name": "Lean"})
    assert project.id is not None
    long = store.create_card(
        project.id,
        {
            "title": "Long card",
            "description": LONG,
            "acceptance_criteria": CRITERIA,
            "due_date": "2026-04-01",
        },
    )
    store.create_card(project.id, {"title": "Short card", "description": "zanzibar is near"})
    store.create_card(project.id, {"title": "Other card", "description": "nothing to see"})
    assert long.id is not None
    return store, project.id, long.id


def test_board_rows_hold_no_large_texts(store: tuple[Store, int, int]) -> None:
    s, pid, long_id = store
    assert "acceptance_criteria" not in BoardCard._fields
    assert "description" not in BoardCard._fields
    rows = {r.id: r for r in s.board_cards(pid).rows}
    long = rows[long_id]
    assert len(LONG) > SUMMARY_CHARS
    assert long.summary == LONG[:SUMMARY_CHARS] and long.more is True
    # Dates read as the editor's whole card has them.
    whole = s.get_card(long_id)
    assert long.entered_at == whole.entered_at and long.entered_at is not None
    assert long.due_date == whole.due_date == date(2026, 4, 1)
    short = next(r for r in rows.values() if r.title == "Short card")
    assert short.summary == "zanzibar is near" and short.more is False
    # A change read gives the same lean row.
    changes = s.card_changes(pid, 0)
    assert changes is not None
    assert {r.id: r for r in changes.rows}[long_id] == long


def test_long_text_matches_reads_the_whole_description(store: tuple[Store, int, int]) -> None:
    s, pid, long_id = store
    assert s.long_text_matches(pid, ("zanzibar",)) == {long_id}
    assert s.long_text_matches(pid, ("zanzibar", "intro.")) == {long_id}
    assert s.long_text_matches(pid, ("zanzibar", "missing")) == frozenset()
    # Only cards whose description goes past the summary are the store's to decide.
    assert s.long_text_matches(pid, ("near",)) == frozenset()


def shown_titles(app: EcpmApp) -> set[str]:
    return {
        item.title
        for col in app.screen.query(BoardList)
        for item in col.items
        if isinstance(item, BoardCard)
    }


async def _filter_finds_words_past_the_summary(store: tuple[Store, int, int]) -> None:
    s, pid, _long_id = store
    app = EcpmApp(s, poll_interval=0)
    app.current_project_id = pid
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("slash", *"zanzibar", "enter")
        await settle(pilot)
        assert shown_titles(app) == {"Long card", "Short card"}
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"filler", "enter")
        await settle(pilot)
        assert shown_titles(app) == {"Long card"}
        await pilot.press("escape")
        await settle(pilot)
        assert shown_titles(app) == {"Long card", "Short card", "Other card"}


def test_filter_finds_words_past_the_summary(store: tuple[Store, int, int]) -> None:
    asyncio.run(_filter_finds_words_past_the_summary(store))


async def _editor_opens_on_the_whole_card(store: tuple[Store, int, int]) -> None:
    s, pid, long_id = store
    read_card = s.get_card

    def slow_read(card_id: int) -> Card:
        time.sleep(0.3)  # a slow link or a busy database: the keys arrive first
        return read_card(card_id)

    s.get_card = slow_read  # type: ignore[method-assign]
    app = EcpmApp(s, poll_interval=0)
    app.current_project_id = pid
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        card = board.selected_card()
        assert card is not None and card.id == long_id
        # "e" and then letters at once: the letters wait for the form instead of running
        # as board keys (j would move the cursor, d would ask to delete).
        await pilot.press("e", "j", "d")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-description", TextArea).text == LONG
        assert form.query_one("#field-acceptance_criteria", TextArea).text == CRITERIA
        assert form.query_one("#field-title", Input).value == "Long cardjd"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
    saved = read_card(long_id)
    assert saved.title == "Long cardjd"
    assert saved.description == LONG and saved.acceptance_criteria == CRITERIA


def test_editor_opens_on_the_whole_card(store: tuple[Store, int, int]) -> None:
    asyncio.run(_editor_opens_on_the_whole_card(store))


def test_packed_read_equals_the_row_read(store: tuple[Store, int, int]) -> None:
    """On SQLite the board and change reads get their cards packed field by field in one
    JSON value; what they give must be what the row-by-row read (PostgreSQL's) gives, to
    the byte and the type, with repeated values shared."""
    s, pid, _long_id = store
    s.create_card(
        pid,
        {
            "title": 'Quotes " and \\ and [/] and 𝄞 ünïcødé',
            "description": "line one\nline two\ttabbed " + "é" * 300,
            "tags": "a, b",
            "estimate": "8",
            "due_date": "2026-12-31",
            "assignee": "zoë",
        },
    )
    s.create_card(pid, {"title": "[b]no due date[/b]", "phase": "closure", "status": "done"})
    query = board_select().where(Card.project_id == pid).order_by(Card.phase, Card.rank, Card.id)
    by_rows = s.db.read(lambda session: board_rows(session, query))
    packed = s.board_cards(pid).rows
    assert len(by_rows) > 2 and packed == by_rows
    assert [[type(v) for v in card] for card in packed] == [
        [type(v) for v in card] for card in by_rows
    ]
    changes = s.card_changes(pid, 0)
    assert changes is not None
    assert sorted(changes.rows, key=lambda c: (c.phase, c.rank, c.id)) == by_rows
    assert len({id(card.phase) for card in packed}) == len({card.phase for card in packed})


def test_packed_read_of_a_project_without_cards(store: tuple[Store, int, int]) -> None:
    s, _pid, _long_id = store
    empty = s.create_project({"key": "NONE", "name": "No cards"})
    assert empty.id is not None
    assert s.board_cards(empty.id).rows == []
    assert s.card_changes(empty.id, 0) is not None


def test_board_reads_on_both_backends(db: Database) -> None:
    """The lean board read and the change read give the same rows, with dates as dates
    and aware UTC times, on SQLite (packed read) and on PostgreSQL (row read)."""
    s = Store(db, user="ann", today=lambda: TODAY)
    project = s.create_project({"key": "BOTH", "name": "Both"})
    assert project.id is not None
    made = s.create_card(
        project.id, {"title": "One", "description": LONG, "due_date": "2026-04-01"}
    )
    s.create_card(project.id, {"title": "Two", "phase": "planning"})
    rows = s.board_cards(project.id).rows
    changes = s.card_changes(project.id, 0)
    assert changes is not None
    assert rows == sorted(changes.rows, key=lambda c: (c.phase, c.rank, c.id))
    first = next(r for r in rows if r.id == made.id)
    assert first.due_date == date(2026, 4, 1) and first.more is True
    assert first.entered_at is not None and first.entered_at.utcoffset() is not None
    assert first.entered_at == s.get_card(made.id).entered_at
    assert s.long_text_matches(project.id, ("zanzibar",)) == {made.id}
