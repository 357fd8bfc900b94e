"""Pilot tests: the real app on a real demo database, driven by keys only."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from pilots import settle
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.demo import generate
from ecpm_tui.screens.activity import ActivityScreen
from ecpm_tui.screens.board import BoardScreen
from ecpm_tui.screens.form import FormScreen
from ecpm_tui.screens.gate import GateScreen
from ecpm_tui.screens.help import HelpScreen
from ecpm_tui.screens.pptf import PptfScreen
from ecpm_tui.screens.projects import ProjectsScreen
from ecpm_tui.screens.risks import RiskMatrix, RisksScreen
from ecpm_tui.screens.transition import TransitionScreen
from ecpm_tui.store import Store

SIZE = (140, 40)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'app.db'}", "test"))
    s = Store(db, user="alice")
    generate(s, projects=3, cards=25, risks=10, seed=3)
    yield s
    db.close()


def run_app(store: Store, body: Callable[[EcpmApp, Pilot[None]], Awaitable[None]]) -> None:
    async def main() -> None:
        app = EcpmApp(store, poll_interval=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await body(app, pilot)

    asyncio.run(main())


def table_column(table: DataTable, index: int) -> list[str]:  # type: ignore[type-arg]
    return [str(table.get_row_at(r)[index]) for r in range(table.row_count)]


def test_switches_through_all_five_screens_with_real_data(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        assert isinstance(app.screen, ProjectsScreen)
        table = app.screen.query_one("#projects-table", DataTable)
        assert table_column(table, 0) == ["B2BX", "MKTP", "SHOP"]
        assert set(table_column(table, 2)) == {"Execution", "Planning", "Initiation"}
        assert set(table_column(table, 3)) <= {"GREEN", "AMBER", "RED"}

        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        total = sum(col.option_count for col in app.screen.lists())
        assert total == 25

        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, PptfScreen)
        assert app.screen.query_one("#pptf-table", DataTable).row_count == 4

        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, RisksScreen)
        # The register lists the open threats of the project in view (set on show).
        threats = [
            r
            for r in store.list_risks(app.current_project_id, include_closed=False)
            if r.kind == "threat"
        ]
        assert len(threats) >= 5
        assert app.screen.query_one("#risk-table", DataTable).row_count == len(threats)

        await pilot.press("5")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        assert app.screen.query_one("#activity-table", DataTable).row_count >= 4

        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, ProjectsScreen)

    run_app(store, body)


def test_help_lists_the_current_screens_bindings(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        actions = {row[1] for row in app.screen.rows}
        assert {"Move to next phase", "Status", "Filter", "Gate", "Portfolio", "Quit"} <= actions
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)

    run_app(store, body)


def test_enter_opens_the_board_of_the_selected_project(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("down", "down", "enter")  # SHOP
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        title = str(app.screen.query_one("#board-title", Static).render())
        assert title.startswith("SHOP")

    run_app(store, body)


def test_board_keys_move_cycle_and_filter_cards(store: Store) -> None:
    pid = store.get_project_by_key("SHOP").id
    assert pid is not None

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        app.current_project_id = pid
        await pilot.press("2")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        first = board.lists()[0]
        first.focus()
        first.highlighted = 0
        card = board.selected_card()
        assert card is not None and card.id is not None
        await pilot.press("L")
        await settle(pilot)
        assert store.get_card(card.id).phase == "planning"
        assert board.focused_list() is board.lists()[1]
        before = store.get_card(card.id).status
        moved = board.selected_card()
        assert moved is not None and moved.id == card.id  # the cursor followed the card
        await pilot.press("space")
        await settle(pilot)
        assert store.get_card(moved.id).status != before  # type: ignore[arg-type]
        await pilot.press("slash")
        await pilot.press(*"@nobody")
        await pilot.press("enter")
        await settle(pilot)
        assert sum(col.option_count for col in board.lists()) == 0
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert sum(col.option_count for col in board.lists()) == 25

    run_app(store, body)


def test_gate_checklist_ticks_in_the_database(store: Store) -> None:
    project = store.get_project_by_key("MKTP")

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        app.current_project_id = project.id
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, GateScreen)
        await pilot.press("space")
        await settle(pilot)
        gate = store.gate_checks(project.id)  # type: ignore[arg-type]
        assert gate.checks[0].done and gate.checks[0].done_by == "alice"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)

    run_app(store, body)


def test_portfolio_transition_asks_for_a_reason_when_the_gate_is_open(store: Store) -> None:
    project = store.get_project_by_key("MKTP")  # initiation, gate not done
    assert project.id is not None
    checks = store.gate_checks(project.id).checks
    for check in checks[1:]:  # leave one optional criterion open
        assert check.id is not None and not checks[0].mandatory
        store.set_gate_check(check.id, True)

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        col = board.lists()[0]
        col.focus()
        col.highlighted = 0
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, TransitionScreen)
        await pilot.press(*"bob", "tab", *"+2w", "tab")
        await pilot.press(*"vendor signed late")
        await pilot.press("enter")
        await settle(pilot)
        assert store.get_project(project.id).phase == "planning"  # type: ignore[arg-type]
        (t,) = store.transitions(project.id)  # type: ignore[arg-type]
        assert (t.decision, t.reason) == ("go_with_conditions", "vendor signed late")

    run_app(store, body)


def test_new_project_form_validates_then_saves(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-key", Input).value = "x"
        form.query_one("#field-budget", Input).value = "lots"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "letters or digits" in str(form.query_one("#error-key", Static).render())
        assert str(form.query_one("#error-name", Static).render()) == "is required"
        assert str(form.query_one("#error-budget", Static).render()).startswith("must be an amount")
        form.query_one("#field-key", Input).value = "NEWP"
        form.query_one("#field-name", Input).value = "[/] New [@click=app.quit] project"
        form.query_one("#field-budget", Input).value = "1000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ProjectsScreen)
        assert store.get_project_by_key("NEWP").name == "[/] New [@click=app.quit] project"
        table = app.screen.query_one("#projects-table", DataTable)
        assert "NEWP" in table_column(table, 0)
        assert app.is_running

    run_app(store, body)


def test_edit_conflict_shows_both_versions_and_reapplies(store: Store) -> None:
    project = store.get_project_by_key("B2BX")

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("e")  # B2BX is the first row
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        Store(store.db, user="bob").update_project(project.id, project.version, {"name": "Bob"})  # type: ignore[arg-type]
        form.query_one("#field-name", Input).value = "Alice"
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = str(form.query_one("#form-message", Static).render())
        assert "bob" in message and "'Bob'" in message and "'Alice'" in message
        await pilot.click("#reapply")
        await settle(pilot)
        assert store.get_project(project.id).name == "Alice"  # type: ignore[arg-type]

    run_app(store, body)


def test_risk_matrix_cursor_filters_the_register(store: Store) -> None:
    project = store.get_project_by_key("SHOP")
    # The matrix shows threats (o switches to opportunities; they are never mixed).
    risks = [
        r
        for r in store.list_risks(project.id, include_closed=False)  # type: ignore[arg-type]
        if r.kind == "threat"
    ]

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        app.current_project_id = project.id
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RisksScreen)
        matrix = screen.query_one(RiskMatrix)
        await pilot.press("down")  # L4 x I5, register now shows that cell only
        await pilot.pause()
        expected = [r for r in risks if (r.likelihood, r.impact) == (4, 5)]
        assert (matrix.likelihood, matrix.impact) == (4, 5)
        assert screen.query_one("#risk-table", DataTable).row_count == len(expected)
        await pilot.press("a")
        await pilot.pause()
        assert screen.query_one("#risk-table", DataTable).row_count == len(risks)

    run_app(store, body)


def test_command_palette_reaches_screen_actions(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Go to Risks")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RisksScreen)

    run_app(store, body)


def test_quit_key_exits(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running

    run_app(store, body)


def test_another_users_change_appears_without_a_key_press(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        app.set_interval(0.1, app.poll_changes)
        await pilot.pause(0.3)
        bob = Store(store.db, user="bob")
        bob.create_project({"key": "BOBS", "name": "Bob's project"})
        for _ in range(30):
            await pilot.pause(0.1)
            table = app.screen.query_one("#projects-table", DataTable)
            if "BOBS" in table_column(table, 0):
                break
        assert "BOBS" in table_column(table, 0)

    run_app(store, body)


def test_own_write_reloads_once(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        app.set_interval(0.1, app.poll_changes)
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, ProjectsScreen)
        calls = 0
        real_fetch = screen.fetch

        def counting_fetch() -> object:
            nonlocal calls
            calls += 1
            return real_fetch()

        screen.fetch = counting_fetch  # type: ignore[method-assign]
        pid = store.get_project_by_key("B2BX").id
        assert pid is not None
        screen.perform(
            lambda: store.update_project(pid, None, {"health": "red", "health_note": "Vendor late"})
        )
        await pilot.pause(1.0)
        await settle(pilot)
        assert calls == 1

    run_app(store, body)


def test_dialogs_close_without_escape(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, ProjectsScreen) and app.is_running
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, ProjectsScreen)
        await pilot.press("a")  # archive asks first; n keeps the project
        await pilot.pause()
        await pilot.press("n")
        await settle(pilot)
        assert [p.key for p in store.list_projects()] == ["B2BX", "MKTP", "SHOP"]

    run_app(store, body)


HOSTILE = "[/] [@click=app.quit] [bold]x\x1b]0;pwned\x07\x1b[2J\x00 🛒 עברית"


def test_hostile_text_renders_literally_on_every_screen(store: Store) -> None:
    pid = store.create_project({"key": "EVIL", "name": HOSTILE, "objectives": "[/]" * 2000}).id
    assert pid is not None
    store.create_card(pid, {"title": HOSTILE, "assignee": "[/]"})
    store.create_risk(pid, {"title": HOSTILE, "owner": "[@click=app.quit]"})
    event_pid = store.start_assessment(pid, HOSTILE[:100], phase="initiation").project_id
    assert event_pid == pid
    literal = "[/] [@click=app.quit] [bold]x 🛒 עברית"

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        app.current_project_id = pid
        for key in "12345":
            await pilot.press(key)
            await settle(pilot)
            assert app.is_running
        await pilot.press("2")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        first = board.lists()[0]
        item = first.highlighted_item
        assert item is not None
        assert str(first.render_item(item)).endswith(f"{literal} @[/]")
        await pilot.press("1")
        await settle(pilot)
        table = app.screen.query_one("#projects-table", DataTable)
        assert literal in table_column(table, 1)
        await pilot.click("#projects-table")
        await pilot.pause()
        assert app.is_running

    run_app(store, body)


def test_project_keys_show_whole_at_any_length(store: Store) -> None:
    """Keys have up to 10 characters: the Key column widens to the longest one shown (it
    was 6 cells, and a 10-character key showed cut short), at any terminal width."""
    store.create_project({"key": "CHECKOUT25", "name": "Checkout 2025"})

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        for size in ((120, 35), (80, 24)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            table = app.screen.query_one("#projects-table", DataTable)
            assert "CHECKOUT25" in table_column(table, 0)
            key_column = next(iter(table.columns.values()))
            assert str(key_column.label) == "Key" and key_column.width == len("CHECKOUT25")

    run_app(store, body)
