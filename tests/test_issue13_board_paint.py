"""Issue 13: the board repaints only what changed, and what it shows is still right.

The columns cache drawn lines and repaint only changed rows; the footer dims keys in
place; the filter box never comes and goes. These tests check the result, not the
timing: after a run of keys and another user's changes, every column line of the patched
board reads exactly as on a board started afresh on the same database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pilots import settle
from textual.geometry import Region
from textual.pilot import Pilot
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ecpm_tui import lifecycle
from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.screens.board import BoardScreen
from ecpm_tui.screens.board_columns import BoardColumns, BoardList
from ecpm_tui.screens.board_render import ColumnHead
from ecpm_tui.screens.card_column import CardColumn
from ecpm_tui.screens.column_parts import bar_cells, changed_span, thumb
from ecpm_tui.screens.footer import FitFooter
from ecpm_tui.store import Store

TODAY = date(2026, 3, 2)


@pytest.fixture
def stores(tmp_path: Path) -> tuple[Store, Store, int]:
    """Two users on one SQLite file and a project of 40 cards over three columns."""
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'paint.db'}", "test"))
    ann = Store(db, user="ann", today=lambda: TODAY)
    bob = Store(db, user="bob", today=lambda: TODAY)
    project = ann.create_project({"key": "PNT", "name": "Paint"})
    assert project.id is not None
    phases = [p.value for p in lifecycle.PHASES]
    for i in range(40):
        ann.create_card(project.id, {"title": f"card {i:02d}", "phase": phases[i % 3]})
    return ann, bob, project.id


def column_lines(app: EcpmApp) -> dict[str, list[str]]:
    """The text of every line each column draws now."""
    return {
        col.phase.value: [col.render_line(y).text for y in range(col.size.height)]
        for col in app.screen.query(BoardList)
    }


@contextlib.asynccontextmanager
async def board(
    store: Store, pid: int, size: tuple[int, int] = (120, 35)
) -> AsyncIterator[tuple[EcpmApp, Pilot[None]]]:
    """The app of *store*'s user, on the board of project *pid*, loaded."""
    app = EcpmApp(store, poll_interval=0)
    app.current_project_id = pid
    async with app.run_test(size=size) as pilot:
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        yield app, pilot


async def _patched_board_reads_as_a_fresh_one(stores: tuple[Store, Store, int]) -> None:
    ann, bob, pid = stores
    async with board(ann, pid, (120, 35)) as (app, pilot):
        # Cursor moves, a move along, a status change, the scope toggled and back, a
        # filter set and cleared: each repaints only part of a column from its cache.
        for keys in (["j", "j"], ["L"], ["space"], ["l", "j"], ["p"], ["p"], ["H"], ["k"]):
            await pilot.press(*keys)
            await settle(pilot)
        await pilot.press("slash", "0", "3", "enter")
        await settle(pilot)
        assert all(
            line.strip() == "" or "03" in line
            for lines in column_lines(app).values()
            for line in lines
        )
        await pilot.press("escape")
        await settle(pilot)
        # Another user renames one card, moves another and deletes a third.
        cards = ann.list_cards(pid)
        bob.update_card(cards[0].id, cards[0].version, {"title": "renamed by bob"})
        bob.move_card(cards[1].id, "closure")
        bob.delete_card(cards[2].id, cards[2].version)
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        screen.reload()
        await settle(pilot)
        patched = column_lines(app)
    assert any("renamed by bob" in line for lines in patched.values() for line in lines)

    async with board(ann, pid) as (fresh_app, _pilot):
        fresh = column_lines(fresh_app)
    assert patched == fresh


