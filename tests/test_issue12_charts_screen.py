"""Issue 12 item 3: ``c`` on the Projects screen opens the project's charts; ``c`` switches
between them, they follow other users' changes, Esc goes back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pilots import settle
from textual.widgets import DataTable, Static

from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.demo import generate
from ecpm_tui.screens.charts import ChartsScreen, ChartView
from ecpm_tui.screens.help import HelpScreen
from ecpm_tui.screens.projects import ProjectsScreen
from ecpm_tui.store import Store

TODAY = date(2026, 3, 2)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'app.db'}", "test"))
    s = Store(db, user="alice", today=lambda: TODAY)
    generate(s, projects=2, cards=15, risks=6, seed=3)
    yield s
    db.close()


def text_of(screen: ChartsScreen, widget_id: str) -> str:
    return str(screen.query_one(widget_id, Static).render())


def test_c_opens_the_charts_and_c_switches_between_them(store: Store) -> None:
    async def main() -> None:
        app = EcpmApp(store, poll_interval=0)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            projects = app.screen
            assert isinstance(projects, ProjectsScreen)
            selected = projects.selected()
            assert selected is not None
            key = selected.project.key
            await pilot.press("c")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ChartsScreen)
            assert screen.project_id == selected.project.id
            title = text_of(screen, "#charts-title")
            assert title.startswith(f"{key} ") and "Cumulative flow (1/3" in title
            # The legend names every phase with today's count (short names at 80 columns).
            legend = text_of(screen, "#charts-legend")
            assert [w for w in legend.split() if w.isalpha() or w == "M&C"] == [
                "Init", "Plan", "Exec", "M&C", "Close"
            ]  # fmt: skip
            counts = [int(w) for w in legend.split() if w.isdigit()]
            assert sum(counts) == len(store.list_cards(screen.project_id))
            plot = screen.query_one("#charts-plot", ChartView)
            assert "Cumulative flow: cards per phase" in plot.picture.plain
            assert f"{TODAY:%m-%d}" in plot.picture.plain  # the x axis ends on today
            await pilot.press("c")
            await settle(pilot)
            assert "Risk exposure (2/3" in text_of(screen, "#charts-title")
            assert "Risk exposure: open threat scores, weekly" in plot.picture.plain
            assert "Inherent" in text_of(screen, "#charts-legend")
            await pilot.press("c")
            await settle(pilot)
            assert "PPTF readiness (3/3" in text_of(screen, "#charts-title")
            assert "PPTF readiness per dimension" in plot.picture.plain
            assert "Init" in plot.picture.plain and "Close" in plot.picture.plain
            await pilot.press("c")
            await settle(pilot)
            assert "Cumulative flow (1/3" in text_of(screen, "#charts-title")
            await pilot.press("x")  # straight to one chart
            await settle(pilot)
            assert "Risk exposure (2/3" in text_of(screen, "#charts-title")
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is projects

    asyncio.run(main())


def test_charts_key_is_in_help_and_the_palette(store: Store) -> None:
    async def main() -> None:
        app = EcpmApp(store, poll_interval=0)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            bindings = app.screen.active_bindings
            assert bindings["c"].binding.description == "Charts"
            await pilot.press("question_mark")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            table = app.screen.query_one(DataTable)
            rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
            assert ["c", "Charts"] in [row[:2] for row in rows]
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"Charts")
            await pilot.pause(0.5)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ChartsScreen)
            # Backspace goes back too (Esc is slow under tmux).
            await pilot.press("backspace")
            await settle(pilot)
            assert isinstance(app.screen, ProjectsScreen)

    asyncio.run(main())


def test_charts_follow_another_users_change(store: Store) -> None:
    async def main() -> None:
        app = EcpmApp(store, poll_interval=0)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("c")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ChartsScreen)
            before = text_of(screen, "#charts-legend")
            app.set_interval(0.1, app.poll_changes)
            await pilot.pause(0.3)
            bob = Store(store.db, user="bob", today=lambda: TODAY)
            bob.create_card(screen.project_id, {"title": "Bob's card", "phase": "closure"})
            for _ in range(30):
                await pilot.pause(0.1)
                await settle(pilot)
                if text_of(screen, "#charts-legend") != before:
                    break
            closure = before.split("Close ")[1].split()[0]
            after = text_of(screen, "#charts-legend")
            assert after.split("Close ")[1].split()[0] == str(int(closure) + 1)

    asyncio.run(main())


def test_a_hostile_project_name_is_shown_as_typed(store: Store) -> None:
    store.create_project({"key": "AAA", "name": "[/] [@click=app.quit]x[/b]"})

    async def main() -> None:
        app = EcpmApp(store, poll_interval=0)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ProjectsScreen)
            selected = app.screen.selected()
            assert selected is not None and selected.project.key == "AAA"
            await pilot.press("c")
            await settle(pilot)
            assert isinstance(app.screen, ChartsScreen)
            assert "[/] [@click=app.quit]x[/b]" in text_of(app.screen, "#charts-title")
            assert app.is_running

    asyncio.run(main())
