"""How long an import of 10,000 cards holds the write lock (issue 11: under one second).

The file is validated and built before the lock; this times only the write
transaction, from ``BEGIN IMMEDIATE`` to ``COMMIT``, on a throwaway SQLite database.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.demo import generate
from ecpm_tui.exchange import export_data, import_data
from ecpm_tui.store import Store

CARDS = 10_000
LIMIT_SECONDS = 1.0


def import_lock_times(folder: Path, cards: int = CARDS) -> tuple[float, float]:
    """(seconds the whole import took, seconds its write transaction held the lock)."""
    source = Store(open_database(DbTarget(f"sqlite:///{folder / 'import-src.db'}", "bench")))
    generate(source, projects=1, cards=cards, risks=10, seed=1)
    data = json.loads(json.dumps(export_data(source)))
    source.db.close()
    db = open_database(DbTarget(f"sqlite:///{folder / 'import-dst.db'}", "bench"))
    target = Store(db, user="bench")
    held: list[float] = []
    started: dict[int, float] = {}

    @event.listens_for(db.engine, "begin")
    def _begin(conn: Any) -> None:
        # Registered after ecpm's own listener, so BEGIN IMMEDIATE has the lock by now.
        if conn.get_execution_options().get("ecpm_write", True):
            started[id(conn)] = time.perf_counter()

    @event.listens_for(db.engine, "commit")
    def _commit(conn: Any) -> None:
        if id(conn) in started:
            held.append(time.perf_counter() - started.pop(id(conn)))

    start = time.perf_counter()
    import_data(target, data)
    total = time.perf_counter() - start
    db.close()
    return total, max(held)