async def _active_column_is_marked_by_its_head(stores: tuple[Store, Store, int]) -> None:
    ann, _bob, pid = stores
    async with board(ann, pid, (120, 35)) as (app, pilot):
        heads = list(app.screen.query(ColumnHead))
        assert [h.active for h in heads] == [True, False, False, False, False]
        await pilot.press("l", "l")
        await settle(pilot)
        assert [h.active for h in heads] == [False, False, True, False, False]
        await pilot.press("slash")  # the filter box takes the focus: no column is active
        await settle(pilot)
        assert not any(h.active for h in heads)
        await pilot.press("escape")
        await settle(pilot)
        assert [h.active for h in heads] == [False, False, True, False, False]


def footer_parts(app: EcpmApp) -> dict[str, bool]:
    """Each key's description as the footer draws it, and whether it is drawn dim."""
    footer = app.screen.query_one(FitFooter)
    parts: dict[str, bool] = {}
    for seg in footer.render_line(0):
        text = seg.text.strip()
        if text and seg.style is not None:
            parts[text] = bool(seg.style.dim)
    return parts


async def _scope_toggle_dims_footer_keys_in_place(stores: tuple[Store, Store, int]) -> None:
    ann, _bob, pid = stores
    async with board(ann, pid, (120, 35)) as (app, pilot):
        footer = app.screen.query_one(FitFooter)
        region = footer.region
        before = footer.render_line(0).text
        assert footer_parts(app)["New"] is False
        await pilot.press("p")
        await settle(pilot)
        # The same keys in the same places, card keys dimmed, the scope key still live.
        assert app.screen.query_one(FitFooter) is footer and footer.region == region
        assert footer.render_line(0).text == before
        parts = footer_parts(app)
        assert parts["New"] is True and parts["Status"] is True
        assert parts["Portfolio"] is False
        await pilot.press("p")
        await settle(pilot)
        assert footer_parts(app)["New"] is False


async def _filter_box_keeps_its_place(stores: tuple[Store, Store, int]) -> None:
    ann, _bob, pid = stores
    async with board(ann, pid, (80, 24)) as (app, pilot):
        columns = app.screen.query_one("#board-columns").region
        await pilot.press("slash", "c", "a", "r", "d", " ", "1", "enter")
        await settle(pilot)
        assert app.screen.query_one("#board-columns").region == columns
        assert app.screen.query_one("#board-filter").has_focus is False
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#board-columns").region == columns


def test_changed_span() -> None:
    a, b, c = object(), object(), object()
    same = changed_span(["1", "2"], [a, b], ["1", "2"], [a, b])
    assert same == (None, 0)
    # One item replaced by a new object: that row only.
    assert changed_span(["1", "2", "3"], [a, b, c], ["1", "2", "3"], [a, object(), c]) == (1, 1)
    # One removed from the top: every row from there shifts.
    assert changed_span(["1", "2", "3"], [a, b, c], ["2", "3"], [b, c]) == (0, 2)
    # One added at the bottom: just the new row.
    assert changed_span(["1"], [a], ["1", "2"], [a, b]) == (1, 1)
    # Only the visible rows are compared: a card added far below them changes none...
    ids = [str(i) for i in range(1000)]
    items = [object() for _ in ids]
    assert changed_span(ids, items, [*ids, "new"], [*items, a], 10, 50) == (None, 0)
    # ...one taken out above them shifts every one of them.
    assert changed_span(ids, items, ids[1:], items[1:], 10, 50) == (10, 49)
    # One changed among them is that row; near the end, the rows past it are gone.
    changed = [*items[:20], object(), *items[21:]]
    assert changed_span(ids, items, ids, changed, 10, 50) == (20, 20)
    assert changed_span(ids, items, ids[:995], items[:995], 990, 1040) == (995, 999)


def test_patched_board_reads_as_a_fresh_one(stores: tuple[Store, Store, int]) -> None:
    asyncio.run(_patched_board_reads_as_a_fresh_one(stores))


def test_active_column_is_marked_by_its_head(stores: tuple[Store, Store, int]) -> None:
    asyncio.run(_active_column_is_marked_by_its_head(stores))


def test_scope_toggle_dims_footer_keys_in_place(stores: tuple[Store, Store, int]) -> None:
    asyncio.run(_scope_toggle_dims_footer_keys_in_place(stores))


