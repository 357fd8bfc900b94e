"""Issue 13: the board patched from change reads equals the board loaded afresh.

Property-based (Hypothesis): random sequences of moves, reorders, status changes, edits,
deletes, new cards and other users' changes, on a real SQLite file; after each step the
patched :class:`CardIndex` must hold exactly the cards, columns and order of a full load.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecpm_tui import lifecycle
from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import Database, open_database
from ecpm_tui.errors import EcpmError
from ecpm_tui.screens.board import BoardScreen
from ecpm_tui.screens.board_state import CardIndex, ColumnView
from ecpm_tui.store import Store

TODAY = date(2026, 3, 2)
PHASES = [p.value for p in lifecycle.PHASES]


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Store]:
    """Two users on one SQLite file: "ann" (the board's user) and "bob" (another one)."""
    path = Path(tmp_path_factory.mktemp("i13")) / "board.db"
    db = open_database(DbTarget(f"sqlite:///{path}", "test"))
    return Store(db, user="ann", today=lambda: TODAY), Store(db, user="bob", today=lambda: TODAY)


def new_project(store: Store, n_cards: int) -> int:
    count = len(store.list_projects())
    project = store.create_project({"key": f"P{count}", "name": f"Project {count}"})
    assert project.id is not None
    for i in range(n_cards):
        phase = PHASES[i % 3]
        store.create_card(project.id, {"title": f"card {i}", "phase": phase})
    return project.id


def columns_of(index: CardIndex) -> dict[str, list[object]]:
    return {p: list(index.column(p)) for p in PHASES}


def full_columns(store: Store, project_id: int) -> dict[str, list[object]]:
    return columns_of(CardIndex(project_id, store.board_cards(project_id)))


def views_of(index: CardIndex) -> dict[str, ColumnView]:
    """What the board shows of each column (made once, then patched by ``apply``)."""
    return {p: index.view(p) for p in PHASES}


step = st.tuples(
    st.sampled_from(
        ["move", "back", "reorder_up", "reorder_down", "status", "edit", "rephase", "delete", "new"]
    ),
    st.booleans(),  # True: another user does it (a foreign change)
    st.integers(min_value=0, max_value=10_000),  # which card
    st.integers(min_value=0, max_value=4),  # a phase, for rephase and new
)


def do(store: Store, project_id: int, kind: str, pick: int, phase: int) -> None:
    cards = store.list_cards(project_id)
    if kind == "new" or not cards:
        store.create_card(project_id, {"title": f"new {pick}", "phase": PHASES[phase]}, force=True)
        return
    card = cards[pick % len(cards)]
    current = lifecycle.Phase(card.phase)
    if kind == "move":
        target = lifecycle.next_phase(current)
        if target is not None:
            store.move_card(card.id, target, force=True)
    elif kind == "back":
        target = lifecycle.previous_phase(current)
        if target is not None:
            store.move_card(card.id, target, force=True)
    elif kind in ("reorder_up", "reorder_down"):
        store.reorder_card(card.id, -1 if kind == "reorder_up" else 1)
    elif kind == "status":
        store.cycle_card_status(card.id)
    elif kind == "edit":
        store.update_card(card.id, card.version, {"title": f"edited {pick}"})
    elif kind == "rephase":
        store.update_card(card.id, card.version, {"phase": PHASES[phase]}, force=True)
    elif kind == "delete":
        store.delete_card(card.id, card.version)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=12), batch=st.booleans())
