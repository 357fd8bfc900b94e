"""Issue 10: labels instead of stored enum values, and the cursor lands on what was created."""

from __future__ import annotations

from test_issue10_typing import run_app, settle, store
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from ecpm_tui import lifecycle
from ecpm_tui.app import EcpmApp
from ecpm_tui.screens.board import BoardScreen
from ecpm_tui.screens.projects import ProjectsScreen
from ecpm_tui.store import Store

__all__ = ["store"]


def test_label_of_shows_labels_and_keeps_unknown_values() -> None:
    assert lifecycle.label_of(lifecycle.Decision, "go_with_conditions") == "Go with conditions"
    assert lifecycle.label_of(lifecycle.Channel, "b2c") == "B2C"
    assert lifecycle.label_of(lifecycle.Health, "amber") == "Amber"
    assert lifecycle.label_of(lifecycle.Decision, "not_a_decision") == "not_a_decision"


def test_cursor_lands_on_a_new_project(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        screen = app.screen
        assert isinstance(screen, ProjectsScreen)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"ZZNEW", "tab", *"Zebra")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        selected = screen.selected()
        assert selected is not None and selected.project.key == "ZZNEW"
        detail = str(screen.query_one("#project-detail", Static).render())
        assert "Channel: B2C" in detail and "Health: Green" in detail

    run_app(store, body)


def test_cursor_lands_on_a_new_card_in_its_column(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("2")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Brand new card")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is board
        card = board.selected_card()
        assert card is not None and card.title == "Brand new card"

    run_app(store, body)


def test_archived_projects_are_marked_where_a_long_name_cannot_hide_it(store: Store) -> None:
    project = store.list_projects()[0]
    assert project.id is not None
    store.archive_project(project.id, project.version, True, "Parked until next year")

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        screen = app.screen
        assert isinstance(screen, ProjectsScreen)
        await pilot.press("A")
        await settle(pilot)
        table = screen.query_one("#projects-table", DataTable)
        names = {
            str(table.get_row_at(r)[0]): str(table.get_row_at(r)[1]) for r in range(table.row_count)
        }
        assert names[project.key].startswith("(archived) ")
        assert not any(n.startswith("(archived)") for k, n in names.items() if k != project.key)

    run_app(store, body)
