"""Issue 10: every screen and dialog drawn at 80x24 and at 120x35 from a fixed demo database.

Regenerate with ``.venv/bin/pytest tests/test_issue10_snapshots.py --snapshot-update`` in
the change that alters a screen's look, and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from test_snapshots import FIXED_TODAY, pptf_screen, settled

from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.demo import generate
from ecpm_tui.store import Store

SIZES = [(80, 24), (120, 35)]
SIZE_IDS = ["80x24", "120x35"]


@pytest.fixture
def fixed_app(tmp_path: Path) -> Iterator[EcpmApp]:
    """The snapshot demo database, with every audit event at one fixed time (the demo
    stamps them with the clock, which the Activity screen shows)."""
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'snap.db'}", "test"))
    store = Store(db, user="alice", today=lambda: FIXED_TODAY)
    generate(store, projects=3, cards=30, risks=12, seed=11)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE auditevent SET at = :at"), {"at": datetime(2026, 11, 2, 9)})
    yield EcpmApp(store, poll_interval=0)
    db.close()


SCREENS: list[tuple[str, tuple[str, ...]]] = [
    ("projects", ()),
    ("board", ("2",)),
    ("board_portfolio", ("2", "p")),
    ("pptf", ("3",)),
    ("pptf_compare", ("3", "t")),
    ("risks", ("4",)),
    ("activity", ("5",)),
    ("help", ("2", "question_mark")),
    ("project_form", ("n",)),
    ("card_editor", ("2", "e")),
    ("confirm_delete", ("2", "d")),
    ("gate", ("2", "g")),
    # The mandatory criterion (third) ticked first, so the dialog offers go with conditions.
    ("transition", ("2", "p", "g", "down", "down", "space", "escape", "L")),
    ("risk_form", ("4", "n")),
    ("risk_template", ("4", "t")),
    ("risk_close", ("4", "d")),
    ("pptf_start", ("3", "n")),
    ("wip_limits", ("2", "w")),
    ("block_reason", ("2", "b")),
    ("report_preview", ("r",)),
    ("charts", ("c",)),
]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize(("name", "keys"), SCREENS, ids=[name for name, _ in SCREENS])
def test_screen_at_both_sizes(
    snap_compare: Any, fixed_app: EcpmApp, name: str, keys: tuple[str, ...], size: tuple[int, int]
) -> None:
    assert snap_compare(fixed_app, terminal_size=size, run_before=settled(*keys))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("kind", ["wizard", "summary"])
def test_pptf_pages_at_both_sizes(
    snap_compare: Any, fixed_app: EcpmApp, kind: str, size: tuple[int, int]
) -> None:
    assert snap_compare(fixed_app, terminal_size=size, run_before=pptf_screen(kind, "IT"))
