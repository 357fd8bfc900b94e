"""End to end: the installed ``ecpm`` in a real terminal (tmux), driven by keys."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from e2e_tmux import TmuxSession, make_demo_db, terminal_env

ECPM = str(Path(sys.executable).parent / "ecpm")

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    return make_demo_db(tmp_path / "e2e.db", 3, 20, 8)


def test_keyboard_tour_of_the_real_app(demo_db: Path) -> None:
    with TmuxSession() as tmux:
        tmux.start([ECPM, "--db", str(demo_db), "--no-mouse"], env=terminal_env())
        screen = tmux.wait_for("Storefront replatforming")
        assert "B2BX" in screen and "Planning" in screen

        tmux.send_keys("2")
        tmux.wait_for("M&C W")  # the board heads abbreviate Monitoring & Control
        tmux.send_keys("4")
        tmux.wait_for("Likelihood")
        tmux.send_keys("3")
        tmux.wait_for("PPTF interviews")
        tmux.send_keys("5")
        tmux.wait_for("When (UTC)")

        tmux.send_keys("1", "n")
        tmux.wait_for("New project")
        tmux.send_keys("E2E", literal=True)
        tmux.wait_for("E2E")
        tmux.send_keys("Tab")
        tmux.send_keys("[/] Typed in tmux", literal=True)
        tmux.wait_for("Typed in tmux")
        tmux.send_keys("C-s")
        tmux.wait_for("Saved project E2E")

        tmux.send_keys("q")
        tmux.wait_for_exit()

    assert project_name(demo_db, "E2E") == "[/] Typed in tmux"


def project_name(db: Path, key: str) -> str | None:
    """The saved name of project *key*, read from the file (None if there is none)."""
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT name FROM project WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def test_keys_sent_in_one_burst_all_land_where_they_were_typed(demo_db: Path) -> None:
    """One write to the terminal, as a fast typist over a slow SSH link sends it: the
    form's key, tab, its name, ctrl+u and a new name, then ctrl+s. Bound keys (tab,
    ctrl+u) used to act after the text typed behind them had already gone in."""
    with TmuxSession() as tmux:
        tmux.start([ECPM, "--db", str(demo_db), "--no-mouse"], env=terminal_env())
        tmux.wait_for("Storefront replatforming")
        tmux.send_keys("n", "BURST", "Tab", "Web shop", "C-u", "Web store", "C-s")
        tmux.wait_for("Saved project BURST")
        tmux.send_keys("q")
        tmux.wait_for_exit()

    assert project_name(demo_db, "BURST") == "Web store"
