"""Toasts and dialogs that quote user text show it literally and never crash the app."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pilots import settle
from textual.widget import Widget

from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.screens.board import BoardScreen
from ecpm_tui.screens.confirm import ConfirmScreen
from ecpm_tui.screens.form import FormScreen
from ecpm_tui.store import Store

HOSTILE = "[/] [@click=app.quit] [bold]x\x1b[2J"
LITERAL = "[/] [@click=app.quit] [bold]x"


def toasts(app: EcpmApp) -> list[str]:
    # Toasts are widgets on the screen's toast rack; their render is what the user reads.
    return [str(w.render()) for w in app.screen.query("Toast").results(Widget)]


def test_saving_and_deleting_a_hostile_card_shows_its_title_literally(tmp_path: Path) -> None:
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'h.db'}", "test"))
    store = Store(db, user="alice")
    project = store.create_project({"key": "EVIL", "name": HOSTILE})
    assert project.id is not None
    store.create_card(project.id, {"title": HOSTILE})

    async def main() -> None:
        app = EcpmApp(store, poll_interval=0)
        async with app.run_test(size=(120, 35), notifications=True) as pilot:
            app.current_project_id = project.id
            await pilot.press("2")
            await settle(pilot)
            assert isinstance(app.screen, BoardScreen)
            await pilot.press("e")
            await settle(pilot)
            assert isinstance(app.screen, FormScreen)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, BoardScreen)
            assert any(f"Saved card {LITERAL}" in t for t in toasts(app)), toasts(app)
            await pilot.press("d")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("y")
            await settle(pilot)
            assert app.is_running
            assert store.list_cards(project.id) == []
            # The [@click=...] text is not an action: clicking every toast leaves the app up.
            for toast in app.screen.query("Toast").results(Widget):
                await pilot.click(toast)
            await pilot.pause()
            assert app.is_running
            app.notify("x", title=HOSTILE)
            await pilot.pause()
            assert any(t.startswith(LITERAL) for t in toasts(app)), toasts(app)

    try:
        asyncio.run(main())
    finally:
        db.close()
