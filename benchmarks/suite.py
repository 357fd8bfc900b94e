"""The issue 13 measures: per-key board costs and memory by size, start-up against a bare
Textual app, and concurrent writers. Each size runs in its own process (so peak RSS is
that size's), and every figure is compared with its target as a verdict, never an exit
code: machines here are shared and noisy.
"""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"

# (measure, target in ms CPU per key after subtracting the harness's own cost)
KEY_TARGETS: dict[str, float] = {
    "move L": 30.0,
    "column l": 16.0,
    "cursor j": 8.0,
    "clear filter": 30.0,
    "portfolio off": 50.0,
    "back to board": 50.0,
    # The issue asks for it at 50,000 cards; opening costs the same at any size now
    # (the cards are read in the background first), so it is checked at every size.
    "open board": 300.0,
}


# The other targets: the full card list at 50,000 cards, and peak RSS by size.
LIST_CARDS_TARGET = 40.0
RSS_TARGETS: dict[int, float] = {10_000: 120.0, 50_000: 200.0}


def size_run(cards: int) -> dict[str, Any]:
    """Key costs, list read, memory per card and peak RSS at *cards* cards (subprocess)."""
    code = f"""
    import json, sys, time, tracemalloc
    from pathlib import Path
    from benchmarks.keys import bench_store, measure_keys
    from benchmarks.peer_timing import own_peak_rss_mib
    folder = Path("/tmp/ecpm-bench"); folder.mkdir(exist_ok=True)
    store, pid = bench_store(folder, {cards})
    times = []
    for _ in range(5):
        t = time.perf_counter(); store.list_cards(pid); times.append(time.perf_counter() - t)
    keys = {{k.name: [k.cpu_ms, k.wall_ms] for k in measure_keys(store, pid, repeat=3)}}
    rss = own_peak_rss_mib()  # before tracemalloc, whose own bookkeeping is not the app's
    tracemalloc.start()
    snap = store.board_cards(pid)
    per_card = tracemalloc.get_traced_memory()[0] / max(1, len(snap.rows))
    tracemalloc.stop()
    print(json.dumps({{"list_cards_ms": sorted(times)[2] * 1000, "bytes_per_card": per_card,
                      "keys": keys, "peak_rss_mib": rss}}))
    """
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# Both programs stop at the same point: right after the first refresh of their first
# screen (os._exit: the process ends there, without the shutdown that is no part of a
# start). ecpm starts as the ``ecpm`` command does (cli.main: argument parsing, the
# database path check, the app), headless, on an existing database; the database opens
# in a worker after the first paint, so the measure ends before it.
ECPM_START = textwrap.dedent(
    """
    import os, sys
    from ecpm_tui.app import EcpmApp
    from ecpm_tui.screens.start import StartScreen
    StartScreen.on_mount = lambda self: self.app.call_after_refresh(os._exit, 0)
    run = EcpmApp.run
    EcpmApp.run = lambda self, **kw: run(self, headless=True, **kw)
    from ecpm_tui.cli import main
    main(["--db", sys.argv[1]])
    """
)

BARE_START = textwrap.dedent(
    """
    import os
    from textual.app import App
    from textual.widgets import Footer, Header
    class Bench(App[None]):
        def compose(self):
            yield Header()
            yield Footer()
        def on_mount(self):
            self.call_after_refresh(os._exit, 0)
    Bench().run(headless=True)
    """
)

# What the ``ecpm`` console script runs for ``ecpm --version``.
ECPM_VERSION = "import sys\nfrom ecpm_tui.cli import main\nsys.exit(main(['--version']))"
VERSION_TARGET = 1.5  # times ``python -c pass`` (the interpreter's own start)
STARTUP_TARGET = 1.5  # times the bare Textual app


def startup_cpu(code: str, *args: str, repeat: int = 5) -> float:
    """Median CPU seconds (user + system) of a child process running *code*.

    getrusage, not os.times: the latter counts in 10 ms ticks, too coarse for
    ``--version``.
    """
    # Bytecode may be written and is used, as in an installed package (pip compiles
    # it); with PYTHONDONTWRITEBYTECODE set (as here) each run compiled ecpm's modules
    # again while Textual's came precompiled. The first, untimed run writes it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, env=env)
    samples = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, "-c", code, *args], check=True, capture_output=True, env=env
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        samples.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return sorted(samples)[len(samples) // 2]


def startup() -> dict[str, float]:
    """Start-up of ecpm against a bare Textual app, and ``ecpm --version`` against
    ``python -c pass``."""
    from ecpm_tui.config import DbTarget
    from ecpm_tui.db import open_database

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "start.db")
        open_database(DbTarget(f"sqlite:///{path}", "bench")).close()  # created, migrated
        ecpm = startup_cpu(ECPM_START, path)
    bare = startup_cpu(BARE_START)
    version, python = startup_cpu(ECPM_VERSION, repeat=9), startup_cpu("pass", repeat=9)
    return {
        "ecpm_cpu_s": ecpm,
        "bare_textual_cpu_s": bare,
        "ratio": ecpm / bare,
        "version_cpu_s": version,
        "python_cpu_s": python,
        "version_ratio": version / python,
    }