def test_filter_box_keeps_its_place(stores: tuple[Store, Store, int]) -> None:
    asyncio.run(_filter_box_keeps_its_place(stores))


async def _a_move_lands_on_the_card_in_its_new_column(stores: tuple[Store, Store, int]) -> None:
    ann, _bob, pid = stores
    async with board(ann, pid, (120, 35)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        card = screen.selected_card()
        assert card is not None and card.phase == "initiation"
        await pilot.press("L")
        await settle(pilot)
        heads = list(screen.query(ColumnHead))
        # The column it went to is active and the cursor is on the card (set with the patch).
        assert [h.active for h in heads] == [False, True, False, False, False]
        moved = screen.selected_card()
        assert moved is not None and (moved.id, moved.phase) == (card.id, "planning")
        detail = screen.query_one("#card-detail").render()
        assert card.title in str(detail)


async def _long_columns_keep_their_thumb(tmp_path: Path) -> None:
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'long.db'}", "test"))
    ann = Store(db, user="ann", today=lambda: TODAY)
    bob = Store(db, user="bob", today=lambda: TODAY)
    project = ann.create_project({"key": "LNG", "name": "Long"})
    assert project.id is not None
    for i in range(60):
        ann.create_card(project.id, {"title": f"card {i:03d}", "phase": "planning"})
    extra = [ann.create_card(project.id, {"title": f"new {i}"}) for i in range(2)]
    async with board(ann, project.id, (120, 35)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        column = screen.lists()[1]
        height = column.size.height
        # One card more or less in a long column draws the same bar; many more do not.
        assert thumb(height, 301, 0) == thumb(height, 300, 0) == thumb(height, 299, 0)
        assert thumb(height, 300, 0) != thumb(height, 60, 0) != thumb(height, 61, 0)
        assert thumb(height, 300, 150) != thumb(height, 300, 0)
        for card in extra:
            # Another user's card lands below the visible lines: no line changes, the
            # thumb shrinks. What the screen shows (Textual's per-line cache of the
            # column, not freshly drawn lines) has the new bar.
            assert card.id is not None
            bob.move_card(card.id, "planning")
            screen.reload()
            await settle(pilot)
            rows = len(column.items)
            assert column.virtual_size.height == rows and column.scroll_offset.y == 0
            expected = [cell.text for cell in bar_cells(height, rows, 0, None, None)]
            shown = column.render_lines(Region(0, 0, column.size.width, height))
            assert [strip.text[-1] for strip in shown] == expected
        assert column.allow_vertical_scroll  # the mouse wheel still scrolls it
    db.close()


def test_a_move_lands_on_the_card_in_its_new_column(stores: tuple[Store, Store, int]) -> None:
    asyncio.run(_a_move_lands_on_the_card_in_its_new_column(stores))


def test_long_columns_keep_their_thumb(tmp_path: Path) -> None:
    asyncio.run(_long_columns_keep_their_thumb(tmp_path))


async def _footer_keys_built_once(
    stores: tuple[Store, Store, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ann, _bob, pid = stores
    async with board(ann, pid, (120, 35)) as (app, pilot):
        footer = app.screen.query_one(FitFooter)
        # The board's keys (the columns have the focus from the start, not the filter
        # box with its four keys), drawn wide, with "^p Commands" on the right.
        assert footer.line is not None and not footer.line.compact
        assert [i.display for i in footer.line.items][:4] == ["n", "e", "space", "d"]
        drawn = footer.render_line(0).text
        assert drawn.startswith(" n New  e Edit  space Status  d Delete ")
        assert drawn.rstrip().endswith("\u258f^p Commands")
        # Told of the same bindings again (every focus change does), it draws nothing.
        repaints: list[object] = []
        real_refresh = footer.refresh

        def counting_refresh(*args: Any, **kwargs: Any) -> Any:
            repaints.append(args)
            return real_refresh(*args, **kwargs)

        monkeypatch.setattr(footer, "refresh", counting_refresh)
        footer.bindings_changed(app.screen)
        await pilot.press("l")
        await pilot.press("h")
        await settle(pilot)
        assert repaints == []
        # A real change of width fits the keys again, closer together and fewer.
        await pilot.resize_terminal(90, 30)
        await settle(pilot)
        assert footer.line is not None and footer.line.compact and footer.line.palette is None
        narrow = footer.render_line(0).text
        assert narrow.startswith("n New e Edit space Status d Delete ")
        assert "Commands" not in narrow and len(narrow) <= 90
        assert repaints


def test_footer_keys_built_once(
    stores: tuple[Store, Store, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    asyncio.run(_footer_keys_built_once(stores, monkeypatch))


def drawn(strips: list[Strip]) -> list[list[tuple[str, object]]]:
    return [[(seg.text, seg.style) for seg in strip] for strip in strips]


async def _columns_draw_as_the_styles_cache_would(stores: tuple[Store, Store, int]) -> None:
    ann, bob, pid = stores
    async with board(ann, pid, (120, 35)) as (app, pilot):
        for keys in (["j", "j"], ["L"], ["l"], ["space"], ["p"], ["p"], ["H"], ["G", "k"]):
            await pilot.press(*keys)
            await settle(pilot)
            for col in app.screen.query(BoardList):
                whole = Region(0, 0, col.size.width, col.size.height)
                part = Region(1, 2, col.size.width - 2, 5)
                for crop in (whole, part):
                    # The column keeps its own lines (see CardColumn._plain_lines); Textual's
                    # styles cache, given the same column, must draw the very same cells.
                    assert drawn(col.render_lines(crop)) == drawn(
                        ScrollView.render_lines(col, crop)
                    ), (keys, col.phase, crop)
        bob.move_card(ann.list_cards(pid)[0].id, "closure")
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        screen.reload()
        await settle(pilot)
        for col in app.screen.query(BoardList):
            whole = Region(0, 0, col.size.width, col.size.height)
            assert drawn(col.render_lines(whole)) == drawn(ScrollView.render_lines(col, whole))


def test_columns_draw_as_the_styles_cache_would(stores: tuple[Store, Store, int]) -> None:
    asyncio.run(_columns_draw_as_the_styles_cache_would(stores))


async def _back_to_an_unchanged_board_reads_nothing(
    stores: tuple[Store, Store, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ann, bob, pid = stores
    day = [TODAY]
    monkeypatch.setattr(ann, "today", lambda: day[0])
    reads: list[int] = []
    delta = ann.board_delta

    def counting(project_id: int, after: int) -> object:
        reads.append(after)
        return delta(project_id, after)

    monkeypatch.setattr(ann, "board_delta", counting)
    async with board(ann, pid, (120, 35)) as (app, pilot):
        before = column_lines(app)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert reads == []  # nobody committed anything: nothing read, nothing redrawn
        assert column_lines(app) == before
        # Another user's move while this one is away is read on the way back.
        moved = ann.list_cards(pid)[0]
        await pilot.press("1")
        await settle(pilot)
        bob.move_card(moved.id, "closure")
        await pilot.press("2")
        await settle(pilot)
        assert len(reads) == 1
        assert any(moved.title in line for line in column_lines(app)["closure"])
        # A new day redraws the ages even when nothing was committed.
        await pilot.press("1")
        await settle(pilot)
        day[0] = date(2026, 3, 3)
        await pilot.press("2")
        await settle(pilot)
        assert len(reads) == 2
        screen = app.screen
        assert isinstance(screen, BoardScreen) and screen.data.today == date(2026, 3, 3)
        # The portfolio and back: the columns show the projects meanwhile, so the way
        # back redraws the cards from a read.
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert len(reads) == 3
        assert any(moved.title in line for line in column_lines(app)["closure"])


def test_back_to_an_unchanged_board_reads_nothing(
    stores: tuple[Store, Store, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    asyncio.run(_back_to_an_unchanged_board_reads_nothing(stores, monkeypatch))


async def _a_move_draws_only_the_lines_it_changed(
    stores: tuple[Store, Store, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ann, _bob, pid = stores
    draws: list[object] = []
    draw = CardColumn._draw

    def counting(self: CardColumn[object], item: object, *args: object) -> Strip:
        draws.append(item)
        return draw(self, item, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(CardColumn, "_draw", counting)
    # Short columns: a card moved to the bottom of the next one scrolls it there.
    async with board(ann, pid, (120, 16)) as (_app, pilot):
        await pilot.press("L", "H")  # every line of both columns drawn once in each look
        await settle(pilot)
        draws.clear()
        await pilot.press("L")
        await settle(pilot)
        # Both columns were repainted whole (the card left one, the other scrolled to it
        # at its bottom and became the active one), yet the only lines drawn anew are the
        # moved card's and the cursor's new line in the column it left: every other line
        # comes from the cache, whichever column is the active one.
        assert len(draws) <= 2, draws


def test_a_move_draws_only_the_lines_it_changed(
    stores: tuple[Store, Store, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    asyncio.run(_a_move_draws_only_the_lines_it_changed(stores, monkeypatch))


@pytest.mark.parametrize("size", [(81, 24), (123, 30)])
def test_a_line_right_of_every_column_at_any_width(
    stores: tuple[Store, Store, int], size: tuple[int, int]
) -> None:
    async def run() -> None:
        ann, _bob, pid = stores
        async with board(ann, pid, size) as (app, _pilot):
            grid = app.screen.query_one(BoardColumns)
            lists, heads = grid.lists(), grid.heads()
            assert grid.region.right == size[0]  # the grid spans the screen
            for column, head in zip(lists, heads, strict=True):
                x = column.region.right
                assert head.region.right == x and head.region.x == column.region.x
                for y in (head.region.y, *column.region.line_range):
                    # The cell right of each column belongs to the grid, which draws the
                    # line there (its own border right of the last column).
                    widget, _ = app.screen.get_widget_at(x, y)
                    assert widget is grid, (x, y, widget)
                    if x < grid.region.right - 1:
                        line = grid.render_line(y - grid.region.y).text
                        assert line[x - grid.region.x] == "│", (x, y, line)
            widths = {column.region.width for column in lists}
            assert max(widths) - min(widths) <= 1

    asyncio.run(run())


async def _columns_follow_a_change_of_theme(stores: tuple[Store, Store, int]) -> None:
    ann, _bob, pid = stores
    async with board(ann, pid, (120, 35)) as (app, pilot):
        before = {
            col.phase: drawn(col.render_lines(col.size.region))
            for col in app.screen.query(BoardList)
        }
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await settle(pilot)
        for col in app.screen.query(BoardList):
            whole = col.size.region
            # Every colour is the new theme's: the columns keep what they draw with until
            # the theme (or their styles) change, then draw as the styles cache does.
            after = drawn(col.render_lines(whole))
            assert after == drawn(ScrollView.render_lines(col, whole))
            assert after != before[col.phase]


def test_columns_follow_a_change_of_theme(stores: tuple[Store, Store, int]) -> None:
    asyncio.run(_columns_follow_a_change_of_theme(stores))


async def _footer_keys_built_without_the_app_focus(stores: tuple[Store, Store, int]) -> None:
    ann, _bob, pid = stores
    app = EcpmApp(ann, poll_interval=0)
    app.current_project_id = pid
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        # A browser tab (ecpm serve) may never give the app the focus: the footer draws
        # its keys all the same (Textual's Footer waited for the focus or a Resize).
        app.app_focus = False
        await app.switch_mode("board")
        drawn = ""
        for _ in range(40):  # (a key would give the app the focus: wait instead)
            await pilot.pause(0.05)
            drawn = app.screen.query_one(FitFooter).render_line(0).text
            if drawn.strip():
                break
        assert isinstance(app.screen, BoardScreen) and app.app_focus is False
        assert drawn.startswith(" n New  e Edit  space Status  d Delete "), drawn


def test_footer_keys_built_without_the_app_focus(stores: tuple[Store, Store, int]) -> None:
    asyncio.run(_footer_keys_built_without_the_app_focus(stores))


async def _board_sheet_read_with_the_apps(stores: tuple[Store, Store, int]) -> None:
    ann, _bob, pid = stores
    app = EcpmApp(ann, poll_interval=0)
    app.current_project_id = pid
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        before = set(app.stylesheet.source)
        await pilot.press("2")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        # The board's sheet was there before it opened (a screen's new sheet means a
        # re-parse of every one), and its rules are in force.
        assert board.css_path
        assert [p for p in board.css_path if (str(p), "") not in before] == []
        columns = board.query_one("#board-columns", BoardColumns)
        assert columns.styles.layout is not None and columns.styles.layout.name == "grid"


def test_board_sheet_read_with_the_apps(stores: tuple[Store, Store, int]) -> None:
    """The board's stylesheet is read with the app's at start, not when it opens."""
    asyncio.run(_board_sheet_read_with_the_apps(stores))


async def _a_click_on_a_footer_key_presses_it(stores: tuple[Store, Store, int]) -> None:
    from ecpm_tui.screens.form import FormScreen

    ann, _bob, pid = stores
    async with board(ann, pid, (120, 35)) as (app, pilot):
        footer = app.screen.query_one(FitFooter)
        drawn = footer.render_line(0).text
        await pilot.press("p")  # portfolio: "New" is dimmed, a click on it does nothing
        await settle(pilot)
        await pilot.click(FitFooter, offset=(drawn.index("New"), 0))
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("p")
        await settle(pilot)
        await pilot.click(FitFooter, offset=(drawn.index("New"), 0))
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("escape")
        await settle(pilot)
        # Between keys (the blank before the palette's bar) nothing happens.
        await pilot.click(FitFooter, offset=(drawn.index("\u258f") - 1, 0))
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        await pilot.click(FitFooter, offset=(drawn.index("Commands"), 0))
        await settle(pilot)
        assert type(app.screen).__name__ == "CommandPalette"


def test_a_click_on_a_footer_key_presses_it(stores: tuple[Store, Store, int]) -> None:
    """A click on a footer key runs it, as in Textual's Footer; on a dimmed key, not."""
    asyncio.run(_a_click_on_a_footer_key_presses_it(stores))


async def _header_reads_as_textual_draws_it(stores: tuple[Store, Store, int]) -> None:
    from ecpm_tui.screens.header import FitHeader

    ann, _bob, pid = stores
    async with board(ann, pid, (60, 20)) as (app, pilot):
        header = app.screen.query_one(FitHeader)
        line = header.render_line(0).text
        # The icon, the title and sub-title centred between it and the clock's room.
        assert line.startswith(" \u2b58      ") and len(line) == 60
        title = f"ecpm \u2014 {app.sub_title}"
        room = 60 - 8 - 10
        shown = title if len(title) <= room else title[: room - 1] + "\u2026"
        left = 8 + (room - len(shown)) // 2
        assert line[left : left + len(shown)] == shown, line
        # A new sub-title is drawn at once.
        app.sub_title = "elsewhere"
        await settle(pilot)
        assert "ecpm \u2014 elsewhere" in header.render_line(0).text
        # A click on the icon opens the command palette, as Textual's Header does.
        await pilot.click(FitHeader, offset=(1, 0))
        await settle(pilot)
        assert type(app.screen).__name__ == "CommandPalette"


def test_header_reads_as_textual_draws_it(stores: tuple[Store, Store, int]) -> None:
    asyncio.run(_header_reads_as_textual_draws_it(stores))
