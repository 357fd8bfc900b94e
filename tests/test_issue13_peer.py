"""Issue 13 item 6: the kanban-tui comparison's orchestrator (``benchmarks/peer.py``).

kanban-tui is never installed here: these tests feed the table fake results, point the
orchestrator at an empty or a fake environment, and run its child-process handling on
small Python commands. No timing is asserted.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the benchmarks package
peer: Any = importlib.import_module("benchmarks.peer")


def side(ready_ms: float, j_ms: float, unbound_ms: float, **extra: Any) -> dict[str, Any]:
    """A result as either side prints it (wall twice the CPU, to tell them apart)."""
    return {
        "board_ready": {"cpu_ms": ready_ms, "wall_ms": ready_ms * 2},
        "j": {"cpu_ms": j_ms, "wall_ms": j_ms * 2},
        "unbound_key": {"cpu_ms": unbound_ms, "wall_ms": unbound_ms * 2},
        "j_moved": True,
        "peak_rss_mib": 100.0,
        "cards": 1000,
        **extra,
    }


def rows(text: str) -> dict[str, list[str]]:
    """The table's rows by label, as their cells."""
    out = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| measure"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            out[cells[0]] = cells[1:]
    return out


def test_table_gives_ratios_and_marks_those_under_the_target() -> None:
    result = {
        "kanban_tui": side(25_000, 5_000, 3_600, version="0.21.2"),
        "ecpm": side(500, 50, 30),
    }
    text = peer.table(result)
    table = rows(text)
    assert table["board ready, CPU"] == ["25.00 s", "0.50 s", "50x", ">= 100x UNDER"]
    assert table["board ready, wall"] == ["50.00 s", "1.00 s", "50x", ">= 100x UNDER"]
    # 5,000 / 50 is exactly the target: met, so no verdict.
    assert table["`j`, CPU"] == ["5,000 ms", "50 ms", "100x", ">= 100x"]
    # Net of the harness: (5,000 - 3,600) / (50 - 30) = 70.
    assert table["`j`, CPU net of the harness"] == ["1,400 ms", "20 ms", "70x", ">= 100x UNDER"]
    assert table["unbound key (harness cost), CPU"][:2] == ["3,600 ms", "30 ms"]
    assert table["peak RSS"][:2] == ["100 MiB", "100 MiB"]
    assert "kanban-tui 0.21.2." in text
    assert "| measure at 1,000 cards | kanban-tui | ecpm | ratio | target |" in text


def test_table_without_kanban_tui_shows_ecpm_alone_and_how_to_install() -> None:
    text = peer.table({"kanban_tui": None, "ecpm": side(500, 50, 30)})
    assert rows(text)["board ready, CPU"] == ["-", "0.50 s", "-", ">= 100x"]
    assert text.splitlines()[-1] == "kanban-tui not installed: make bench-peer"


def test_table_reports_a_failed_kanban_tui_run_as_it_was() -> None:
    result = {"kanban_tui": {"error": "stopped after 1500 s"}, "ecpm": side(500, 50, 30)}
    text = peer.table(result)
    assert rows(text)["`j`, wall"] == ["-", "100 ms", "-", ">= 100x"]
    assert "kanban-tui at 1,000 cards failed: stopped after 1500 s." in text


def test_large_lines_say_what_happened_to_kanban_tui_at_50000() -> None:
    base = {"kanban_tui": side(25_000, 5_000, 3_600), "ecpm": side(500, 50, 30)}
    large_ecpm = side(2_000, 60, 30) | {"cards": 50_000}
    timed_out = peer.table(
        base
        | {
            "large": {
                "ecpm": large_ecpm,
                "kanban_tui": {"error": "stopped after 240 s", "peak_rss_mib": 5120.0},
                "limit_s": 120.0,
            }
        }
    )
    assert "ecpm at 50,000 cards: board ready 4.00 s wall (2.00 s CPU)" in timed_out
    assert (
        "kanban-tui at 50,000 cards: no board within 120 s "
        "(stopped after 240 s, peak RSS 5,120 MiB)." in timed_out
    )
    opened = peer.table(
        base | {"large": {"ecpm": large_ecpm, "kanban_tui": side(90_000, 9_000, 4_000)}}
    )
    assert "kanban-tui at 50,000 cards: board ready 180.00 s wall" in opened
    absent = peer.table(base | {"large": {"ecpm": large_ecpm, "kanban_tui": None}})
    assert "kanban-tui at 50,000 cards: not run (kanban-tui not installed" in absent


def test_ratios_and_their_rounding() -> None:
    assert peer.ratio(10.0, 0.0) == float("inf")
    assert peer.ratio(10.0, 0.5) == 20.0
    # Rounded down: just under the target never reads as the target.
    assert peer.ratio_text(99.96) == "99x"
    assert peer.ratio_text(100.0) == "100x"
    assert peer.ratio_text(9.99) == "9.9x"