def _writer(
    url: str, ids: list[int], seconds: float, seed: int, queue: Any, go: Any, flock: bool
) -> None:
    from ecpm_tui.config import DbTarget
    from ecpm_tui.db import open_database
    from ecpm_tui.errors import EcpmError
    from ecpm_tui.store import Store

    store = Store(open_database(DbTarget(url, "bench")), user=f"w{seed}")
    if not flock:
        store.db.write_lock.disable()
    store.db.role  # noqa: B018 (read once, before the clock starts)
    queue.put("ready")
    go.wait()  # all writers start together, after their imports and connections
    rng = random.Random(seed)
    # Each writer moves only its own cards, so it knows their phase and every move it
    # counts is a real change with exactly one audit event (what "lost" is checked by).
    phase = {card: "initiation" for card in ids}
    done = failed = 0
    cpu = time.process_time()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        card = rng.choice(ids)
        try:
            if rng.random() < 0.5:
                target = "planning" if phase[card] != "planning" else "execution"
                store.move_card(card, target, force=True)
                phase[card] = target
            else:
                store.cycle_card_status(card)
            done += 1
        except EcpmError:
            failed += 1
    queue.put((done, failed, time.process_time() - cpu))
    store.db.close()


def writers(
    processes: int, seconds: float = 3.0, url: str | None = None, flock: bool = True
) -> dict[str, float]:
    """Committed writes per second of *processes* writers on one database (a fresh SQLite
    file, or the PostgreSQL database *url*), how many of the writes they counted are
    missing from the audit trail (lost), and the writers' CPU ms per write.
    *flock* False: SQLite writers wait in its busy handler alone (for comparison)."""
    from sqlalchemy import text

    from ecpm_tui.config import DbTarget
    from ecpm_tui.db import open_database
    from ecpm_tui.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{Path(tmp) / 'w.db'}"
        db = open_database(DbTarget(url, "bench"))
        store = Store(db, user="setup")
        # A project of its own: a PostgreSQL database may hold earlier runs.
        key = f"W{os.getpid() % 10_000}{processes}{int(time.time()) % 1000}"[:10]
        project = store.create_project({"key": key, "name": "writers"})
        assert project.id is not None
        ids = [store.create_card(project.id, {"title": f"c{i}"}).id for i in range(200)]
        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        go = ctx.Event()
        procs = [
            ctx.Process(
                target=_writer,
                args=(url, ids[seed::processes], seconds, seed, queue, go, flock),
            )
            for seed in range(processes)
        ]
        for p in procs:
            p.start()
        for _ in procs:
            queue.get()  # "ready"
        go.set()
        results = [queue.get() for _ in procs]
        for p in procs:
            p.join()
        done = sum(r[0] for r in results)
        failed = sum(r[1] for r in results)
        cpu = sum(r[2] for r in results)
        with db.engine.connect() as conn:
            events = conn.execute(
                text(
                    "SELECT count(*) FROM auditevent WHERE project_id = :p "
                    "AND action IN ('move', 'status')"
                ),
                {"p": project.id},
            ).scalar_one()
        db.close()
        return {
            "writes_per_s": events / seconds,
            "lost": float(done - events),
            "refused": float(failed),
            "cpu_ms_per_write": 1000 * cpu / max(done, 1),
        }


def machine() -> str:
    """A one-line description of this machine."""
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, load {os.getloadavg()[0]:.1f}"
    )


def run(sizes: list[int], writer_counts: list[int]) -> dict[str, Any]:
    """Every measure; the JSON written under benchmarks/results/."""
    result: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "sizes": {},
    }
    for n in sizes:
        result["sizes"][str(n)] = size_run(n)
    result["startup"] = startup()
    result["writers"] = {str(w): writers(w) for w in writer_counts}
    pg = os.environ.get("ECPM_BENCH_PG_URL")
    if pg:
        result["writers_pg"] = {str(w): writers(w, url=pg) for w in writer_counts}
    RESULTS.mkdir(exist_ok=True)
    stamp = result["when"].replace(":", "")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(result, indent=2))
    (RESULTS / "latest.json").write_text(json.dumps(result, indent=2))
    return result


