"""Issue 9, pilot tests: the board's governance keys driven like a user would.

b (blocked with a reason), w (WIP limit) and the WIP confirm, aging marks, the card
editor's relative dates and unsaved-changes prompt, the detail line, and each gate
decision from the portfolio (go, conditions with owners, mandatory refusal, recycle,
hold, kill, closure).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pilots import settle
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from ecpm_tui import lifecycle
from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.screens.board import BoardScreen
from ecpm_tui.screens.confirm import ConfirmScreen
from ecpm_tui.screens.form import FormScreen
from ecpm_tui.screens.projects import ProjectsScreen
from ecpm_tui.screens.reason import ReasonScreen
from ecpm_tui.screens.transition import TransitionScreen
from ecpm_tui.store import Store

TODAY = date(2026, 11, 20)
SIZE = (120, 35)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'keys.db'}", "test"))
    yield Store(db, user="alice", today=lambda: TODAY)
    db.close()


@pytest.fixture
def pid(store: Store) -> int:
    project = store.create_project({"key": "KEYS", "name": "Keys project", "sponsor": "Ana"})
    assert project.id is not None
    for title in ("Charter", "Stakeholders", "Top risks"):
        store.create_card(project.id, {"title": title})
    return project.id


def run_board(
    store: Store,
    pid: int,
    body: Callable[[EcpmApp, BoardScreen, Pilot[None]], Awaitable[None]],
    portfolio: bool = False,
) -> None:
    async def main() -> None:
        app = EcpmApp(store, poll_interval=0)
        async with app.run_test(size=SIZE) as pilot:
            app.current_project_id = pid
            await pilot.press("2")
            await settle(pilot)
            if portfolio:
                await pilot.press("p")
                await settle(pilot)
            board = app.screen
            assert isinstance(board, BoardScreen)
            await body(app, board, pilot)

    asyncio.run(main())


def text_of(board: BoardScreen, selector: str) -> str:
    return str(board.query_one(selector, Static).render())


# -- cards -------------------------------------------------------------------------------


def test_b_blocks_with_a_reason_shown_on_the_card_and_detail_line(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        card = board.selected_card()
        assert card is not None
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press("enter")  # empty: refused, dialog stays
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press(*"Waiting on [/] legal", "enter")
        await settle(pilot)
        saved = store.get_card(card.id)
        assert (saved.status, saved.blocked_reason) == ("blocked", "Waiting on [/] legal")
        line = str(board.lists()[0].render_item(board.selected_card()))
        assert line.startswith("[!]") and "blocked: Waiting on [/] legal" in line
        assert "BLOCKED: Waiting on [/] legal" in text_of(board, "#card-detail")
        await pilot.press("b")
        await settle(pilot)
        assert store.get_card(card.id).blocked_reason == ""
        assert store.get_card(card.id).status == "doing"

    run_board(store, pid, body)


def test_w_sets_the_wip_limit_and_a_move_into_a_full_column_asks(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        await pilot.press("l", "w")  # settings of the Planning column
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press(*"0", "ctrl+s")  # invalid: shown next to the field
        await settle(pilot)
        assert "whole number" in str(app.screen.query_one("#error-wip_limit", Static).render())
        assert store.column_settings(pid)["planning"].wip_limit is None
        await pilot.press("backspace", "1", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert store.column_settings(pid)["planning"].wip_limit == 1
        assert "WIP 0/1" in text_of(board, "#head-planning")

        await pilot.press("h", "L")  # first card into Planning: room for one
        await settle(pilot)
        assert "WIP 1/1" in text_of(board, "#head-planning")
        await pilot.press("h", "L")  # the second one: confirm
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert len(store.list_cards(pid)) == 3
        assert [c.phase for c in store.list_cards(pid)].count("planning") == 1
        await pilot.press("h", "L")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert [c.phase for c in store.list_cards(pid)].count("planning") == 2
        head = text_of(board, "#head-planning")
        assert "WIP 2/1!" in head and board.query_one("#head-planning").has_class("over-limit")
        assert "wip_override" in [e.action for e in store.list_events(project_id=pid)]

    run_board(store, pid, body)


def test_old_cards_are_marked_with_a_sign(store: Store, pid: int) -> None:
    old = store.create_card(pid, {"title": "Stale requirement", "phase": "execution"})
    store.db.write(
        lambda s: s.get(type(old), old.id).__setattr__(  # entered 20 days ago
            "entered_at", datetime(2026, 10, 31, 9, tzinfo=UTC)
        )
    )

    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        execution = board.lists()[2]
        item = execution.highlighted_item
        assert item is not None
        assert "[ ] 20d+ Stale requirement" in str(execution.render_item(item))
        fresh = board.lists()[0].highlighted_item
        assert fresh is not None and "[ ] 0d Charter" in str(board.lists()[0].render_item(fresh))
        await pilot.press("l", "l")
        await settle(pilot)
        assert "20d in column (over 14d)" in text_of(board, "#card-detail")

    run_board(store, pid, body)


def test_editor_takes_relative_dates_and_keeps_bad_input(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        card = board.selected_card()
        assert card is not None
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        due = form.query_one("#field-due_date", Input)
        due.value = "someday"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "today" in str(form.query_one("#error-due_date", Static).render())
        assert store.get_card(card.id).due_date is None  # nothing saved
        assert due.value == "someday"  # nothing lost
        due.value = "next mon"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert store.get_card(card.id).due_date == date(2026, 11, 23)
        assert "due 2026-11-23 (in 3d)" in text_of(board, "#card-detail")

    run_board(store, pid, body)


def test_escape_with_unsaved_changes_asks_before_discarding(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("escape")  # nothing changed: closes at once
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("end", *" v2")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep editing
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-title", Input).value == "Charter v2"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert store.list_cards(pid)[0].title == "Charter"

    run_board(store, pid, body)


# -- gate decisions ----------------------------------------------------------------------


def tick(
    store: Store, pid: int, phase: lifecycle.Phase, keep: frozenset[str] = frozenset()
) -> None:
    for check in store.gate_checks(pid, phase).checks:
        if check.criterion_key not in keep:
            assert check.id is not None
            store.set_gate_check(check.id, True)


def test_portfolio_go_when_the_gate_is_met(store: Store, pid: int) -> None:
    tick(store, pid, lifecycle.Phase.INITIATION)

    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        await pilot.press("L")
        await settle(pilot)
        (t,) = store.transitions(pid)
        assert (t.decision, t.approved_by) == ("go", "Ana")
        assert store.get_project(pid).phase == "planning"

    run_board(store, pid, body, portfolio=True)


def test_portfolio_conditions_need_owners_and_due_dates(store: Store, pid: int) -> None:
    keep = frozenset({"stakeholder_register_made", "top_risks_logged"})
    tick(store, pid, lifecycle.Phase.INITIATION, keep)

    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        await pilot.press("L")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TransitionScreen)
        await pilot.press(*"bob", "tab", *"+1w", "tab", "tab", "tab")  # second row left empty
        await pilot.press(*"Sponsor accepts")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TransitionScreen)  # refused, nothing lost
        assert "owner is required" in str(dialog.query_one("#error-2", Static).render())
        dialog.query_one("#owner-2", Input).value = "carmen"
        dialog.query_one("#due-2", Input).value = "fri"
        dialog.query_one("#transition-approver", Input).value = "Steering committee"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        (t,) = store.transitions(pid)
        assert (t.decision, t.approved_by) == ("go_with_conditions", "Steering committee")
        cards = [c for c in store.list_cards(pid) if c.tags == "condition"]
        assert {(c.assignee, c.due_date, c.phase) for c in cards} == {
            ("bob", TODAY + timedelta(weeks=1), "planning"),
            ("carmen", TODAY, "planning"),
        }

    run_board(store, pid, body, portfolio=True)


def test_portfolio_mandatory_criterion_cannot_be_overridden(store: Store, pid: int) -> None:
    tick(store, pid, lifecycle.Phase.INITIATION, frozenset({"business_case_approved"}))

    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        await pilot.press("L")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TransitionScreen)
        assert "MANDATORY: Business case approved" in str(
            dialog.query_one(".mandatory", Static).render()
        )
        assert not dialog.query("#proceed") and not dialog.query("#transition-reason")
        await pilot.press("ctrl+s")  # no way through
        await settle(pilot)
        assert isinstance(app.screen, TransitionScreen)
        assert dialog.query_one("#cancel", Button) is app.focused
        await pilot.press("escape")
        await settle(pilot)
        assert store.get_project(pid).phase == "initiation" and not store.transitions(pid)

    run_board(store, pid, body, portfolio=True)


def test_portfolio_recycle_asks_for_a_reason(store: Store, pid: int) -> None:
    tick(store, pid, lifecycle.Phase.INITIATION)
    store.transition_project(pid, "planning")

    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        await pilot.press("l", "H")
        await settle(pilot)
        assert isinstance(app.screen, TransitionScreen)
        await pilot.press(*"Scope reopened", "enter")
        await settle(pilot)
        t = store.transitions(pid)[-1]
        assert (t.decision, t.reason, t.approved_by) == ("recycle", "Scope reopened", "Ana")

    run_board(store, pid, body, portfolio=True)


def test_hold_is_shown_on_the_portfolio_and_resume_clears_it(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press(*"Peak freeze", "enter")
        await settle(pilot)
        assert store.get_project(pid).state == "on_hold"
        item = board.lists()[0].highlighted_item
        assert item is not None and "KEYS [G] HOLD Keys project" in str(
            board.lists()[0].render_item(item)
        )
        assert "why: Peak freeze" in text_of(board, "#card-detail")
        await pilot.press("o", *"Freeze over", "enter")
        await settle(pilot)
        assert store.get_project(pid).state == "active"
        assert [t.decision for t in store.transitions(pid)] == ["hold", "resume"]

    run_board(store, pid, body, portfolio=True)


def test_kill_makes_the_board_read_only(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        await pilot.press("X")
        await settle(pilot)
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press(*"Budget withdrawn", "enter")
        await settle(pilot)
        assert store.get_project(pid).state == "killed"
        await pilot.press("p")  # back to the project's board
        await settle(pilot)
        assert "KILLED" in text_of(board, "#board-title")
        await pilot.press("space")
        await settle(pilot)
        assert {c.status for c in store.list_cards(pid)} == {"todo"}

    run_board(store, pid, body, portfolio=True)


def test_l_on_closure_passes_the_gate_and_closes(store: Store, pid: int) -> None:
    for phase, nxt in zip(lifecycle.PHASES, lifecycle.PHASES[1:], strict=False):
        tick(store, pid, phase)
        store.transition_project(pid, nxt)
    tick(store, pid, lifecycle.Phase.CLOSURE)

    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        await pilot.press("l", "l", "l", "l", "L")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert store.get_project(pid).state == "closed"
        item = board.lists()[4].highlighted_item
        assert item is not None and "CLOSED" in str(board.lists()[4].render_item(item))

    run_board(store, pid, body, portfolio=True)


def test_archiving_a_live_project_asks_for_a_reason(store: Store, pid: int) -> None:
    async def main() -> None:
        app = EcpmApp(store, poll_interval=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ProjectsScreen)
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, ReasonScreen)
            await pilot.press(*"Merged into SHOP", "enter")
            await settle(pilot)
            assert store.get_project(pid).archived

    asyncio.run(main())


def test_projects_detail_shows_the_suggested_health_and_its_reasons(store: Store, pid: int) -> None:
    store.create_risk(pid, {"title": "Peak outage", "likelihood": 5, "impact": 5, "owner": "ann"})

    async def main() -> None:
        app = EcpmApp(store, poll_interval=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            detail = str(app.screen.query_one("#project-detail", Static).render())
            assert "Suggested health: red (differs from manual)" in detail
            assert "because 1 open Extreme threat" in detail
            await pilot.press("e")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, FormScreen)
            form.query_one("#field-name", Input).value = "Renamed"
            await pilot.press("ctrl+s")  # health unchanged: no note needed
            await settle(pilot)
            assert store.get_project(pid).name == "Renamed"

    asyncio.run(main())


def test_ctrl_z_undoes_my_last_move_and_refuses_after_someone_else(store: Store, pid: int) -> None:
    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        card = board.selected_card()
        assert card is not None
        await pilot.press("L")
        await settle(pilot)
        assert store.get_card(card.id).phase == "planning"
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert store.get_card(card.id).phase == "initiation"
        assert [c.title for c in board.lists()[0].items] == [
            "Stakeholders",
            "Top risks",
            "Charter",
        ]
        await pilot.press("h", "end", "space")  # my status change on the card...
        await settle(pilot)
        moved = board.selected_card()
        assert moved is not None
        assert moved.id == card.id and moved.status == "doing"
        Store(store.db, user="bob").cycle_card_status(moved.id)  # ...then bob's
        notices: list[str] = []
        board.notify = lambda message, **_kw: notices.append(str(message))
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert store.get_card(moved.id).status == "done"  # bob's change kept
        assert any("bob changed this item since" in n for n in notices)

    run_board(store, pid, body)


def test_s_cycles_swimlanes_with_headings_inside_each_column(store: Store, pid: int) -> None:
    store.create_card(pid, {"title": "PSP contract", "workstream": "payments", "assignee": "bob"})
    store.create_card(pid, {"title": "Hero banner", "workstream": "website", "priority": "high"})

    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        column = board.lists()[0]

        def lines() -> list[str]:
            return [str(column.render_item(item)).strip() for item in column.items]

        await pilot.press("s")
        await settle(pilot)
        assert "lanes: workstream" in text_of(board, "#board-title")
        assert [line for line in lines() if line.startswith("──")] == [
            "── Website (1)",
            "── Payments (1)",
            "── No workstream (3)",
        ]
        assert lines()[1].endswith("Hero banner")
        assert "WIP 5 ✓0/5" in text_of(board, "#head-initiation")  # headings are not cards
        await pilot.press("s")
        await settle(pilot)
        assert [line for line in lines() if line.startswith("──")] == [
            "── @bob (1)",
            "── Unassigned (4)",
        ]
        await pilot.press("s")
        await settle(pilot)
        assert lines()[0] == "── High priority (1)"
        await pilot.press("J")  # reordering is refused while grouped
        await settle(pilot)
        assert [c.title for c in store.list_cards(pid)][:2] == ["Charter", "Stakeholders"]
        await pilot.press("s")
        await settle(pilot)
        assert not [line for line in lines() if line.startswith("──")]

    run_board(store, pid, body)


def test_gate_checklist_marks_and_toggles_mandatory_criteria(store: Store, pid: int) -> None:
    from textual.widgets import OptionList

    from ecpm_tui.screens.gate import GateScreen

    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        await pilot.press("g")
        await settle(pilot)
        gate = app.screen
        assert isinstance(gate, GateScreen)
        options = gate.query_one("#gate-list", OptionList)
        lines = [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]
        assert "[ ] MANDATORY Business case approved" in lines
        assert lines[0] == "[ ] Charter with scope and SMART objectives agreed"
        await pilot.press("m")
        await settle(pilot)
        assert store.gate_checks(pid).checks[0].mandatory
        assert str(options.get_option_at_index(0).prompt).startswith("[ ] MANDATORY Charter")

    run_board(store, pid, body)


def test_new_card_in_a_full_column_asks_from_the_form(store: Store, pid: int) -> None:
    store.set_column_setting(pid, "initiation", {"wip_limit": "3"})

    async def body(app: EcpmApp, board: BoardScreen, pilot: Pilot[None]) -> None:
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press(*"Sponsor letter", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # back in the form, nothing lost, nothing saved
        await settle(pilot)
        assert app.screen is form and len(store.list_cards(pid)) == 3
        assert form.query_one("#field-title", Input).value == "Sponsor letter"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert [c.title for c in store.list_cards(pid)][-1] == "Sponsor letter"
        assert {e.action for e in store.list_events(project_id=pid)[:2]} == {
            "create",
            "wip_override",
        }
        assert "WIP 4/3!" in text_of(board, "#head-initiation")

    run_board(store, pid, body)
