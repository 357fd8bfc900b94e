"""Issue 13 item 6: the suite's table marks every missed target (``benchmarks/suite.py``).

Fed made-up results: nothing is measured and no timing is asserted.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the benchmarks package
suite: Any = importlib.import_module("benchmarks.suite")


def size(key_ms: float, list_ms: float, rss: float) -> dict[str, Any]:
    keys = {name: [key_ms + 10, 0.0] for name in suite.KEY_TARGETS}
    keys["unbound key"] = [10.0, 0.0]
    return {"keys": keys, "list_cards_ms": list_ms, "bytes_per_card": 450.0, "peak_rss_mib": rss}


def result(sizes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    startup = {"ecpm_cpu_s": 0.4, "bare_textual_cpu_s": 0.4, "ratio": 1.0}
    return {"sizes": sizes, "startup": startup, "writers": {}}


def cells(text: str, label: str) -> list[str]:
    for line in text.splitlines():
        parts = [c.strip() for c in line.strip("|").split("|")]
        if parts[0] == label:
            return parts[1:]
    raise AssertionError(f"no row {label!r} in\n{text}")


def test_keys_are_judged_net_of_the_harness_against_their_budgets() -> None:
    text = suite.table(result({"1000": size(5, 10, 80), "10000": size(31, 100, 100)}))
    # 5 and 31 ms net (the unbound key's 10 ms taken off each).
    assert cells(text, "move L") == ["5", "31 OVER", "<= 30"]
    assert cells(text, "open board") == ["5", "31", "<= 300"]


def test_the_card_list_and_peak_rss_are_judged_at_the_sizes_the_issue_names() -> None:
    text = suite.table(
        result(
            {
                "1000": size(5, 50, 130),  # no target at 1,000 cards
                "10000": size(5, 400, 121),
                "50000": size(5, 41, 199),
            }
        )
    )
    assert cells(text, "store.list_cards (ms)") == ["50.0", "400.0", "41.0 OVER", "<= 40 at 50k"]
    assert cells(text, "peak RSS (MiB)") == [
        "130",
        "121 OVER",
        "199",
        "<= 120 at 10k, <= 200 at 50k",
    ]
    ok = suite.table(result({"10000": size(5, 400, 120), "50000": size(5, 40, 200)}))
    assert "OVER" not in ok


def test_a_writer_rate_just_under_the_target_never_prints_as_the_target() -> None:
    def writers(rate: float) -> dict[str, Any]:
        return {"writes_per_s": rate, "lost": 0.0, "refused": 0.0, "cpu_ms_per_write": 0.8}

    out = result({})
    out["writers"] = {"1": writers(900.0), "4": writers(1500.0), "8": writers(1499.7)}
    lines = suite.writer_lines(out)
    assert lines[0].startswith("Writers x1 (SQLite): 900 committed") and "OVER" not in lines[0]
    assert "1500 committed" in lines[1] and "OVER" not in lines[1]
    assert "1499 committed" in lines[2] and lines[2].endswith("target >= 1,500/s, OVER).")
