"""Issue 10 items 1, 2, 4 and 6 at 80x24 and 120x35: tables keep their essential columns
and never scroll sideways, board heads fit one line, the footer never cuts a key, and the
Projects detail pane shows the last gate decision with its conditions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pilots import settle
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from ecpm_tui import lifecycle
from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.demo import generate
from ecpm_tui.screens.board_render import HeadInfo, column_head, head_levels
from ecpm_tui.screens.pptf_summary import SummaryScreen
from ecpm_tui.screens.pptf_wizard import WizardScreen
from ecpm_tui.store import ConditionSpec, Store

TODAY = date(2026, 11, 2)
SIZES = [(80, 24), (120, 35)]
SIZE_IDS = ["80x24", "120x35"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'small.db'}", "test"))
    store = Store(db, user="alice", today=lambda: TODAY)
    generate(store, projects=3, cards=30, risks=12, seed=11)
    yield store
    db.close()


def run_app(
    store: Store, size: tuple[int, int], body: Callable[[EcpmApp, Pilot[Any]], Awaitable[None]]
) -> None:
    async def main() -> None:
        app = EcpmApp(store, poll_interval=0)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await body(app, pilot)

    asyncio.run(main())


def headers(table: DataTable[Any]) -> list[str]:
    return [str(c.label) for c in table.columns.values()]


def fits_without_side_scroll(table: DataTable[Any]) -> bool:
    return table.virtual_size.width <= table.scrollable_content_region.width


# -- tables -----------------------------------------------------------------------------

SCREENS = [
    ("1", "#projects-table", {"Phase", "Health", "Done"}),
    ("3", "#pptf-table", {"Peop", "Proc", "Tech", "Fina"}),
    ("4", "#risk-table", {"Owner", "Status", "Response", "Review (!)"}),
    ("5", "#activity-table", {"Summary"}),
]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_tables_keep_essential_columns_without_side_scrolling(
    store: Store, size: tuple[int, int]
) -> None:
    async def body(app: EcpmApp, pilot: Pilot[Any]) -> None:
        for key, table_id, essential in SCREENS:
            await pilot.press(key)
            await settle(pilot)
            table = app.screen.query_one(table_id, DataTable)
            assert essential <= set(headers(table)), (key, headers(table))
            assert table.row_count > 0
            assert fits_without_side_scroll(table), (key, size, table.virtual_size)

    run_app(store, size, body)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_pptf_comparison_keeps_scores_and_dates_without_side_scrolling(
    store: Store, size: tuple[int, int]
) -> None:
    async def body(app: EcpmApp, pilot: Pilot[Any]) -> None:
        await pilot.press("3", "t")
        await settle(pilot)
        for table_id in ("#cmp-teams", "#cmp-time"):
            table = app.screen.query_one(table_id, DataTable)
            assert table.row_count > 0, table_id
            cols = headers(table)
            assert {"People", "Processes", "Technology", "Finance", "Completed"} <= set(cols)
            assert fits_without_side_scroll(table), (table_id, size, table.virtual_size)

    run_app(store, size, body)


def test_all_projects_register_fits_at_80_columns(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[Any]) -> None:
        await pilot.press("4", "p")
        await settle(pilot)
        table = app.screen.query_one("#risk-table", DataTable)
        assert {"Owner", "Status", "Response", "Review (!)"} <= set(headers(table))
        assert "/R-0" in str(table.get_row_at(0)[0])  # refs carry the project key
        assert fits_without_side_scroll(table)

    run_app(store, (80, 24), body)


def test_lower_priority_columns_collapse_first_and_come_back(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[Any]) -> None:
        await pilot.press("4")
        await settle(pilot)
        table = app.screen.query_one("#risk-table", DataTable)
        assert "Proximity" not in headers(table) and "L x I" not in headers(table)
        await pilot.resize_terminal(140, 35)
        await settle(pilot)
        assert {"Proximity", "L x I", "Score"} <= set(headers(table))
        assert fits_without_side_scroll(table)

    run_app(store, (80, 24), body)


def test_detail_lines_show_the_selected_row_in_full(store: Store) -> None:
    long_title = "Payment provider fails under peak load and nobody notices " * 2
    pid = store.list_projects()[0].id
    assert pid is not None
    store.create_risk(
        pid, {"title": long_title.strip(), "likelihood": 5, "impact": 5, "owner": "dora"}
    )

    async def body(app: EcpmApp, pilot: Pilot[Any]) -> None:
        await pilot.press("4")
        await settle(pilot)
        detail = str(app.screen.query_one("#risk-detail", Static).render())
        assert "nobody notices" in detail and "owner" in detail and "review" in detail
        await pilot.press("2")
        await settle(pilot)
        board = app.screen
        card = board.selected_card()  # type: ignore[attr-defined]
        detail = str(board.query_one("#card-detail", Static).render())
        assert card.title in detail

    run_app(store, (80, 24), body)


# -- board heads --------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_board_heads_fit_one_line(store: Store, size: tuple[int, int]) -> None:
    async def body(app: EcpmApp, pilot: Pilot[Any]) -> None:
        await pilot.press("2")
        await settle(pilot)
        for phase in lifecycle.PHASES:
            head = app.screen.query_one(f"#head-{phase.value}", Static)
            text = str(head.render())
            assert head.size.height == 1
            assert len(text) <= head.content_size.width, (text, head.content_size)
            assert "W" in text and "✓" in text, text

    run_app(store, size, body)


def test_head_levels_abbreviate_then_shorten() -> None:
    info = HeadInfo(lifecycle.Phase.MONITORING, 3, 3, 2, 1, 1)
    assert str(column_head(info, 60)) == "Monitoring & Control · WIP 2/1 OVER · done 1/3"
    assert str(column_head(info, 22)) == "M&C WIP 2/1! ✓1/3"
    assert str(column_head(info, 14)) == "M&C W2/1! ✓1/3"
    filtered = HeadInfo(lifecycle.Phase.PLANNING, 2, 9, 4, 5, None)
    assert "2 shown" in head_levels(filtered)[0][0]
    assert str(column_head(HeadInfo(lifecycle.Phase.CLOSURE, projects=1), 22)) == (
        "Closure · 1 project"
    )


# -- footer -------------------------------------------------------------------------------


def assert_footer_whole(app: EcpmApp, where: str) -> None:
    from ecpm_tui.screens.footer import FitFooter

    footer = app.screen.query_one(FitFooter)
    drawn = footer.render_line(0).text
    assert len(drawn) <= footer.region.width == app.size.width, where
    line = footer.line
    assert line is not None and line.items, where
    # Every key shown is drawn whole, in order, left of "^p Commands" when that is shown
    # (narrow footers leave it out: ctrl+p still works, help lists it).
    right = drawn.index("\u258f") if line.palette is not None else len(drawn)
    at = 0
    for item in line.items:
        label = f"{item.display} {item.description}"
        found = drawn.find(label, at)
        assert found >= 0 and found + len(label) <= right, (where, label, drawn)
        at = found + len(label)
    # The main keys come first: the first binding of each screen is always shown.
    assert drawn.lstrip().startswith(f"{line.items[0].display} "), (where, drawn)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_no_footer_key_is_cut(store: Store, size: tuple[int, int]) -> None:
    async def body(app: EcpmApp, pilot: Pilot[Any]) -> None:
        for key in ("1", "2", "3", "4", "5"):
            await pilot.press(key)
            await settle(pilot)
            assert_footer_whole(app, f"screen {key} at {size}")
        first = min(p.id for p in store.list_projects() if p.id is not None)
        interview = store.list_interviews(first)[0].assessment.id
        for screen in (WizardScreen(interview), SummaryScreen(interview)):
            app.push_screen(screen)
            await settle(pilot)
            assert_footer_whole(app, f"{type(screen).__name__} at {size}")
            app.pop_screen()
            await settle(pilot)
        # A resize fits the keys again.
        await pilot.resize_terminal(70, 24)
        await settle(pilot)
        assert_footer_whole(app, "after resize to 70 columns")

    run_app(store, size, body)


def test_board_footer_shows_every_main_key_at_80_columns(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[Any]) -> None:
        await pilot.press("2")
        await settle(pilot)
        from ecpm_tui.screens.footer import FitFooter

        drawn = app.screen.query_one(FitFooter).render_line(0).text
        main = "n New e Edit space Status d Delete / Filter g Gate m Mine p Portfolio "
        assert drawn.startswith(main), drawn

    run_app(store, (80, 24), body)


# -- Projects detail: last gate decision --------------------------------------------------


def test_projects_detail_shows_last_decision_and_conditions(store: Store) -> None:
    project = store.create_project({"key": "GATE", "name": "Gate test", "sponsor": "Ana"})
    assert project.id is not None
    pid = project.id
    for check in store.gate_checks(pid, lifecycle.Phase.INITIATION).checks:
        if check.criterion_key != "stakeholder_register_made":
            assert check.id is not None
            store.set_gate_check(check.id, True)
    store.transition_project(
        pid,
        "planning",
        "Register [/] by next week",
        conditions=[
            ConditionSpec("Stakeholder register", "bob", "2026-11-09"),
            ConditionSpec("Sponsor letter", "carol", "2026-11-16"),
        ],
    )
    decision = store.last_decisions([pid])[pid]
    assert [c.state for c in decision.conditions] == ["open", "open"]
    first_card = decision.conditions[0].card_id
    assert first_card is not None
    store.cycle_card_status(first_card)  # todo -> doing
    store.cycle_card_status(first_card)  # doing -> done
    assert [c.state for c in store.last_decisions([pid])[pid].conditions] == ["done", "open"]

    async def body(app: EcpmApp, pilot: Pilot[Any]) -> None:
        screen = app.screen
        table = screen.query_one("#projects-table", DataTable)
        row = [s.project.id for s in screen.summaries].index(pid)  # type: ignore[attr-defined]
        table.move_cursor(row=row)
        await settle(pilot)
        text = str(screen.query_one("#project-detail", Static).render())
        assert "Last gate decision: Go with conditions (Initiation -> Planning)" in text
        assert "approved by Ana" in text and "2026-11" in text
        assert "reason: Register [/] by next week" in text
        assert "[x] Stakeholder register (bob, due 2026-11-09, done)" in text
        assert "[ ] Sponsor letter (carol, due 2026-11-16, open)" in text

    run_app(store, (120, 35), body)


def test_projects_without_decisions_say_so(store: Store) -> None:
    ids = [p.id for p in store.list_projects() if p.id is not None]
    found = store.last_decisions(ids)
    assert set(found) <= set(ids)
    assert store.last_decisions([]) == {}


def test_footer_fits_whole_keys_in_order() -> None:
    """Keys are kept whole, in order, up to the first that does not fit: a shorter key
    after it is left out too, so the main keys (listed first) are never skipped."""
    from ecpm_tui.screens.footer import FooterItem, fit_line

    alpha, long, c = (
        FooterItem("a", "a", "Alpha", True),
        FooterItem("b", "b", "A much longer key", True),
        FooterItem("c", "c", "C", True),
    )
    palette = FooterItem("ctrl+p", "^p", "Commands", True)
    # Wide: " a Alpha " 9 cells, " b A much longer key " 21, " c C " 5; "▏^p Commands " 13.
    assert fit_line([alpha, long, c], palette, 48, 20).items == (alpha, long, c)
    wide = fit_line([alpha, long, c], palette, 47, 20)
    assert wide.items == (alpha, long) and wide.palette == palette and not wide.compact
    assert fit_line([alpha, long, c], palette, 42, 20).items == (alpha,)
    # Compact (narrower than 20 here): keys closer, no palette key.
    narrow = fit_line([alpha, c, long], palette, 19, 20)
    assert narrow.compact and narrow.palette is None and narrow.items == (alpha, c)
