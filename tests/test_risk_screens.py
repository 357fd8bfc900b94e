"""Issue 8: pilot tests of the Risks screen, its dialogs and the risk form, keys only."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from pilots import settle
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Select, Static

from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.screens.confirm import ConfirmScreen
from ecpm_tui.screens.risk_dialogs import ReasonScreen, RiskEventsScreen, TemplatePicker
from ecpm_tui.screens.risk_form import RiskFormScreen
from ecpm_tui.screens.risk_matrix import RiskMatrix
from ecpm_tui.screens.risks import RisksScreen
from ecpm_tui.store import Store

TODAY = date(2026, 11, 2)
SIZE = (120, 35)
HOSTILE = "[/] [@click=app.quit] [bold]x\x1b]0;pwned\x07 🛒"
LITERAL = "[/] [@click=app.quit] [bold]x 🛒"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'risks.db'}", "test"))
    s = Store(db, user="alice", today=lambda: TODAY)
    yield s
    db.close()


@pytest.fixture
def pid(store: Store) -> int:
    """A project with three threats: Extreme 5x5, High 4x3 (mitigated to 2x3), Low 1x2."""
    project = store.create_project({"key": "SHOP", "name": "Storefront", "phase": "execution"})
    assert project.id is not None
    store.create_risk(
        project.id, {"title": "Checkout down", "likelihood": 5, "impact": 5, "owner": "ann"}
    )
    store.create_risk(
        project.id,
        {
            "title": "Stock sync",
            "likelihood": 4,
            "impact": 3,
            "owner": "bob",
            "response": "mitigate",
            "residual_likelihood": 2,
            "residual_impact": 3,
            "next_review_date": "2026-10-20",
        },
    )
    store.create_risk(project.id, {"title": "Typo on banner", "likelihood": 1, "impact": 2})
    other = store.create_project({"key": "B2B", "name": "Wholesale"})
    assert other.id is not None
    store.create_risk(
        other.id, {"title": "Other project risk", "likelihood": 5, "impact": 5, "owner": "x"}
    )
    return project.id


def run(store: Store, pid: int, body: Callable[[EcpmApp, Pilot[None]], Awaitable[None]]) -> None:
    async def main() -> None:
        app = EcpmApp(store, poll_interval=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)  # the Projects screen picks a project as it loads
            app.current_project_id = pid
            await pilot.press("4")
            await settle(pilot)
            await body(app, pilot)

    asyncio.run(main())


async def keys(pilot: Pilot[None], *pressed: str) -> None:
    for key in pressed:
        await pilot.press(key)
        await settle(pilot)


def risks_screen(app: EcpmApp) -> RisksScreen:
    screen = app.screen
    assert isinstance(screen, RisksScreen)
    return screen


def titles(screen: RisksScreen) -> list[str]:
    table = screen.query_one("#risk-table", DataTable)
    return [str(table.get_row_at(r)[4]) for r in range(table.row_count)]


def title_bar(screen: RisksScreen) -> str:
    return str(screen.query_one("#risks-title", Static).render())


def test_matrix_counts_cursor_keys_and_register_filter(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        screen = risks_screen(app)
        matrix = screen.query_one(RiskMatrix)
        assert dict(matrix.counts) == {(5, 5): 1, (4, 3): 1, (1, 2): 1}
        assert titles(screen) == ["Checkout down", "Stock sync", "Typo on banner"]
        grid = str(matrix.render_grid())
        assert "[E   1]" in grid  # cursor starts on L5 x I5, bracketed, letter and count
        assert "5 Almost certain" in grid and "1 Insignif" in grid
        await keys(pilot, "j", "h", "h")  # L4 x I3
        assert (matrix.likelihood, matrix.impact) == (4, 3)
        assert titles(screen) == ["Stock sync"]
        await keys(pilot, "down", "down", "down", "left")  # L1 x I2
        assert (matrix.likelihood, matrix.impact) == (1, 2)
        assert titles(screen) == ["Typo on banner"]
        await keys(pilot, "up", "right", "k", "l")  # L3 x I4: empty
        assert (matrix.likelihood, matrix.impact) == (3, 4) and titles(screen) == []
        await keys(pilot, "a")
        assert len(titles(screen)) == 3 and "all cells (3)" in title_bar(screen)
        table = screen.query_one("#risk-table", DataTable)
        review = [str(table.get_row_at(r)[5]) for r in range(table.row_count)]
        assert review[1] == "!2026-10-20"  # overdue review marked
        assert "1 reviews overdue" in title_bar(screen)

    run(store, pid, body)


def test_inherent_residual_and_threat_opportunity_toggles(store: Store, pid: int) -> None:
    store.create_risk(
        pid, {"title": "Marketplace launch", "kind": "opportunity", "likelihood": 2, "impact": 2}
    )

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        screen = risks_screen(app)
        matrix = screen.query_one(RiskMatrix)
        await keys(pilot, "i")
        assert dict(matrix.counts) == {(5, 5): 1, (2, 3): 1, (1, 2): 1}
        assert "residual" in title_bar(screen)
        assert "2 without residual at inherent" in title_bar(screen)
        await keys(pilot, "i", "o")
        assert dict(matrix.counts) == {(2, 2): 1}
        assert titles(screen) == ["Marketplace launch"]
        assert "1 open opportunities" in title_bar(screen)
        await keys(pilot, "o")
        assert sum(matrix.counts.values()) == 3

    run(store, pid, body)


def test_scope_toggle_shows_every_project(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        screen = risks_screen(app)
        await keys(pilot, "p")
        assert dict(screen.query_one(RiskMatrix).counts)[(5, 5)] == 2
        assert "all projects" in title_bar(screen)
        table = screen.query_one("#risk-table", DataTable)
        refs = {str(table.get_row_at(r)[0]) for r in range(table.row_count)}
        assert {"SHOP/R-001", "B2B/R-001"} <= refs
        await keys(pilot, "p")
        assert dict(screen.query_one(RiskMatrix).counts)[(5, 5)] == 1

    run(store, pid, body)


def test_new_risk_is_preset_to_the_selected_cell(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await keys(pilot, "j", "j", "h")  # L3 x I4: High
        await pilot.press("n", *"Payment fees rise")  # typed ahead into the title
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RiskFormScreen)
        assert form.query_one("#field-title", Input).value == "Payment fees rise"
        assert form.query_one("#field-likelihood", Select).value == "3"
        assert form.query_one("#field-impact", Select).value == "4"
        assert "owner required" in str(form.query_one("#risk-level", Static).render())
        await keys(pilot, "ctrl+s")
        assert "is required for a High risk" in str(form.query_one("#error-owner", Static).render())
        form.query_one("#field-owner", Input).value = "dora"
        form.query_one("#field-proximity_date", Input).value = "+2w"
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, RisksScreen)
        (made,) = [r for r in store.list_risks(pid) if r.title == "Payment fees rise"]
        assert (made.likelihood, made.impact, made.owner) == (3, 4, "dora")
        assert made.proximity_date == TODAY + timedelta(weeks=2)
        assert made.next_review_date == TODAY + timedelta(days=14)
        assert "Payment fees rise" in titles(risks_screen(app))

    run(store, pid, body)


def test_form_follows_kind_and_response(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await keys(pilot, "n")
        form = app.screen
        assert isinstance(form, RiskFormScreen)
        response = form.query_one("#field-response", Select)
        residual = form.query_one("#field-residual_likelihood", Select)
        assert residual.disabled  # no response yet
        form.query_one("#field-kind", Select).value = "opportunity"
        await settle(pilot)
        response.value = "exploit"
        await settle(pilot)
        assert not residual.disabled
        form.query_one("#field-title", Input).value = "Upsell"
        form.query_one("#field-owner", Input).value = "eve"
        form.query_one("#field-likelihood", Select).value = "2"
        form.query_one("#field-impact", Select).value = "2"
        residual.value = "4"  # exploiting raises the likelihood: allowed for opportunities
        form.query_one("#field-residual_impact", Select).value = "3"
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, RisksScreen)
        (made,) = [r for r in store.list_risks(pid) if r.title == "Upsell"]
        assert (made.kind, made.response, made.residual_likelihood) == ("opportunity", "exploit", 4)

    run(store, pid, body)


def test_template_picker_creates_a_risk(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await keys(pilot, "t")
        picker = app.screen
        assert isinstance(picker, TemplatePicker)
        options = picker.query_one("#template-list", OptionList)
        assert options.option_count == 15
        assert "payments    3x5" in str(options.get_option_at_index(0).prompt)
        await keys(pilot, "down", "enter")  # PCI DSS non-compliance, compliance 3x4
        form = app.screen
        assert isinstance(form, RiskFormScreen)
        assert form.query_one("#field-title", Input).value == "PCI DSS non-compliance"
        form.query_one("#field-owner", Input).value = "sec-lead"
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, RisksScreen)
        (made,) = [r for r in store.list_risks(pid) if r.title == "PCI DSS non-compliance"]
        assert (made.category, made.likelihood, made.impact) == ("compliance", 3, 4)

    run(store, pid, body)


def test_shift_arrows_move_the_risk_and_the_cursor_follows(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        screen = risks_screen(app)
        matrix = screen.query_one(RiskMatrix)
        await keys(pilot, "j", "h", "h")  # L4 x I3: Stock sync
        await keys(pilot, "shift+down")
        assert (matrix.likelihood, matrix.impact) == (3, 3)
        assert titles(screen) == ["Stock sync"]
        await keys(pilot, "shift+right", "K")  # -> 3x4 -> 4x4
        moved = next(r for r in store.list_risks(pid) if r.title == "Stock sync")
        assert (moved.likelihood, moved.impact) == ((4, 4))
        assert (matrix.likelihood, matrix.impact) == (4, 4)
        assert [e.action for e in store.risk_events(moved.id)][:3] == ["move"] * 3
        await keys(pilot, "tab")
        assert screen.query_one("#risk-table", DataTable).has_focus
        await keys(pilot, "H")  # moves from the register too
        moved = next(r for r in store.list_risks(pid) if r.title == "Stock sync")
        assert (moved.likelihood, moved.impact) == (4, 3)
        await keys(pilot, "tab")
        assert matrix.has_focus

    run(store, pid, body)


def test_review_close_and_show_closed(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        screen = risks_screen(app)
        await keys(pilot, "j", "h", "h", "v")  # Stock sync reviewed
        reviewed = next(r for r in store.list_risks(pid) if r.title == "Stock sync")
        assert reviewed.next_review_date == TODAY + timedelta(days=14)
        assert store.list_events(project_id=pid)[0].action == "review"
        await keys(pilot, "d")
        dialog = app.screen
        assert isinstance(dialog, ReasonScreen)
        await keys(pilot, "enter")
        assert "required" in str(dialog.query_one("#reason-error", Static).render())
        await pilot.press(*"Sync rebuilt", "enter")
        await settle(pilot)
        assert isinstance(app.screen, RisksScreen)
        closed = next(r for r in store.list_risks(pid) if r.title == "Stock sync")
        assert (closed.status, closed.closed_reason) == ("closed", "Sync rebuilt")
        await keys(pilot, "a")
        assert "Stock sync" not in titles(screen)
        await keys(pilot, "c")
        assert "Stock sync" in titles(screen)

    run(store, pid, body)


def test_edit_shows_history_and_occurred_offers_an_issue_card(store: Store, pid: int) -> None:
    rid = next(r.id for r in store.list_risks(pid) if r.title == "Checkout down")
    store.move_risk(rid, None, -1, 0)

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await keys(pilot, "tab", "enter")  # all cells at first: the top row is Checkout down
        form = app.screen
        assert isinstance(form, RiskFormScreen)
        assert "Checkout down" in form.title_text, form.title_text
        history = str(form.query_one("#risk-history", Static).render())
        assert "L5 x I5  E Extreme" in history and "L4 x I5  E Extreme" in history
        await keys(pilot, "ctrl+o")
        assert isinstance(app.screen, RiskEventsScreen)
        assert app.screen.query_one("#risk-events", DataTable).row_count == 2
        await keys(pilot, "escape")
        form.query_one("#field-status", Select).value = "occurred"
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, ConfirmScreen)
        await keys(pilot, "y")
        item = store.get_risk(rid)
        assert item.occurred_card_id is not None
        card = store.get_card(item.occurred_card_id)
        assert (card.status, card.phase) == ("blocked", "execution")
        screen = risks_screen(app)
        assert dict(screen.query_one(RiskMatrix).counts) == {(4, 3): 1, (1, 2): 1}
        assert "1 occurred (issues)" in title_bar(screen)
        table = screen.query_one("#risk-table", DataTable)
        statuses = [str(table.get_row_at(r)[8]) for r in range(table.row_count)]
        assert f"ISSUE #{card.id}" in statuses

    run(store, pid, body)


def test_saving_an_already_occurred_risk_does_not_ask_again(store: Store, pid: int) -> None:
    rid = next(r.id for r in store.list_risks(pid) if r.title == "Checkout down")
    store.update_risk(rid, None, {"status": "occurred"})

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await keys(pilot, "tab", "enter")
        form = app.screen
        assert isinstance(form, RiskFormScreen) and "Checkout down" in form.title_text
        form.query_one("#field-owner", Input).value = "zoe"
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, RisksScreen)
        assert store.get_risk(rid).owner == "zoe"
        assert store.get_risk(rid).occurred_card_id is None

    run(store, pid, body)


def test_audit_entries_key_and_hostile_titles(store: Store, pid: int) -> None:
    store.create_risk(
        pid, {"title": HOSTILE, "owner": "[@click=app.quit]", "likelihood": 1, "impact": 1}
    )

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        screen = risks_screen(app)
        await keys(pilot, "j", "j", "j", "j", "h", "h", "h", "h")  # L1 x I1
        assert titles(screen) == [LITERAL]
        await keys(pilot, "y")
        events = app.screen
        assert isinstance(events, RiskEventsScreen)
        assert events.query_one("#risk-events", DataTable).row_count == 1
        await keys(pilot, "y", "e")
        form = app.screen
        assert isinstance(form, RiskFormScreen)
        assert form.query_one("#field-title", Input).value.startswith("[/] [@click=app.quit]")
        await keys(pilot, "escape")
        assert app.is_running and isinstance(app.screen, RisksScreen)

    run(store, pid, body)


def test_risk_actions_are_in_the_command_palette(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Threats/opportunities")
        await pilot.pause(0.5)
        await keys(pilot, "enter")
        assert "open opportunities" in title_bar(risks_screen(app))

    run(store, pid, body)


def test_moves_typed_ahead_are_all_applied(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await keys(pilot, "j", "j", "j", "j", "h", "h", "h")  # L1 x I2: Typo on banner
        await pilot.press("shift+right", "shift+right")  # faster than the register reloads
        await settle(pilot)
        moved = next(r for r in store.list_risks(pid) if r.title == "Typo on banner")
        assert (moved.likelihood, moved.impact) == (1, 4)

    run(store, pid, body)


def test_the_close_dialog_looks_the_same_after_the_gates_reason_dialog(
    store: Store, pid: int
) -> None:
    """Both reason dialogs once used the id ``reason-box``: after the gate's dialog had
    loaded its sheet, the risk dialog took its 72-cell width and warning border."""
    from ecpm_tui.screens.reason import ReasonScreen as GateReason

    async def box_look(app: EcpmApp, pilot: Pilot[None]) -> tuple[str, str]:
        await keys(pilot, "d")
        dialog = app.screen
        assert isinstance(dialog, ReasonScreen)
        box = dialog.query_one(".risk-dialog")
        look = (str(box.styles.width), str(box.styles.border_top[1]))
        await keys(pilot, "escape")
        return look

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        before = await box_look(app, pilot)
        app.push_screen(GateReason(Content("Why?")))
        await settle(pilot)
        await keys(pilot, "escape")
        assert await box_look(app, pilot) == before
        assert before[0] == "90w"  # 90% of the screen's width

    run(store, pid, body)