def test_not_installed_is_reported_by_make_bench_and_bench_peer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(peer, "PEER_VENV", tmp_path / ".venv-peer")
    # A venv without kanban-tui in it counts as not installed either.
    (tmp_path / ".venv-peer" / "bin").mkdir(parents=True)
    assert not peer.installed()
    assert peer.bench([]) == 0  # make bench goes on
    assert capsys.readouterr().out.strip() == "kanban-tui not installed: make bench-peer"
    assert peer.main([]) == 1  # asked for directly, it is an error
    assert capsys.readouterr().out.strip() == "kanban-tui not installed: make bench-peer"
    package = tmp_path / ".venv-peer/lib/python3.11/site-packages/kanban_tui"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    assert peer.installed()


def test_run_writes_the_json_and_leaves_kanban_tui_out_when_absent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(peer, "PEER_VENV", tmp_path / "none")
    monkeypatch.setattr(peer, "RESULTS", tmp_path / "results")
    asked: list[int] = []

    def fake_ecpm(cards: int) -> dict[str, Any]:
        asked.append(cards)
        return side(500, 50, 30) | {"cards": cards}

    monkeypatch.setattr(peer, "ecpm_side", fake_ecpm)
    result = peer.run(large=True)
    assert asked == [1000, 50_000]
    assert result["kanban_tui"] is None and result["large"]["kanban_tui"] is None
    latest = json.loads((tmp_path / "results" / "peer-latest.json").read_text())
    assert latest["ecpm"]["cards"] == 1000
    stamped = [p.name for p in (tmp_path / "results").glob("peer-*.json")]
    assert len(stamped) == 2 and "peer-latest.json" in stamped


def test_child_results_and_failures() -> None:
    ok = peer.child([sys.executable, "-c", "print('noise'); print('{\"a\": 1}')"], timeout=60)
    assert ok == {"a": 1}
    failed = peer.child([sys.executable, "-c", "raise SystemExit('no board')"], timeout=60)
    assert failed == {"error": "no board"}
    # The result line wins over a traceback printed on the way out.
    code = "print('{\"error\": \"not ready\"}'); raise SystemExit('MountError')"
    assert peer.child([sys.executable, "-c", code], timeout=60) == {"error": "not ready"}
    slow = peer.child([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert slow["error"] == "stopped after 0.5 s"
    assert slow["peak_rss_mib"] > 1  # read from /proc before the process was stopped


class Counter(App[None]):
    """A tiny app for the shared harness: ``j`` counts, the board is 'ready' at once."""

    BINDINGS: ClassVar = [Binding("j", "down", "Down")]

    def __init__(self) -> None:
        super().__init__()
        self.rows = 0

    def compose(self) -> ComposeResult:
        yield Static("board")

    def action_down(self) -> None:
        self.rows += 1


def test_shared_harness_measures_ready_and_j_and_reports_a_board_that_never_comes() -> None:
    from benchmarks.peer_timing import board_and_j

    def moved(app: Any) -> bool:
        return bool(app.rows == 3)

    out = asyncio.run(board_and_j(Counter, lambda app: True, moved, limit=60, repeat=3))
    assert out["j_moved"] is True  # three j, three rows; f12 moved nothing
    assert set(out["j"]) == {"cpu_ms", "wall_ms"} and set(out["board_ready"]) == set(out["j"])
    assert out["peak_rss_mib"] > 0
    never = asyncio.run(board_and_j(Counter, lambda app: False, moved, limit=0.2))
    assert never["error"].startswith("not ready within 0.2 s (last look at ")
    assert "j" not in never


class Trailing(Counter):
    """``j`` leaves work on a timer, as kanban-tui's does (0.4-1.2 s of it). The timer is
    due well inside the 50 ms of quiet that ``quiet`` waits for: work that starts later
    than that after a key is not the key's."""

    BURN_S = 0.03

    def __init__(self) -> None:
        super().__init__()
        self.finished = 0

    def action_down(self) -> None:
        super().action_down()
        self.set_timer(0.01, self.finish)

    def finish(self) -> None:
        import time

        end = time.process_time() + self.BURN_S
        while time.process_time() < end:
            pass
        self.finished += 1


def test_a_key_is_timed_to_the_end_of_the_work_it_left_on_a_timer() -> None:
    from benchmarks.peer_timing import drive, press, timed

    app = Trailing()
    seen: dict[str, Any] = {}

    async def script(_pilot: Any) -> None:
        seen["cpu_s"], seen["wall_s"] = await timed(app, lambda: press(app, "j"))
        seen["finished"] = app.finished  # when timed returned

    asyncio.run(drive(app, script))
    assert app.rows == 1
    assert seen["finished"] == 1  # the timer's work was waited for...
    assert seen["cpu_s"] >= Trailing.BURN_S  # ...and its CPU counted
    assert seen["wall_s"] >= seen["cpu_s"]