def table(result: dict[str, Any]) -> str:
    """The result as a Markdown table with verdicts (OVER marks a missed target)."""
    sizes = list(result["sizes"])
    head = "| measure (CPU ms per key, harness cost subtracted) | " + " | ".join(
        f"{int(n):,}" for n in sizes
    )
    lines = [head + " | target |", "|---" * (len(sizes) + 2) + "|"]
    for key, target in KEY_TARGETS.items():
        cells = []
        for n in sizes:
            keys = result["sizes"][n]["keys"]
            value = keys[key][0] - keys["unbound key"][0]
            cells.append(f"{value:.0f}" + ("" if value <= target else " OVER"))
        lines.append(f"| {key} | " + " | ".join(cells) + f" | <= {target:.0f} |")

    def over(value: float, limit: float | None) -> str:
        return " OVER" if limit is not None and value > limit else ""

    def list_cards(n: str) -> str:
        value = result["sizes"][n]["list_cards_ms"]
        return f"{value:.1f}" + over(value, LIST_CARDS_TARGET if int(n) == 50_000 else None)

    def peak_rss(n: str) -> str:
        value = result["sizes"][n]["peak_rss_mib"]
        return f"{value:.0f}" + over(value, RSS_TARGETS.get(int(n)))

    rows: list[tuple[str, Callable[[str], str], str]] = [
        (
            "unbound key (harness cost, CPU ms)",
            lambda n: f"{result['sizes'][n]['keys']['unbound key'][0]:.0f}",
            "",
        ),
        ("store.list_cards (ms)", list_cards, f"<= {LIST_CARDS_TARGET:.0f} at 50k"),
        ("memory per card (bytes)", lambda n: f"{result['sizes'][n]['bytes_per_card']:.0f}", ""),
        ("peak RSS (MiB)", peak_rss, "<= 120 at 10k, <= 200 at 50k"),
    ]
    for label, fmt, target_text in rows:
        lines.append(f"| {label} | " + " | ".join(fmt(n) for n in sizes) + f" | {target_text} |")
    st = result["startup"]
    lines.append("")
    lines.append(
        f"Start-up to the first painted screen: ecpm {st['ecpm_cpu_s'] * 1000:.0f} ms CPU, "
        f"bare Textual app (Header + Footer) {st['bare_textual_cpu_s'] * 1000:.0f} ms: "
        f"{st['ratio']:.2f}x (target <= {STARTUP_TARGET}x"
        f"{'' if st['ratio'] <= STARTUP_TARGET else ', OVER'})."
    )
    if "version_ratio" in st:  # results written before it was measured lack it
        lines.append(
            f"`ecpm --version`: {st['version_cpu_s'] * 1000:.0f} ms CPU, `python -c pass` "
            f"{st['python_cpu_s'] * 1000:.0f} ms: {st['version_ratio']:.2f}x "
            f"(target <= {VERSION_TARGET}x"
            f"{'' if st['version_ratio'] <= VERSION_TARGET else ', OVER'})."
        )
    lines.extend(writer_lines(result))
    return "\n".join(lines)


def writer_lines(result: dict[str, Any]) -> list[str]:
    """One line per writers run (SQLite, and PostgreSQL when ECPM_BENCH_PG_URL was set)."""
    lines = []
    for name, label in (("writers", "SQLite"), ("writers_pg", "PostgreSQL")):
        for w, r in result.get(name, {}).items():
            rate = r["writes_per_s"]
            lines.append(
                # Rounded down: 1,499.7 writes/s printed as 1500 beside OVER read as a miss
                # of nothing.
                f"Writers x{w} ({label}): {math.floor(rate)} committed writes/s, "
                f"{r.get('cpu_ms_per_write', 0):.2f} ms CPU per write "
                f"({r['lost']:.0f} lost, {r['refused']:.0f} refused; target >= 1,500/s"
                f"{'' if rate >= 1500 or w == '1' else ', OVER'})."
            )
    return lines


def main(argv: list[str]) -> int:
    """``python -m benchmarks.suite [--large]``: 1k and 10k cards (and 50k with --large)."""
    sizes = [1_000, 10_000] + ([50_000] if "--large" in argv else [])
    result = run(sizes, [1, 4, 8])
    print(f"Machine: {result['machine']}\n")
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
