"""kanban-tui's SQLite database (github.com/Zaloog/kanban-tui, ``kanban_tui.db``).

Read through a read-only ``file:...?mode=ro`` URI: importing never changes the other
tool's data, even by a journal file. Its schema (``backends/sqlite/database.py`` and
its migrations): ``boards`` (with the ids of their reset/start/finish columns),
``columns`` (``visible``, ``position``), ``tasks`` (``column``, ``category``,
``start_date``, ``finish_date``, ``due_date``, ``position`` since schema v4),
``categories`` and ``dependencies`` (schema v2+). Each board becomes a project; hidden
columns (its default ``Archive``) are left out unless ``--map`` names them.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ecpm_tui.errors import ValidationError
from ecpm_tui.importers.common import (
    DraftCard,
    DraftProject,
    PhaseMap,
    parse_day,
    tag,
    title_and_rest,
)
from ecpm_tui.text import clean

NOUN = "column"

_NEEDED: Mapping[str, set[str]] = {
    "boards": {"board_id", "name", "start_column", "finish_column"},
    "columns": {"column_id", "name", "visible", "position", "board_id"},
    "tasks": {"task_id", "title", "column", "description", "start_date", "finish_date"},
}


def read(path: Path, phases: PhaseMap) -> list[DraftProject]:
    """Every board of a kanban-tui database as a draft project."""
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise ValidationError(f"No such file: {path}") from exc
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror}.") from exc
    if not stat.S_ISREG(st.st_mode):
        raise ValidationError(f"Cannot read {path}: it is not a regular file.")
    if not os.access(path, os.R_OK):
        raise ValidationError(f"Cannot read {path}: permission denied.")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True, timeout=5)
    except sqlite3.Error as exc:
        raise ValidationError(f"Cannot open {path} as a SQLite database: {exc}.") from exc
    try:
        con.row_factory = sqlite3.Row
        tables = _tables(con, path)
        return [
            _board(con, tables, b, phases)
            for b in con.execute("SELECT * FROM boards ORDER BY board_id").fetchall()
        ]
    except sqlite3.Error as exc:
        raise ValidationError(f"{path} is not a readable kanban-tui database: {exc}.") from exc
    finally:
        con.close()


def _tables(con: sqlite3.Connection, path: Path) -> dict[str, set[str]]:
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise ValidationError(f"{path} is not a SQLite database ({exc}).") from exc
    # Only our own constant table names reach the PRAGMA, never a name from the file.
    wanted = [t for t in (*_NEEDED, "categories", "dependencies") if t in names]
    found = {t: {r[1] for r in con.execute(f"PRAGMA table_info({t})")} for t in wanted}
    for table, cols in _NEEDED.items():
        if table not in found or not cols <= found[table]:
            raise ValidationError(
                f"{path} is not a kanban-tui database (no {table!r} table with "
                f"{', '.join(sorted(cols))})."
            )
    return found


def _board(
    con: sqlite3.Connection, tables: Mapping[str, set[str]], board: sqlite3.Row, phases: PhaseMap
) -> DraftProject:
    name = str(board["name"] or "kanban-tui board")
    draft = DraftProject(source=f"kanban-tui board {clean(name, 100)!r}", name=name)
    columns = con.execute(
        "SELECT column_id, name, visible FROM columns WHERE board_id = ? ORDER BY position",
        (board["board_id"],),
    ).fetchall()
    # Hidden columns (kanban-tui's Archive) hold put-away tasks: only an explicit map brings
    # them in.
    kept = {
        c["column_id"]: str(c["name"]) for c in columns if c["visible"] or phases.names(c["name"])
    }
    draft.columns = [str(c["name"]) for c in columns]
    categories: dict[Any, str] = {}
    if "categories" in tables:
        categories = {
            r[0]: str(r[1]) for r in con.execute("SELECT category_id, name FROM categories")
        }
    has = tables["tasks"]
    order = "c.position, t.position, t.task_id" if "position" in has else "c.position, t.task_id"
    tasks = con.execute(
        "SELECT t.* FROM tasks t JOIN columns c ON c.column_id = t.column "
        f"WHERE c.board_id = ? ORDER BY {order}",
        (board["board_id"],),
    ).fetchall()
    finished = {
        t["task_id"]
        for t in tasks
        if t["finish_date"] is not None or t["column"] == board["finish_column"]
    }
    titles = {t["task_id"]: str(t["title"]) for t in tasks}
    waits: dict[Any, list[Any]] = {}
    if "dependencies" in tables:
        for task_id, dep in con.execute("SELECT task_id, depends_on_task_id FROM dependencies"):
            waits.setdefault(task_id, []).append(dep)
    for t in tasks:
        if t["column"] not in kept:
            draft.skipped += 1
            continue
        draft.cards.append(_card(t, kept[t["column"]], board, categories, finished, waits, titles))
    return draft


def _card(
    t: sqlite3.Row,
    column: str,
    board: sqlite3.Row,
    categories: Mapping[Any, str],
    finished: set[Any],
    waits: Mapping[Any, list[Any]],
    titles: Mapping[Any, str],
) -> DraftCard:
    where = f"kanban-tui task {clean(t['title'], 60)!r}"
    title, description = title_and_rest(str(t["title"] or ""), str(t["description"] or ""))
    keys = t.keys()
    values: dict[str, Any] = {
        "title": title,
        "description": description,
        "tags": tag(categories.get(t["category"], "")) if "category" in keys else "",
        "due_date": parse_day(_iso(t["due_date"]), where, "due date")
        if "due_date" in keys
        else None,
    }
    status: str | None = None
    if t["task_id"] in finished:
        status = "done"
    else:
        open_deps = [
            titles.get(d, f"task {d}") for d in waits.get(t["task_id"], []) if d not in finished
        ]
        if open_deps:
            status = "blocked"
            values["blocked_reason"] = "Waiting for: " + ", ".join(open_deps)
        elif t["start_date"] is not None or t["column"] == board["start_column"]:
            status = "doing"
    return DraftCard(where, column, values, status=status)


def _iso(value: Any) -> Any:
    # kanban-tui stores datetimes as ISO text; a number or other type is passed on so that
    # parse_day names it as not a date.
    return value if value is None or isinstance(value, str) else str(value)
