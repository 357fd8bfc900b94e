"""ecpm and kanban-tui side by side at 1,000 cards (issue 13): ``make bench-peer``.

kanban-tui lives in its own virtual environment (``.venv-peer``, made by ``make
bench-peer``); its side runs there as ``benchmarks/peer_kanban.py``. ecpm's side runs in
ecpm's environment, in a fresh process as well. Both are measured the same way:

- **board ready**: from just before the app object is made (ecpm: and its database
  opened) to the board showing every card with one of them under the cursor, then the
  screen settled (workers done, pending messages processed) and the last work done
  (``peer_timing.quiet``: work left on timers counts, the quiet that proves it ended
  does not). Imports come before the clock in both. Both apps start on their board
  (ecpm through a subclass whose first mode is the board) and run headless at 160x50
  through ``peer_timing.drive``.
- **j**: cursor down, key (sent as the terminal driver sends it, ``peer_timing.press``)
  to settled screen and the end of its work, median of 5 (``peer_timing.timed``), with
  the cost of an unbound key (``f12``, the harness's own cost, which grows with the
  number of widgets on screen) measured alongside and subtracted in the "net" rows.

``--large`` adds ecpm at 50,000 cards and one attempt of kanban-tui at 50,000 with a
time limit; what happened is reported as it was.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PEER_VENV = ROOT / ".venv-peer"
PEER_PYTHON = PEER_VENV / "bin" / "python"
PEER_DRIVER = Path(__file__).resolve().parent / "peer_kanban.py"
RESULTS = Path(__file__).resolve().parent / "results"
NOT_INSTALLED = "kanban-tui not installed: make bench-peer"
CARDS, LARGE = 1_000, 50_000
TARGET = 100.0  # kanban-tui's time over ecpm's, at least, on both measures
LARGE_LIMIT = 120.0  # seconds kanban-tui gets to show 50,000 cards


def installed(venv: Path | None = None) -> bool:
    """Whether kanban-tui is installed in its own environment (``make bench-peer``)."""
    venv = PEER_VENV if venv is None else venv
    return any(venv.glob("lib/python*/site-packages/kanban_tui/__init__.py"))


def peak_rss_mib(pid: int) -> float | None:
    """The peak resident memory of a running process, from /proc (None elsewhere)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def child(cmd: list[str], timeout: float, env: dict[str, str] | None = None) -> dict[str, Any]:
    """The last stdout line of *cmd* as JSON, or ``{"error": ...}`` saying what went wrong
    (stopped at *timeout* seconds: with the peak memory it had reached)."""
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env
    ) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            peak = peak_rss_mib(proc.pid)
            proc.kill()
            proc.communicate()
            return {"error": f"stopped after {timeout:g} s", "peak_rss_mib": peak}
    # A result line counts even when the app printed a traceback on its way out (kanban-tui
    # does when it is told to exit in the middle of mounting its cards).
    lines = out.strip().splitlines()
    try:
        result: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        result = {}
    if result:
        return result
    errors = err.strip().splitlines() or [f"exit code {proc.returncode}, no result"]
    return {"error": errors[-1][:300]}


def kanban_side(cards: int, limit: float = 600.0) -> dict[str, Any]:
    """kanban-tui's figures at *cards* (in .venv-peer, a throwaway data folder)."""
    with tempfile.TemporaryDirectory(prefix="kanban-tui-bench-") as tmp:
        # Its config and data go to the throwaway folder: HOME and XDG_* point there.
        env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
        env["HOME"] = tmp
        cmd = [str(PEER_PYTHON), str(PEER_DRIVER), "--cards", str(cards), "--folder", tmp]
        # The limit is checked between looks at the board, and kanban-tui can hold the
        # event loop for minutes while it mounts: the process is stopped past the limit
        # plus time for making its database.
        return child([*cmd, "--limit", str(limit)], timeout=limit + 120, env=env)


def ecpm_side(cards: int) -> dict[str, Any]:
    """ecpm's figures at *cards* (a fresh process in ecpm's environment)."""
    cmd = [sys.executable, "-m", "benchmarks.peer", "--ecpm-side", str(cards)]
    return child(cmd, timeout=1800)


