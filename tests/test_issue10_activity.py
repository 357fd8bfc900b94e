"""Issue 10: Activity says when a filter matched nothing and refuses unknown filter keys."""

from __future__ import annotations

from pilots import record_notices
from test_issue10_typing import run_app, settle, store
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from ecpm_tui.app import EcpmApp
from ecpm_tui.screens.activity import ActivityScreen, parse_filter
from ecpm_tui.store import Store

__all__ = ["store"]


def test_parse_filter_names_every_bad_token() -> None:
    assert parse_filter("user:alice entity:card") == ({"user": "alice", "entity": "card"}, [])
    found, problems = parse_filter("owner:bob user: SHOP")
    assert found == {}
    assert problems == [
        "unknown filter 'owner:bob'",
        "user: needs a value",
        "unknown filter 'SHOP'",
    ]


def test_a_filter_that_matches_nothing_says_so(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ActivityScreen)
        status = screen.query_one("#activity-status", Static)
        assert not status.display
        await pilot.press("slash", *"user:nobody", "enter")
        await settle(pilot)
        assert screen.query_one("#activity-table", DataTable).row_count == 0
        assert status.display
        assert "No activity matches user:nobody" in str(status.render())
        await pilot.press("escape")
        await settle(pilot)
        assert not status.display
        assert screen.query_one("#activity-table", DataTable).row_count > 0

    run_app(store, body)


def test_an_unknown_filter_key_is_refused_with_a_message(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        notices = record_notices(app)
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ActivityScreen)
        rows = screen.query_one("#activity-table", DataTable).row_count
        await pilot.press("slash", *"owner:bob", "enter")
        await settle(pilot)
        assert any("unknown filter 'owner:bob'" in t for t, _ in notices)
        assert screen.filter_text == ""
        box = screen.query_one("#activity-filter", Input)
        assert box.value == "owner:bob" and box.has_focus
        assert screen.query_one("#activity-table", DataTable).row_count == rows

    run_app(store, body)
