"""Issue 12: ``r`` on the Projects screen previews the status report and saves it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pilots import settle
from textual.widgets import Input, TextArea

from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.demo import generate
from ecpm_tui.screens.form import FormScreen
from ecpm_tui.screens.projects import ProjectsScreen
from ecpm_tui.screens.report import ReportScreen
from ecpm_tui.store import Store

TODAY = date(2026, 3, 2)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'app.db'}", "test"))
    s = Store(db, user="alice", today=lambda: TODAY)
    generate(s, projects=2, cards=15, risks=6, seed=3)
    yield s
    db.close()


def test_r_previews_and_saves_the_report(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "out" / "weekly.md"
    target.parent.mkdir()
    key = store.list_projects()[0].key

    async def main() -> None:
        app = EcpmApp(store, poll_interval=0)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ProjectsScreen)
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(app.screen, ReportScreen)
            text = app.screen.query_one("#report-text", TextArea).text
            assert text.startswith(f"# Status report: {key} ")
            await pilot.press("s")
            await settle(pilot)
            assert isinstance(app.screen, FormScreen)
            field = app.screen.query_one("#field-path", Input)
            assert field.value == f"{key}-status-2026-03-02.md"  # dated by the store
            field.value = str(target)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ReportScreen)
            assert target.read_text(encoding="utf-8") == text
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, ProjectsScreen)

    asyncio.run(main())


def test_save_refuses_a_symlink_and_keeps_the_form(store: Store, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(victim)

    async def main() -> None:
        app = EcpmApp(store, poll_interval=0)
        async with app.run_test(size=(120, 35)) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            await pilot.press("s")
            await settle(pilot)
            app.screen.query_one("#field-path", Input).value = str(link)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, FormScreen)  # nothing lost: the form stays open
            assert victim.read_text(encoding="utf-8") == "keep"

    asyncio.run(main())