def test_patched_board_equals_full_reload(
    stores: tuple[Store, Store], steps: list[tuple[str, bool, int, int]], batch: bool
) -> None:
    ann, bob = stores
    pid = new_project(ann, 6)
    index = CardIndex(pid, ann.board_cards(pid))
    shown = views_of(index)  # the columns on screen: patched from here on
    before = {p: (list(v.ids), list(v.cards), v.done) for p, v in shown.items()}
    for kind, foreign, pick, phase in steps:
        # A refused action (a card at the top has nothing to swap with) changes nothing.
        with contextlib.suppress(EcpmError):
            do(bob if foreign else ann, pid, kind, pick, phase)
        if not batch:  # else: many changes pile up between two reads, like a slow poll
            changes = ann.card_changes(pid, index.last_event)
            assert changes is not None
            assert index.apply(changes) is not None
            assert columns_of(index) == full_columns(ann, pid)
            assert views_of(index) == views_of(CardIndex(pid, ann.board_cards(pid)))
    changes = ann.card_changes(pid, index.last_event)
    assert changes is not None
    assert index.apply(changes) is not None
    assert columns_of(index) == full_columns(ann, pid)
    assert views_of(index) == views_of(CardIndex(pid, ann.board_cards(pid)))
    # Views handed out earlier are never changed in place (a column keeps its lists).
    assert {p: (v.ids, v.cards, v.done) for p, v in shown.items()} == before
    assert index.cards() == [c for p in PHASES for c in full_columns(ann, pid)[p]]  # type: ignore[misc]


def test_shown_columns_count_done_cards_as_they_come_and_go(stores: tuple[Store, Store]) -> None:
    ann, bob = stores
    pid = new_project(ann, 6)
    index = CardIndex(pid, ann.board_cards(pid))
    card = ann.list_cards(pid)[0]  # in Initiation
    for _ in range(2):  # to do -> doing -> done (blocked needs a reason: skipped)
        bob.cycle_card_status(card.id)
    for target in ("planning", "initiation", "planning"):
        views_of(index)  # shown: the next changes patch these views
        changes = ann.card_changes(pid, index.last_event)
        assert changes is not None and index.apply(changes) is not None
        fresh = views_of(CardIndex(pid, ann.board_cards(pid)))
        assert views_of(index) == fresh
        bob.move_card(card.id, target, force=True)
    changes = ann.card_changes(pid, index.last_event)
    assert changes is not None and index.apply(changes) is not None
    assert views_of(index) == views_of(CardIndex(pid, ann.board_cards(pid)))
    assert index.view("planning").done == 1 and index.view("initiation").done == 0


def test_changes_in_other_projects_touch_nothing(stores: tuple[Store, Store]) -> None:
    ann, bob = stores
    mine, theirs = new_project(ann, 3), new_project(bob, 3)
    index = CardIndex(mine, ann.board_cards(mine))
    other = bob.list_cards(theirs)[0]
    bob.move_card(other.id, "closure")
    changes = ann.card_changes(mine, index.last_event)
    assert changes is not None and changes.rows == [] and changes.gone == []
    assert index.apply(changes) == set()
    assert changes.last_event > 0


def test_a_count_that_does_not_add_up_asks_for_a_full_load(stores: tuple[Store, Store]) -> None:
    ann, _bob = stores
    pid = new_project(ann, 3)
    index = CardIndex(pid, ann.board_cards(pid))
    lost = index.column("initiation")[0]
    del index.by_id[lost.id]  # the copy lost a card somehow
    changes = ann.card_changes(pid, index.last_event)
    assert changes is not None
    assert index.apply(changes) is None


def test_cards_are_counted_after_events_that_change_their_number(
    stores: tuple[Store, Store],
) -> None:
    ann, bob = stores
    pid = new_project(ann, 3)
    index = CardIndex(pid, ann.board_cards(pid))
    card = ann.list_cards(pid)[0]
    bob.move_card(card.id, "planning")
    bob.cycle_card_status(card.id)
    bob.update_card(card.id, card.version + 2, {"title": "renamed"})
    moved = ann.card_changes(pid, index.last_event)
    # Moves, status changes and edits keep the number of cards: not counted (a count
    # reads the project's whole index).
    assert moved is not None and moved.total is None
    assert index.apply(moved) is not None
    lost = index.column("initiation")[0]
    del index.by_id[lost.id]  # the copy lost a card somehow
    bob.create_card(pid, {"title": "one more"})
    created = ann.card_changes(pid, index.last_event)
    assert created is not None and created.total == 4
    assert index.apply(created) is None  # the next count finds it out: load afresh


