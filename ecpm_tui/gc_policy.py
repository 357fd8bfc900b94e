"""How often Python's cycle collector runs while ``ecpm`` runs (set once, by the command).

Each frame of the board allocates tens of thousands of short-lived objects (Textual's
strips and their caches). With Python's default thresholds (700, 10, 10) that is dozens
of young collections a frame and, every so often, a full one over everything alive: over
65 board keys at 10,000 cards, 0.54 s of collections, one of them 69 ms. What start-up
leaves alive (modules, classes, stylesheets) lives as long as the process, so it is
frozen out of the collector's scans, and young collections run every 20,000 allocations
instead of every 700: about 0.13 s over the same keys, none past 16 ms (one frame). At
50,000 allocations the total was the same, but one collection took 20 to 40 ms. Memory
is still freed by reference counting as it was; only garbage held in reference cycles
waits a little longer for its collection.
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 50, 50)
"""Allocations between young collections, and young (then middle) collections between
collections of the next generation."""


def apply() -> None:
    """Freeze what is alive now out of the collector's scans and collect less often."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
