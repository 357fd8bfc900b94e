"""Issue 13: the board's cards are read in the background once the first screen shows
its data, and the board opens on that read (caught up with what changed since).

Real SQLite files and the real app; the store's full read is counted by wrapping the
store's own method, never replaced.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from pilots import record_notices, settle

from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.errors import EcpmError
from ecpm_tui.screens.board import BoardScreen
from ecpm_tui.screens.board_prefetch import BoardPrefetch
from ecpm_tui.screens.board_state import CardIndex, read_board
from ecpm_tui.store import CardSnapshot, Store

TODAY = date(2026, 3, 2)


def two_users(path: Path) -> tuple[Store, Store, list[int]]:
    """ "ann" (the app's user) and "bob" on one file, with two projects of 6 and 3 cards."""
    db = open_database(DbTarget(f"sqlite:///{path}", "test"))
    ann = Store(db, user="ann", today=lambda: TODAY)
    bob = Store(db, user="bob", today=lambda: TODAY)
    pids = []
    for key, n in (("SHOP", 6), ("APP", 3)):
        project = ann.create_project({"key": key, "name": f"{key} project"})
        assert project.id is not None
        pids.append(project.id)
        for i in range(n):
            phase = ("initiation", "planning", "execution")[i % 3]
            ann.create_card(project.id, {"title": f"{key} card {i}", "phase": phase})
    return ann, bob, pids


def count_reads(store: Store, before: Callable[[int], None] | None = None) -> list[int]:
    """Record every full read of a board (the project id) on *store*; *before* runs
    first (it may block or raise)."""
    reads: list[int] = []
    real = store.board_cards

    def board_cards(project_id: int) -> CardSnapshot:
        reads.append(project_id)
        if before is not None:
            before(len(reads))
        return real(project_id)

    store.board_cards = board_cards  # type: ignore[method-assign]
    return reads


def app_on(store: Store, project_id: int) -> EcpmApp:
    """The app of *store*'s user, on project *project_id*, without the change poll."""
    app = EcpmApp(store, poll_interval=0)
    app.current_project_id = project_id
    return app


def shown(board: BoardScreen) -> list[list[str]]:
    return [list(col.ids) for col in board.lists()]


def fresh_columns(store: Store, project_id: int) -> list[list[str]]:
    """The columns of a fresh full read (pass the store whose reads are not counted)."""
    index = CardIndex(project_id, store.board_cards(project_id))
    return [list(index.view(p).ids) for p in index.columns]


def run(app: EcpmApp, script: Callable[[Any], Any]) -> None:
    async def go() -> None:
        async with app.run_test(size=(120, 35)) as pilot:
            await script(pilot)

    asyncio.run(go())


def test_board_opens_on_the_background_read(tmp_path: Path) -> None:
    """Projects shows its data, the board's cards are read once behind it, and "2" shows
    them without another full read."""
    ann, bob, pids = two_users(tmp_path / "a.db")
    reads = count_reads(ann)
    app = app_on(ann, pids[0])

    async def script(pilot: Any) -> None:
        await settle(pilot)
        assert reads == [pids[0]]  # read in the background, before any key
        assert app.board_prefetch is not None and app.board_prefetch.state == "ready"
        await pilot.press("2")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        assert reads == [pids[0]]
        assert board.index is not None and board.index.project_id == pids[0]
        assert shown(board) == fresh_columns(bob, pids[0])
        assert sum(len(ids) for ids in shown(board)) == 6
        assert app.board_prefetch.load is None  # handed over, not kept twice

    run(app, script)


def test_changes_made_after_the_read_show_when_the_board_opens(tmp_path: Path) -> None:
    """Another user moves, edits, deletes and adds cards between the background read and
    "2": the board shows them as a fresh load would, without a second full read."""
    ann, bob, pids = two_users(tmp_path / "a.db")
    reads = count_reads(ann)
    app = app_on(ann, pids[0])

    async def script(pilot: Any) -> None:
        await settle(pilot)
        cards = bob.list_cards(pids[0])
        bob.move_card(cards[0].id, "planning")
        bob.update_card(cards[1].id, cards[1].version, {"title": "bob's [/] title"})
        bob.delete_card(cards[2].id, cards[2].version)
        bob.create_card(pids[0], {"title": "bob's new card", "phase": "execution"})
        await pilot.press("2")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        assert reads == [pids[0]]
        assert shown(board) == fresh_columns(bob, pids[0])
        assert board.index is not None
        titles = {c.title for c in board.index.cards()}
        assert {"bob's [/] title", "bob's new card"} <= titles
        assert cards[2].title not in titles

    run(app, script)


def test_board_opened_during_the_read_waits_for_it(tmp_path: Path) -> None:
    """ "2" pressed while the background read runs: the board shows that read when it
    ends instead of reading every card a second time."""
    ann, bob, pids = two_users(tmp_path / "a.db")
    go_on = threading.Event()
    reads = count_reads(ann, before=lambda _n: go_on.wait(10))
    app = app_on(ann, pids[0])

    async def script(pilot: Any) -> None:
        for _ in range(100):  # the projects screen has loaded and the read has started
            await pilot.pause(0.02)
            if reads:
                break
        assert reads == [pids[0]]
        await pilot.press("2")
        await pilot.pause()
        board = app.screen
        assert isinstance(board, BoardScreen)
        assert app.board_prefetch is not None
        assert app.board_prefetch.waiter is board
        assert board.index is None
        go_on.set()
        await settle(pilot)
        assert reads == [pids[0]]
        assert shown(board) == fresh_columns(bob, pids[0])

    try:
        run(app, script)
    finally:
        go_on.set()


def test_read_of_another_project_is_dropped(tmp_path: Path) -> None:
    """The person opens another project than the one read: the board reads that one,
    and never shows the other's cards."""
    ann, bob, pids = two_users(tmp_path / "a.db")
    reads = count_reads(ann)
    app = app_on(ann, pids[0])

    async def script(pilot: Any) -> None:
        await settle(pilot)
        app.open_project(pids[1])
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        assert reads == [pids[0], pids[1]]
        assert board.index is not None and board.index.project_id == pids[1]
        assert shown(board) == fresh_columns(bob, pids[1])
        assert app.board_prefetch is not None and app.board_prefetch.load is None

    run(app, script)


def test_a_failed_read_leaves_the_board_to_read_for_itself(tmp_path: Path) -> None:
    """The background read fails (the database was busy): no message for it, and the
    board reads and shows its cards when it opens."""
    ann, bob, pids = two_users(tmp_path / "a.db")

    def fail_first(n: int) -> None:
        if n == 1:
            raise EcpmError("The database is busy.")

    reads = count_reads(ann, before=fail_first)
    app = app_on(ann, pids[0])
    said = record_notices(app)

    async def script(pilot: Any) -> None:
        await settle(pilot)
        assert app.board_prefetch is not None
        assert app.board_prefetch.state == "ready" and app.board_prefetch.load is None
        await pilot.press("2")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        assert reads == [pids[0], pids[0]]
        assert shown(board) == fresh_columns(bob, pids[0])
        assert said == []  # nothing about the first read

    run(app, script)


def test_board_as_first_screen_reads_once(tmp_path: Path) -> None:
    """Started on the board, the board's own first load is the only full read."""
    ann, bob, pids = two_users(tmp_path / "a.db")
    reads = count_reads(ann)

    class BoardFirst(EcpmApp):
        DEFAULT_MODE = "board"

    app = BoardFirst(ann, poll_interval=0)
    app.current_project_id = pids[1]

    async def script(pilot: Any) -> None:
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        assert shown(board) == fresh_columns(bob, pids[1])
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert reads == [pids[1]]
        assert app.board_prefetch is not None and app.board_prefetch.state == "used"

    run(app, script)


def test_a_stale_read_is_caught_up_before_the_board_settles(tmp_path: Path) -> None:
    """The board takes a read made before another user's changes: one reload shows it
    and then what changed since, as a fresh load would."""
    ann, bob, pids = two_users(tmp_path / "a.db")
    app = app_on(ann, pids[0])

    async def script(pilot: Any) -> None:
        await pilot.press("2")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        stale = read_board(ann, pids[0])
        cards = bob.list_cards(pids[0])
        bob.move_card(cards[3].id, "monitoring")
        bob.delete_card(cards[4].id, cards[4].version)
        prefetch = BoardPrefetch()
        prefetch.state, prefetch.load = "ready", stale
        app.board_prefetch = prefetch
        board.index = None
        board.reload()
        await settle(pilot)
        assert prefetch.state == "used"
        assert shown(board) == fresh_columns(bob, pids[0])
        assert board.index is not None
        assert cards[4].id not in board.index.by_id
        assert board.index.by_id[cards[3].id].phase == "monitoring"

    run(app, script)
