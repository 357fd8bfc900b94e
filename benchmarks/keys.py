"""Per-key costs on the board, in-process: CPU and wall time from a key to a settled screen.

Each sample presses one key through ``App.run_test`` and waits until every worker the
key started has finished and the screen has refreshed. CPU time (all threads of the
process) is the steadier figure; wall time includes the pilot's idle waits.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.peer_timing import settle
from ecpm_tui import gc_policy
from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.demo import generate
from ecpm_tui.store import Store


@dataclass(frozen=True)
class KeyCost:
    """Median CPU and wall milliseconds of one measure."""

    name: str
    cpu_ms: float
    wall_ms: float


def bench_store(folder: Path, cards: int) -> tuple[Store, int]:
    """A store over a database of one project with *cards* cards (made once, then reused)."""
    path = folder / f"keys{cards}.db"
    fresh = not path.exists()
    db = open_database(DbTarget(f"sqlite:///{path}", "bench"))
    store = Store(db, user="bench")
    if fresh:
        generate(store, projects=1, cards=cards, risks=10, seed=1)
    project = store.list_projects()[0]
    assert project.id is not None
    return store, project.id


def _paused(app: EcpmApp) -> None:
    # As if the person paused between two keys: the app's idle collector runs then what
    # is due (see gc_policy). Held-down keys are collected every FORCE_AT allocations.
    app.collector.last_input = app.collector.clock() - gc_policy.QUIET_S
    app.collector.tick()


async def _timed(app: EcpmApp, act: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    _paused(app)
    cpu, wall = time.process_time(), time.perf_counter()
    await act()
    await settle(app)
    return time.process_time() - cpu, time.perf_counter() - wall


def measure_keys(store: Store, project_id: int, repeat: int = 5) -> list[KeyCost]:
    """Median costs of the board keys the issue's table lists."""

    async def run() -> list[KeyCost]:
        app = EcpmApp(store, poll_interval=0)
        app.current_project_id = project_id
        gc_policy.apply()  # as the ecpm command does before it runs the app
        out: dict[str, list[tuple[float, float]]] = {}

        def add(name: str, sample: tuple[float, float]) -> None:
            out.setdefault(name, []).append(sample)

        async with app.run_test(size=(160, 50)) as pilot:
            # The start screen loads its own data once painted: let it finish, or the
            # board's opening is charged with it.
            await settle(app)
            add("open board", await _timed(app, lambda: pilot.press("2")))
            for _ in range(repeat):
                # An unbound key: what the harness itself costs per key (subtract it).
                add("unbound key", await _timed(app, lambda: pilot.press("f12")))
                add("column l", await _timed(app, lambda: pilot.press("l")))
                add("column h", await _timed(app, lambda: pilot.press("h")))
                add("cursor j", await _timed(app, lambda: pilot.press("j")))
                add("move L", await _timed(app, lambda: pilot.press("L")))
                add("move H", await _timed(app, lambda: pilot.press("H")))
                add("status space", await _timed(app, lambda: pilot.press("space")))

                async def set_filter() -> None:
                    await pilot.press("slash", "a", "enter")

                await _timed(app, set_filter)
                add("clear filter", await _timed(app, lambda: pilot.press("escape")))
                add("portfolio on", await _timed(app, lambda: pilot.press("p")))
                add("portfolio off", await _timed(app, lambda: pilot.press("p")))
                await _timed(app, lambda: pilot.press("1"))
                add("back to board", await _timed(app, lambda: pilot.press("2")))
        return [
            KeyCost(
                name,
                statistics.median(c for c, _ in samples) * 1000,
                statistics.median(w for _, w in samples) * 1000,
            )
            for name, samples in out.items()
        ]

    gc.collect()
    return asyncio.run(run())


def main() -> None:
    """Print the key costs at the sizes given on the command line (default 1000)."""
    import sys

    folder = Path("/tmp/ecpm-bench")
    folder.mkdir(exist_ok=True)
    for n in [int(a) for a in sys.argv[1:]] or [1000]:
        store, pid = bench_store(folder, n)
        for cost in measure_keys(store, pid):
            print(f"{n:>6} {cost.name:<14} cpu {cost.cpu_ms:8.1f} ms  wall {cost.wall_ms:8.1f} ms")
        store.db.close()


if __name__ == "__main__":
    main()
