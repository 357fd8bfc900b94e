"""Snapshot tests: each screen drawn from a fixed demo database at 120x35.

Regenerate with ``.venv/bin/pytest tests/test_snapshots.py --snapshot-update`` in the
same commit that changes a screen's look or bumps Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.demo import generate
from ecpm_tui.store import Store

SIZE = (120, 35)
FIXED_TODAY = date(2026, 11, 2)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[EcpmApp]:
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'snap.db'}", "test"))
    store = Store(db, user="alice", today=lambda: FIXED_TODAY)
    generate(store, projects=3, cards=30, risks=12, seed=11)
    yield EcpmApp(store, poll_interval=0)
    db.close()


async def first_screen_loaded(pilot: Pilot[Any]) -> None:
    """Wait (up to 10 s) until the first screen's list is in: on a loaded machine a key
    such as `c` (charts of the selected project) can come before it, and do nothing."""
    from textual.widgets import DataTable

    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        tables = pilot.app.screen.query(DataTable)
        if not tables or tables.first().row_count:
            return
        await pilot.pause(0.05)


def settled(*keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        pilot.app.sub_title = "snapshot.db"  # the real path differs per run
        await first_screen_loaded(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await steady_cursors(pilot)

    return run_before


async def steady_cursors(pilot: Pilot[Any]) -> None:
    """Stop text cursors blinking (shown steadily): on a loaded machine the picture could
    otherwise be taken in the blink's off half."""
    from textual.widgets import Input

    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("projects", ()),
        ("board", ("2",)),
        ("board_portfolio", ("2", "p")),
        ("pptf", ("3",)),
        ("risks", ("4",)),
        ("help", ("2", "question_mark")),
        ("new_project_form", ("n",)),
    ],
)
def test_screen_snapshot(snap_compare: Any, app: EcpmApp, name: str, keys: tuple[str, ...]) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=settled(*keys))


@pytest.mark.parametrize("size", [(120, 35), (80, 24)], ids=["120x35", "80x24"])
def test_risk_matrix_snapshot(snap_compare: Any, app: EcpmApp, size: tuple[int, int]) -> None:
    """Issue 8: the matrix with demo data, cursor on L3 x I3 (two risks), at both sizes."""
    assert snap_compare(app, terminal_size=size, run_before=settled("4", "j", "j", "h", "h"))


# -- PPTF: a question page (en, es) and the summary, at 120x35 and 80x24 ---------------------


def pptf_screen(kind: str, department: str) -> Callable[[Pilot[Any]], Any]:
    """Open the wizard or summary of the demo's first project's interview of *department*."""

    async def run_before(pilot: Pilot[Any]) -> None:
        from ecpm_tui.screens.pptf_summary import SummaryScreen
        from ecpm_tui.screens.pptf_wizard import WizardScreen

        app = pilot.app
        app.sub_title = "snapshot.db"
        await pilot.press("3")
        await app.workers.wait_for_complete()
        store = app.store
        first = min(p.id for p in store.list_projects())
        (row,) = [r for r in store.list_interviews(first) if r.assessment.department == department]
        screen = WizardScreen if kind == "wizard" else SummaryScreen
        app.push_screen(screen(row.assessment.id))
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        await steady_cursors(pilot)

    return run_before


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("question_en", (120, 35)),
        ("question_es", (120, 35)),
        ("question_es", (80, 24)),
        ("summary", (120, 35)),
        ("summary", (80, 24)),
    ],
)
def test_pptf_snapshot(snap_compare: Any, app: EcpmApp, name: str, size: tuple[int, int]) -> None:
    # The demo's completed interview (IT) is in English and fully answered: its wizard
    # opens on G1; the one in progress (Logistics) is in Spanish.
    kind, department = {
        "question_en": ("wizard", "IT"),
        "question_es": ("wizard", "Logistics"),
        "summary": ("summary", "IT"),
    }[name]
    assert snap_compare(app, terminal_size=size, run_before=pptf_screen(kind, department))


@pytest.mark.parametrize(
    ("name", "keys", "size"),
    [
        ("board_small", ("2",), (80, 24)),
        ("board_portfolio_small", ("2", "p"), (80, 24)),
        ("board_swimlanes", ("2", "s"), SIZE),
        ("board_swimlanes_small", ("2", "s"), (80, 24)),
    ],
)
def test_board_snapshot(
    snap_compare: Any, app: EcpmApp, name: str, keys: tuple[str, ...], size: tuple[int, int]
) -> None:
    """The board at both supported sizes, in project and portfolio scope and with lanes."""
    assert snap_compare(app, terminal_size=size, run_before=settled(*keys))


# -- Issue 12: the charts of the first project at 80x24, with some history ------------------


def chart_history(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Card moves, a new card, a deletion and risk changes on fixed days before today."""
    from datetime import UTC, datetime, time, timedelta

    clock = {"now": datetime.combine(FIXED_TODAY, time(9), tzinfo=UTC)}
    monkeypatch.setattr("ecpm_tui.store.base.utcnow", lambda: clock["now"])

    def days_ago(n: int) -> None:
        clock["now"] = datetime.combine(FIXED_TODAY - timedelta(days=n), time(9), tzinfo=UTC)

    pid = store.project_summaries()[0].project.id
    assert pid is not None
    cards = store.list_cards(pid)
    planned = [c for c in cards if c.phase == "planning"][:6]
    executing = [c for c in cards if c.phase == "execution"][:2]
    days_ago(45)
    new = [store.create_card(pid, {"title": f"Peak readiness {n}"}) for n in range(4)]
    days_ago(40)
    threat = store.create_risk(
        pid, {"title": "Carrier strike", "likelihood": 4, "impact": 4, "owner": "dana"}
    )
    for n, card in zip((60, 50, 40, 30, 20, 10), planned, strict=True):
        days_ago(n)
        store.move_card(card.id, "execution", force=True)
    for n, card in zip((25, 12), executing, strict=True):
        days_ago(n)
        store.move_card(card.id, "monitoring", force=True)
    days_ago(15)
    store.update_risk(
        threat.id,
        None,
        {"response": "mitigate", "residual_likelihood": 2, "residual_impact": 3},
    )
    days_ago(5)
    for card in new[:2]:
        store.delete_card(card.id, None)
    store.close_risk(threat.id, None, "Second carrier signed")


@pytest.mark.parametrize(("name", "keys"), [("flow", ("c",)), ("exposure", ("c", "c")),
                                             ("readiness", ("c", "c", "c"))])  # fmt: skip
def test_charts_snapshot(
    snap_compare: Any,
    app: EcpmApp,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    keys: tuple[str, ...],
) -> None:
    """Issue 12: `c` on Projects, then `c` to the next chart; readable at 80x24."""
    chart_history(app.store, monkeypatch)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled(*keys))