def measure_ecpm(cards: int, repeat: int = 5, limit: float = 600.0) -> dict[str, Any]:
    """Board ready and ``j`` for ecpm at *cards*, measured like kanban-tui's side."""
    from benchmarks.keys import bench_store
    from benchmarks.peer_timing import board_and_j
    from ecpm_tui import gc_policy
    from ecpm_tui.app import EcpmApp
    from ecpm_tui.config import DbTarget
    from ecpm_tui.db import open_database
    from ecpm_tui.screens.board import BoardScreen
    from ecpm_tui.store import Store

    # Made once and reused; a folder of its own, so a run of `make bench` from another
    # checkout (perhaps at another schema revision) never shares the file.
    folder = Path("/tmp/ecpm-bench-peer")
    folder.mkdir(exist_ok=True)
    store, pid = bench_store(folder, cards)
    expected = len(store.board_cards(pid).rows)
    store.db.close()
    url = f"sqlite:///{folder / f'keys{cards}.db'}"  # the file bench_store made

    class BoardFirst(EcpmApp):
        DEFAULT_MODE = "board"

    def make_app() -> EcpmApp:
        app = BoardFirst(
            Store(open_database(DbTarget(url, "bench")), user="bench"), poll_interval=0
        )
        app.current_project_id = pid
        gc_policy.apply()  # as the ecpm command does before it runs the app
        return app

    def ready(app: Any) -> bool:
        screen = app.screen
        return (
            isinstance(screen, BoardScreen)
            and screen.columns_scope == "cards"
            and sum(col.option_count for col in screen.lists()) == expected
        )

    def moved(app: Any) -> bool:
        board = app.screen
        return isinstance(board, BoardScreen) and board.lists()[0].highlighted == repeat

    result = asyncio.run(board_and_j(make_app, ready, moved, limit, repeat))
    result.update(cards=expected)
    return result


# (label, measure, figure, scale, unit): the rows of the table.
ROWS: list[tuple[str, str, str, float, str]] = [
    ("board ready, wall", "board_ready", "wall_ms", 1000, "s"),
    ("board ready, CPU", "board_ready", "cpu_ms", 1000, "s"),
    ("`j`, wall", "j", "wall_ms", 1, "ms"),
    ("`j`, CPU", "j", "cpu_ms", 1, "ms"),
    ("`j`, CPU net of the harness", "j_net", "cpu_ms", 1, "ms"),
]


def _value(side: dict[str, Any], measure: str, figure: str) -> float:
    if measure == "j_net":
        return float(side["j"][figure] - side["unbound_key"][figure])
    return float(side[measure][figure])


def _fmt(value: float, unit: str) -> str:
    return f"{value:.2f} {unit}" if unit == "s" else f"{value:,.0f} {unit}"


def ratio(kanban: float, ecpm: float) -> float:
    """How many times longer kanban-tui took (infinite if ecpm's figure is 0 or less)."""
    return kanban / ecpm if ecpm > 0 else float("inf")


def ratio_text(r: float) -> str:
    """Rounded down, so a ratio just under the target never reads as the target."""
    return f"{math.floor(r * 10) / 10:.1f}x" if r < 10 else f"{math.floor(r)}x"


def _ok(side: dict[str, Any] | None) -> bool:
    return side is not None and "error" not in side


def _failure(side: dict[str, Any]) -> str:
    peak = side.get("peak_rss_mib")
    return side["error"] + (f", peak RSS {peak:,.0f} MiB" if peak else "")


