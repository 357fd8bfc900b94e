"""kanban-tui's side of the comparison: run under ``.venv-peer/bin/python`` only.

Imports nothing of ecpm (kanban-tui's venv does not have it): only kanban_tui, Textual
and the standard library, plus the sibling ``peer_timing`` module. Prints one JSON line.

``python benchmarks/peer_kanban.py --cards 1000 --folder /tmp/x [--limit 120]``

Every path kanban-tui uses (its config file, data folder, XDG homes, HOME) is redirected
into *folder* before kanban_tui is imported, so nothing touches the real home.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from peer_timing import board_and_j


def redirect(folder: Path) -> tuple[Path, Path]:
    """Point kanban-tui's config and data at *folder*; the config and database paths."""
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[name] = str(folder / name.lower())
    os.environ["HOME"] = str(folder / "home")
    config = folder / "config.toml"
    os.environ["KANBAN_TUI_CONFIG_FILE"] = str(config)
    return config, folder / "kanban_tui.db"


def make_board(config: Path, database: Path, cards: int) -> int:
    """A kanban-tui database with one board and *cards* tasks spread evenly over its
    visible columns; returns how many tasks kanban-tui's own read gives back.

    The schema, board and columns come from kanban-tui's own code; the tasks are inserted
    with the same columns and values its ``create_new_task_db`` writes (title, column,
    description, creation date, empty metadata, next position in the column), in one
    transaction instead of one connection and commit per task, so 50,000 can be made."""
    from kanban_tui.app import KanbanTui
    from kanban_tui.backends.sqlite.database import create_new_board_db

    app = KanbanTui(config_path=str(config), database_path=str(database))  # creates the schema
    board = create_new_board_db(name="Bench", icon=":sparkles:", database=str(database))
    app.config.set_active_board(board.board_id)
    columns = [c for c in app.backend.get_columns(board.board_id) if c.visible]
    now = datetime.datetime.now().replace(microsecond=0)
    rows = []
    for i in range(cards):
        column = columns[i % len(columns)]
        rows.append(
            {
                "title": f"Card {i + 1} of the bench board",
                "column": column.column_id,
                "category": None,
                "description": f"Description of card {i + 1}.",
                "creation_date": now,
                "metadata": "{}",
                "position": i // len(columns),
            }
        )
    con = sqlite3.connect(database)
    with con:
        con.executemany(
            "INSERT INTO tasks (title, column, category, description, creation_date, "
            "metadata, position) VALUES (:title, :column, :category, :description, "
            ":creation_date, :metadata, :position)",
            rows,
        )
    con.close()
    return len(KanbanTui(str(config), str(database)).backend.get_tasks_on_active_board())


def measure(config: Path, database: Path, cards: int, limit: float, repeat: int) -> dict[str, Any]:
    """Board ready (every card's widget mounted and one focused) and ``j``."""
    from kanban_tui.app import KanbanTui
    from kanban_tui.widgets.task_card import TaskCard

    def ready(app: Any) -> bool:
        # The focus comes last (populate_board ends with get_first_card): checked first,
        # so the card widgets are only counted near the end.
        return isinstance(app.focused, TaskCard) and len(app.screen.query(TaskCard)) == cards

    def moved(app: Any) -> bool:
        return isinstance(app.focused, TaskCard) and app.focused.row == repeat

    return asyncio.run(
        board_and_j(
            lambda: KanbanTui(config_path=str(config), database_path=str(database)),
            ready,
            moved,
            limit,
            repeat,
        )
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--limit", type=float, default=600.0, help="seconds to board ready")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    config, database = redirect(args.folder)
    from importlib.metadata import version

    made = make_board(config, database, args.cards)
    if made != args.cards:
        raise SystemExit(f"kanban-tui reads {made} tasks back, {args.cards} were written")
    result = measure(config, database, args.cards, args.limit, args.repeat)
    result.update(cards=args.cards, version=version("kanban-tui"))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
