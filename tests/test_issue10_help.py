"""Issue 10: `?` lists the current screen's own keys first, with readable key names."""

from __future__ import annotations

from test_issue10_typing import run_app, settle, store
from textual.pilot import Pilot
from textual.widgets import DataTable

from ecpm_tui.app import EcpmApp
from ecpm_tui.screens.board import BoardScreen
from ecpm_tui.screens.help import HelpScreen, key_name
from ecpm_tui.store import Store

__all__ = ["store"]


def test_key_names_are_written_as_people_write_them() -> None:
    assert key_name("question_mark") == "?"
    assert key_name("shift+left") == "shift+←"
    assert key_name("slash") == "/"
    assert key_name("ctrl+s") == "ctrl+s"
    assert key_name("H") == "H"


def test_board_help_lists_its_own_keys_first_then_the_global_ones(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        own = {d: k for k, d in help_screen.own}
        everywhere = {d: k for k, d in help_screen.everywhere}
        assert own["Move to previous phase"] == "shift+← / H"
        assert own["Filter"] == "/"
        assert own["Status"] == "space"
        assert {"New", "Edit", "Gate", "Portfolio"} <= own.keys()
        assert everywhere["Help"] == "?"
        assert "Quit" in everywhere and "Quit" not in own
        table = help_screen.query_one("#help-table", DataTable)
        shown = [str(table.get_row_at(r)[0]) for r in range(table.row_count)]
        assert shown[:3] == ["Board", "n", "e"]  # the screen's main keys first
        assert shown.index("Board") < shown.index("shift+← / H") < shown.index("Everywhere")
        assert shown.index("Everywhere") < shown.index("?")
        assert not any("question_mark" in key or "_" in key for key in shown)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)

    run_app(store, body)


def test_projects_help_has_its_own_keys(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        own = {d for _k, d in help_screen.own}
        assert {"New", "Edit", "Archive/restore", "Show archived"} <= own
        assert help_screen.screen_name == "Projects"

    run_app(store, body)
