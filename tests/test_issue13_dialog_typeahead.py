"""Keys typed right after the key that opens a confirmation go to the confirmation.

Over a slow link ``d`` and ``y`` arrive together: both are queued before ``d`` has been
handled. ``y`` must answer the dialog that ``d`` opens (and ``n`` refuse it), not be
dropped or run on the list below.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from pilots import settle
from test_pptf_wizard import SIZE, completed_with_gap
from textual import events

from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.screens.confirm import ConfirmScreen
from ecpm_tui.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'ahead.db'}", "test"))
    s = Store(db, user="ann")
    s.create_project({"key": "SHOP", "name": "Shop"})
    yield s
    db.close()


async def _answer_typed_with_the_key_that_asks(store: Store, answer: str) -> None:
    app = EcpmApp(store, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        # Both keys queued at once, as a terminal delivers them.
        app.post_message(events.Key("d", "d"))
        app.post_message(events.Key(answer, answer))
        await settle(pilot, rounds=6)
        assert not isinstance(app.screen, ConfirmScreen)
        assert len(store.list_interviews()) == (0 if answer == "y" else 1)


@pytest.mark.parametrize("answer", ["y", "n"])
def test_answer_typed_with_the_key_that_asks(store: Store, answer: str) -> None:
    completed_with_gap(store)
    asyncio.run(_answer_typed_with_the_key_that_asks(store, answer))
