"""End to end: a PPTF interview in the installed ``ecpm`` survives a killed terminal."""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

import pytest
from e2e_tmux import TmuxSession, make_demo_db, terminal_env

ECPM = str(Path(sys.executable).parent / "ecpm")

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    return make_demo_db(tmp_path / "pptf-e2e.db", 1, 5, 2)


def saved_answers(db: Path, team: str) -> dict[str, tuple[int | None, int, int]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            'SELECT question_key, rating, na, "unknown" FROM answer JOIN assessment'
            " ON assessment.id = answer.assessment_id WHERE assessment.department = ?",
            (team,),
        ).fetchall()
    return {key: (rating, na, unknown) for key, rating, na, unknown in rows}


def wait_for_answers(db: Path, team: str, count: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(saved_answers(db, team)) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"only {saved_answers(db, team)} saved")


def test_interview_survives_a_killed_terminal_and_resumes(demo_db: Path) -> None:
    team = "E2E Warehouse"
    with TmuxSession() as tmux:
        tmux.start([ECPM, "--db", str(demo_db), "--no-mouse"], env=terminal_env())
        tmux.wait_for("Storefront replatforming")
        tmux.send_keys("3")
        tmux.wait_for("PPTF interviews")
        tmux.send_keys("n")
        tmux.wait_for("Start a PPTF interview")
        time.sleep(0.3)
        tmux.send_keys(team, literal=True)
        tmux.wait_for(team)
        tmux.send_keys("C-s")
        tmux.wait_for("G1 · 1/34")
        tmux.send_keys("2")
        tmux.wait_for("P1 · 2/34")
        tmux.send_keys("u")
        tmux.wait_for("P2 · 3/34")
        tmux.send_keys("Tab")
        tmux.send_keys("only 2 leads", literal=True)
        tmux.wait_for("only 2 leads")
        tmux.send_keys("Escape")
        time.sleep(0.3)
        tmux.send_keys("1")
        tmux.wait_for("P3 · 4/34")
        wait_for_answers(demo_db, team, 3)
        # The terminal goes away mid-interview: no quit, no finish.
        tmux.kill()

    assert saved_answers(demo_db, team) == {
        "G1": (2, 0, 0),
        "P1": (None, 0, 1),
        "P2": (1, 0, 0),
    }
    with TmuxSession() as tmux:
        tmux.start([ECPM, "--db", str(demo_db), "--no-mouse"], env=terminal_env())
        tmux.wait_for("Storefront replatforming")
        tmux.send_keys("3")
        screen = tmux.wait_for(team)
        assert "3/34" in screen
        tmux.send_keys("Enter")  # the newest interview is on the first row
        screen = tmux.wait_for("P3 · 4/34")  # the first unanswered question
        assert "3 of 34 answered" in screen
        tmux.send_keys("Left")
        screen = tmux.wait_for("P2 · 3/34")
        assert "Answer: 1 Partly / ad hoc" in screen and "only 2 leads" in screen
        tmux.send_keys("Escape")
        tmux.wait_for("PPTF interviews")
        tmux.send_keys("q")
        tmux.wait_for_exit()
