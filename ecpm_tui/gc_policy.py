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

Even so, a key whose work met a collection took up to 15 ms more. So while the app runs,
Python does not collect by itself: :class:`IdleCollector`, ticked by a timer, runs the
collection that is due once nobody has typed for :data:`QUIET_S`, or at once when
:data:`FORCE_AT` allocations are waiting (input that never pauses, a busy peer).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

THRESHOLDS = (20_000, 50, 50)
"""Allocations between young collections, and young (then middle) collections between
collections of the next generation."""


QUIET_S = 0.5
"""Seconds without a key or a click before a due collection runs."""

FORCE_AT = 5 * THRESHOLDS[0]
"""Young allocations after which a collection runs even while someone types (a key held
down): then at the next tick, between two keys' work, not inside one."""


def apply() -> None:
    """Freeze what is alive now out of the collector's scans and leave the collections to
    :class:`IdleCollector` (the app ticks one)."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    gc.disable()


class IdleCollector:
    """Runs the cycle collection that Python's thresholds say is due, when input pauses."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last_input = clock()

    def input(self) -> None:
        """A key or a click arrived now."""
        self.last_input = self.clock()

    def tick(self) -> int | None:
        """Collect if a collection is due and input paused (or too much waits); the
        generation collected, or None. Nothing while Python collects by itself."""
        if gc.isenabled():
            return None
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if counts[0] < thresholds[0]:
            return None
        if counts[0] < FORCE_AT and self.clock() - self.last_input < QUIET_S:
            return None
        # As Python picks it: the oldest generation whose count passed its threshold.
        generation = max(g for g in range(3) if g == 0 or counts[g] >= thresholds[g])
        gc.collect(generation)
        return generation