def test_the_one_read_delta_is_the_three_reads(stores: tuple[Store, Store]) -> None:
    ann, bob = stores
    pid = new_project(ann, 4)
    after = ann.board_cards(pid).last_event
    card = ann.list_cards(pid)[0]
    bob.move_card(card.id, "closure")
    ann.set_column_setting(pid, "closure", {"wip_limit": 3})
    read = ann.board_delta(pid, after)
    assert read.project == ann.get_project(pid)
    assert read.changes == ann.card_changes(pid, after)
    assert read.changes is not None and [c.id for c in read.changes.rows] == [card.id]
    assert read.settings == ann.column_settings(pid)
    assert read.settings["closure"].wip_limit == 3


def test_changes_patch_to_a_full_load_on_both_backends(db: Database) -> None:
    # The delta read runs on SQLite's cursor (ids and rows packed as JSON) and through
    # Core on PostgreSQL; on both, the patched copy must be a fresh load.
    ann, bob = (
        Store(db, user="ann", today=lambda: TODAY),
        Store(db, user="bob", today=lambda: TODAY),
    )
    pid = new_project(ann, 6)
    index = CardIndex(pid, ann.board_cards(pid))
    cards = ann.list_cards(pid)
    bob.move_card(cards[0].id, "closure")
    bob.update_card(cards[1].id, cards[1].version, {"title": "renamed [/] by bob"})
    bob.delete_card(cards[2].id, cards[2].version)
    bob.cycle_card_status(cards[3].id)
    added = bob.create_card(pid, {"title": "new", "phase": "planning", "due_date": "2026-04-01"})
    other = new_project(bob, 2)  # another project's changes touch nothing here
    bob.move_card(bob.list_cards(other)[0].id, "closure")
    changes = ann.card_changes(pid, index.last_event)
    assert changes is not None
    assert {c.id for c in changes.rows} == {cards[0].id, cards[1].id, cards[3].id, added.id}
    assert changes.gone == [cards[2].id]
    assert index.apply(changes) is not None
    assert columns_of(index) == full_columns(ann, pid)
    # Nothing new since: no rows, and the count still adds up.
    again = ann.card_changes(pid, index.last_event)
    assert again is not None and again.rows == [] and again.gone == []
    assert index.apply(again) == set()


def board_columns(board: BoardScreen) -> list[list[str]]:
    return [list(col.ids) for col in board.lists()]


def test_board_screen_patches_to_what_a_reload_shows(stores: tuple[Store, Store]) -> None:
    """The screen itself: own moves, another user's edit and delete, a trip to the
    portfolio and to another screen; its columns then equal those of a board loaded
    afresh, and none of those steps loaded every card again."""
    ann, bob = stores
    pid = new_project(ann, 9)

    async def run() -> None:
        app = EcpmApp(ann, poll_interval=0)
        app.current_project_id = pid
        async with app.run_test(size=(120, 35)) as pilot:
            await pilot.press("2")
            await app.workers.wait_for_complete()
            await pilot.pause()
            board = app.screen
            assert isinstance(board, BoardScreen)
            full_loads = 0
            real_fetch = board.fetch

            def counting_fetch() -> object:
                nonlocal full_loads
                full_loads += not board.portfolio  # the portfolio is always read afresh
                return real_fetch()

            board.fetch = counting_fetch  # type: ignore[method-assign]
            for key in ("L", "j", "space", "L", "H"):
                await pilot.press(key)
                await app.workers.wait_for_complete()
                await pilot.pause()
            cards = bob.list_cards(pid)
            bob.update_card(cards[1].id, cards[1].version, {"title": "bob's [/] title"})
            bob.delete_card(cards[2].id, cards[2].version)
            bob.create_card(pid, {"title": "bob's new card", "phase": "planning"})
            app.data_changed()  # what the change poll does on another user's commit
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("p")  # to the portfolio and back: the cards stay loaded
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("p")
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("1")
            await pilot.press("2")
            await app.workers.wait_for_complete()
            await pilot.pause()
            patched = board_columns(board)
            rows = {c.id: c for c in board.index.cards()} if board.index else {}
            assert full_loads == 0
            board.index = None
            board.reload()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert full_loads == 1
            assert board_columns(board) == patched
            assert board.index is not None
            assert {c.id: c for c in board.index.cards()} == rows
            assert any(c.title == "bob's [/] title" for c in rows.values())

    asyncio.run(run())
