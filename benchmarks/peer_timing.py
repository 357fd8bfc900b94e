"""Timing helpers shared by both sides of the kanban-tui comparison.

Only the standard library and Textual: this module is imported by ``peer_kanban.py``
under kanban-tui's own virtual environment as well as by ``peer.py`` under ecpm's.
``settle`` (every worker finished and the screen refreshed, three times over) is also
how ``benchmarks/keys.py`` waits after each of ecpm's keys. ``timed`` then waits for the
end of the key's work (``quiet``); CPU time is the whole process's (all threads). Keys
are sent with ``press``, not ``Pilot.press``: see there.
"""

from __future__ import annotations

import asyncio
import gc
import resource
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.pilot import Pilot

# How often a readiness check looks again. Short against the seconds measured, long
# enough that the polling itself costs next to no CPU.
POLL_SECONDS = 0.01
SIZE = (160, 50)


async def settle(app: App[Any]) -> None:
    """Wait until every worker and animation has finished and the screen has refreshed."""
    pilot: Pilot[Any] = Pilot(app)
    for _ in range(3):
        await app.workers.wait_for_complete()
        await app.animator.wait_until_complete()
        await pilot.pause(0)
    await app.workers.wait_for_complete()


# The process counts as quiet after QUIET_STEPS sleeps of QUIET_STEP seconds in a row
# that each used under BUSY_CPU seconds of CPU: 50 ms, three frames at 60 per second.
# Under 1 ms is idle, as in Textual's own idle test: an app's periodic timers (ecpm's
# 0.25 s tick: about 0.3 ms) are not the key's work, and at 0.25 ms they read as busy
# and stretched a 16 ms key to 40-80 ms of wall time now and then.
QUIET_STEP = 0.005
QUIET_STEPS = 10
BUSY_CPU = 0.001


async def quiet() -> tuple[float, float]:
    """Wait until the process is quiet; the CPU and wall clocks where it last worked.

    Work a key leaves behind on timers (kanban-tui keeps going for 0.4-1.2 s after its
    ``j`` has settled) counts; the quiet steps that prove it ended do not.
    """
    cpu_end, wall_end = time.process_time(), time.perf_counter()
    idle = 0
    while idle < QUIET_STEPS:
        cpu = time.process_time()
        await asyncio.sleep(QUIET_STEP)
        if time.process_time() - cpu < BUSY_CPU:
            idle += 1
        else:
            idle = 0
            cpu_end, wall_end = time.process_time(), time.perf_counter()
    return cpu_end, wall_end


async def timed(app: App[Any], act: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """CPU and wall seconds from *act* to a settled screen and the end of the work."""
    cpu, wall = time.process_time(), time.perf_counter()
    await act()
    await settle(app)
    cpu_end, wall_end = await quiet()
    return cpu_end - cpu, wall_end - wall


async def press(app: App[Any], key: str) -> None:
    """Send *key* to *app* as its terminal driver does (a Key event to the app), without
    waiting: ``timed`` waits for the settled screen.

    Not ``Pilot.press``: after each key it waits for the process to look idle by sleeping
    in 20 ms steps until one step used under 1 ms of CPU, and the time of those steps
    was measured too: at least 60-80 ms of wall time per key, most of it the harness
    asleep (an unbound key: 70 ms wall for 11 ms CPU), a floor under both apps that hid
    the difference between them. ``quiet`` waits in 5 ms steps and stops the clocks
    where the last work ended.
    """
    app.post_message(events.Key(key, key if len(key) == 1 else None).set_sender(app))


async def wait_ready(app: App[Any], ready: Callable[[], bool], limit: float) -> None:
    """Poll *ready* until it holds (then settle), or raise TimeoutError after *limit* s.

    A plain sleep between looks, not ``Pilot.pause``: a pause posts a callback to every
    widget on the screen, which at thousands of widgets would itself cost more than the
    app being measured."""
    end = time.perf_counter() + limit
    while not ready():
        if time.perf_counter() > end:
            raise TimeoutError(f"not ready within {limit:g} s")
        await asyncio.sleep(POLL_SECONDS)
    await settle(app)


async def drive(app: App[Any], script: Callable[[Pilot[Any]], Awaitable[None]]) -> None:
    """Run *app* headless at 160x50 and drive it with *script*, then exit.

    ``App.run_async`` with an auto-pilot rather than ``App.run_test``: ``run_test`` waits
    for the first screen's widgets with a fixed 30 s limit and raises past it, which
    kanban-tui's board at 1,000 cards can exceed on a loaded machine (that time is what
    is being measured). Both apps run through this same function."""

    async def run(pilot: Pilot[Any]) -> None:
        try:
            await script(pilot)
        finally:
            app.exit()

    await app.run_async(headless=True, size=SIZE, auto_pilot=run)


def median_pair(samples: list[tuple[float, float]]) -> dict[str, float]:
    """Median CPU and wall milliseconds of (cpu s, wall s) samples."""
    return {
        "cpu_ms": statistics.median(c for c, _ in samples) * 1000,
        "wall_ms": statistics.median(w for _, w in samples) * 1000,
    }


async def board_and_j(
    make_app: Callable[[], App[Any]],
    ready: Callable[[App[Any]], bool],
    moved: Callable[[App[Any]], bool],
    limit: float,
    repeat: int = 5,
) -> dict[str, Any]:
    """Both measures of one app, the same for both sides of the comparison.

    Board ready: from just before *make_app* (imports done) until *ready* holds, the
    screen has settled and the work has ended (``quiet``). Then *repeat* rounds of an
    unbound key (``f12``: the harness's own cost) and ``j``, each key to a settled screen
    and the end of its work (``timed``); *moved* checks ``j`` went down
    *repeat* rows. Past *limit* seconds without a board, the result is an error."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    app = make_app()
    out: dict[str, Any] = {}

    async def script(pilot: Pilot[Any]) -> None:
        try:
            await wait_ready(app, lambda: ready(app), limit)
        except TimeoutError as exc:
            # Looked at again only when the app let the event loop run.
            out["error"] = f"{exc} (last look at {time.perf_counter() - wall:.0f} s)"
            return
        cpu_end, wall_end = await quiet()
        out["board_ready"] = {
            "cpu_ms": (cpu_end - cpu) * 1000,
            "wall_ms": (wall_end - wall) * 1000,
        }
        unbound, down = [], []
        for _ in range(repeat):
            unbound.append(await timed(app, lambda: press(app, "f12")))
            down.append(await timed(app, lambda: press(app, "j")))
        out["unbound_key"] = median_pair(unbound)
        out["j"] = median_pair(down)
        out["j_moved"] = moved(app)

    await drive(app, script)
    out["peak_rss_mib"] = own_peak_rss_mib()
    return out


def own_peak_rss_mib() -> float:
    """This process's peak resident memory in MiB.

    Read from /proc (VmHWM) where there is one: ``ru_maxrss`` keeps the high-water mark
    of the process before its exec, so a child of a large parent (``make bench`` after
    its 10,000-card import) reported the parent's size instead of its own.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