def table(result: dict[str, Any]) -> str:
    """The comparison as a Markdown table, plus the 50,000-card lines when measured."""
    kanban, ecpm = result.get("kanban_tui"), result["ecpm"]
    lines = [
        f"| measure at {ecpm['cards']:,} cards | kanban-tui | ecpm | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for label, measure, figure, scale, unit in ROWS:
        mine = _value(ecpm, measure, figure) / scale
        if kanban is None or not _ok(kanban):
            lines.append(f"| {label} | - | {_fmt(mine, unit)} | - | >= {TARGET:.0f}x |")
            continue
        theirs = _value(kanban, measure, figure) / scale
        r = ratio(theirs, mine)
        lines.append(
            f"| {label} | {_fmt(theirs, unit)} | {_fmt(mine, unit)} | {ratio_text(r)}"
            f" | >= {TARGET:.0f}x{'' if r >= TARGET else ' UNDER'} |"
        )
    extra = [
        ("unbound key (harness cost), CPU", lambda s: _fmt(s["unbound_key"]["cpu_ms"], "ms")),
        ("peak RSS", lambda s: _fmt(s["peak_rss_mib"], "MiB")),
    ]
    for label, fmt in extra:
        theirs_text = fmt(kanban) if kanban is not None and _ok(kanban) else "-"
        lines.append(f"| {label} | {theirs_text} | {fmt(ecpm)} | | |")
    lines.append("")
    if kanban is None:
        lines.append(NOT_INSTALLED)
    elif not _ok(kanban):
        lines.append(f"kanban-tui at {ecpm['cards']:,} cards failed: {_failure(kanban)}.")
    else:
        lines.append(f"kanban-tui {kanban.get('version', '?')}.")
    large = result.get("large")
    if large:
        e = large["ecpm"]
        lines.append(
            f"ecpm at {e['cards']:,} cards: board ready {e['board_ready']['wall_ms'] / 1000:.2f} s"
            f" wall ({e['board_ready']['cpu_ms'] / 1000:.2f} s CPU), `j` "
            f"{e['j']['cpu_ms']:.0f} ms CPU ({e['j']['cpu_ms'] - e['unbound_key']['cpu_ms']:.0f}"
            f" ms net of the harness), {e['j']['wall_ms']:.0f} ms wall, peak RSS "
            f"{e['peak_rss_mib']:,.0f} MiB."
        )
        k = large.get("kanban_tui")
        if k is None:
            lines.append(f"kanban-tui at {LARGE:,} cards: not run ({NOT_INSTALLED}).")
        elif not _ok(k):
            lines.append(
                f"kanban-tui at {LARGE:,} cards: no board within {large['limit_s']:.0f} s"
                f" ({_failure(k)})."
            )
        else:
            lines.append(
                f"kanban-tui at {LARGE:,} cards: board ready "
                f"{k['board_ready']['wall_ms'] / 1000:.2f} s wall, "
                f"`j` {k['j']['cpu_ms']:.0f} ms CPU."
            )
    return "\n".join(lines)


def run(large: bool = False) -> dict[str, Any]:
    """Both sides at 1,000 cards (and 50,000 with *large*); written under results/."""
    from benchmarks.suite import machine

    result: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "ecpm": ecpm_side(CARDS),
        "kanban_tui": kanban_side(CARDS) if installed() else None,
    }
    if large:
        result["large"] = {
            "ecpm": ecpm_side(LARGE),
            "kanban_tui": kanban_side(LARGE, LARGE_LIMIT) if installed() else None,
            "limit_s": LARGE_LIMIT,
        }
    result["machine_after"] = machine()  # the load can change over a long run
    RESULTS.mkdir(exist_ok=True)
    stamp = result["when"].replace(":", "")
    text = json.dumps(result, indent=2)
    (RESULTS / f"peer-{stamp}.json").write_text(text)
    (RESULTS / "peer-latest.json").write_text(text)
    return result


def report(large: bool = False) -> int:
    """Run, print the machine and the table; exit code 0 (misses are reported)."""
    if "error" in (result := run(large))["ecpm"]:
        print(f"ecpm's side failed: {result['ecpm']['error']}")
        return 1
    end_load = result["machine_after"].rsplit("load ", 1)[-1]
    print(f"\nkanban-tui side by side\nMachine: {result['machine']} (at the end: {end_load})\n")
    print(table(result))
    return 0


def bench(argv: list[str]) -> int:
    """For ``make bench``: the comparison when kanban-tui is installed, else a hint."""
    if not installed():
        print(f"\n{NOT_INSTALLED}")
        return 0
    return report("--large" in argv)


def main(argv: list[str]) -> int:
    """``python -m benchmarks.peer [--large]``; ``--ecpm-side N`` prints ecpm's JSON."""
    if "--ecpm-side" in argv:
        print(json.dumps(measure_ecpm(int(argv[argv.index("--ecpm-side") + 1]))))
        return 0
    if not installed():
        print(NOT_INSTALLED)
        return 1
    return report("--large" in argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
