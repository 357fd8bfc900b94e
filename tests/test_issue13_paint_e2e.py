"""Issue 13 end to end: a board that repainted only what changed shows, in a real
terminal, exactly what a board started afresh shows.

The board repaints single lines (cursor moves), parts of columns (a card moved in or
out) and heads, and draws lines from a cache. A line left unpainted would stay wrong on
the terminal while every in-process check passes, so this test reads the terminal
itself (tmux): after keys and another user's changes, the screen of the running app must
equal the screen of a new one on the same database, but for the selection marks.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from e2e_tmux import TmuxSession, make_demo_db, terminal_env

from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.store import Store

ECPM = str(Path(sys.executable).parent / "ecpm")

pytestmark = pytest.mark.e2e


def steady(tmux: TmuxSession, timeout: float = 20) -> str:
    """The screen once it has not changed for half a second."""
    deadline = time.monotonic() + timeout
    last = tmux.capture()
    since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = tmux.capture()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= 0.5:
            return now
    raise AssertionError(f"the screen kept changing for {timeout}s:\n{last}")


def columns_part(screen: str) -> list[str]:
    """The board's lines from the title to the columns' last line (the detail lines and
    the footer below depend on the selection)."""
    lines = screen.splitlines()
    return lines[1:-4]


def test_patched_board_equals_a_fresh_board_on_the_terminal(tmp_path: Path) -> None:
    db = make_demo_db(tmp_path / "paint.db", 1, 40, 2)
    with TmuxSession() as tmux:
        tmux.start([ECPM, "--db", str(db), "--no-mouse"], env=terminal_env())
        tmux.wait_for("Projects")
        tmux.send_keys("2")
        tmux.wait_for("M&C W")
        steady(tmux)
        for keys in (
            ["j", "j", "j"],
            ["L"],
            ["Space"],
            ["l", "j"],
            ["p"],
            ["p"],
            ["H"],
            ["k", "K"],
            ["h", "J"],
        ):
            tmux.send_keys(*keys)
            steady(tmux)
        tmux.send_keys("/")
        tmux.send_keys("a", literal=True)
        tmux.send_keys("Enter")
        steady(tmux)
        tmux.send_keys("Escape")
        steady(tmux)
        # Another user changes three cards; the app sees it by itself (change poll).
        other = Store(open_database(DbTarget(f"sqlite:///{db}", "test")), user="bob")
        project = other.list_projects()[0]
        assert project.id is not None
        cards = other.list_cards(project.id)
        other.update_card(cards[0].id, cards[0].version, {"title": "Renamed by bob"})
        other.move_card(cards[1].id, "closure", force=True)
        other.delete_card(cards[2].id, cards[2].version)
        other.db.close()
        tmux.wait_for("Renamed by bob")
        patched = columns_part(steady(tmux))

    with TmuxSession() as tmux:
        tmux.start([ECPM, "--db", str(db), "--no-mouse"], env=terminal_env())
        tmux.wait_for("Projects")
        tmux.send_keys("2")
        tmux.wait_for("M&C W")
        fresh = columns_part(steady(tmux))
    assert patched == fresh, "\n".join(
        f"{a!r}\n{b!r}" for a, b in zip(patched, fresh, strict=True) if a != b
    )
