"""Issue 13: while the app runs, cycle collections wait for a pause in the input instead
of landing inside a key's work (up to 15 ms more on a board key)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecpm_tui import gc_policy
from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.gc_policy import FORCE_AT, QUIET_S, IdleCollector
from ecpm_tui.store import Store


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def policy() -> Iterator[None]:
    """The ecpm command's collector policy, undone after the test."""
    threshold, enabled = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(*gc_policy.THRESHOLDS)
    gc.disable()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if enabled:
            gc.enable()


def allocate(young: int) -> list[list[int]]:
    """Keep new container objects alive (what the collector counts) until its young count
    is at least *young*."""
    gc.collect(0)
    kept = [[i] for i in range(young + 1_000)]
    assert gc.get_count()[0] >= young
    return kept


def test_nothing_is_collected_while_someone_types(policy: None) -> None:
    clock = Clock()
    collector = IdleCollector(clock)
    kept = allocate(gc_policy.THRESHOLDS[0] + 100)
    collector.input()
    clock.now += QUIET_S / 2
    assert collector.tick() is None
    assert gc.get_count()[0] >= gc_policy.THRESHOLDS[0] and kept, "the young objects wait"
    clock.now += QUIET_S  # the person paused
    assert collector.tick() == 0
    assert gc.get_count()[0] < 100


def test_a_key_held_down_still_gets_collections(policy: None) -> None:
    clock = Clock()
    collector = IdleCollector(clock)
    kept = allocate(FORCE_AT + 100)
    collector.input()
    assert collector.tick() == 0
    assert gc.get_count()[0] < len(kept) // 10 and kept


def test_little_to_collect_waits_even_in_a_pause(policy: None) -> None:
    clock = Clock()
    collector = IdleCollector(clock)
    gc.collect(0)
    clock.now += 10 * QUIET_S
    assert collector.tick() is None


def test_older_generations_are_collected_when_their_turn_comes(policy: None) -> None:
    clock = Clock()
    collector = IdleCollector(clock)
    gc.collect()
    young, middle, _old = gc_policy.THRESHOLDS
    for _ in range(middle):
        gc.collect(0)  # as many young collections as make a middle one due
    kept = allocate(young)
    clock.now += QUIET_S
    assert collector.tick() == 1
    assert gc.get_count()[1] == 0 and len(kept) > young


def test_python_collecting_by_itself_is_left_alone() -> None:
    assert gc.isenabled()
    clock = Clock()
    clock.now += QUIET_S
    assert IdleCollector(clock).tick() is None


def test_the_app_collects_once_keys_stop(db_path: Path, policy: None) -> None:
    store = Store(open_database(DbTarget(f"sqlite:///{db_path}", "test")), user="alice")

    async def main() -> tuple[bool, int, int]:
        app = EcpmApp(store, poll_interval=0)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            before = app.collector.last_input
            await pilot.press("f12")
            typed = app.collector.last_input > before
            kept = allocate(gc_policy.THRESHOLDS[0] + 100)
            waiting = gc.get_count()[0]
            for _ in range(100):  # the app's own timer collects once input has paused
                await asyncio.sleep(0.05)
                if gc.get_count()[0] < gc_policy.THRESHOLDS[0]:
                    break
            del kept
            return typed, waiting, gc.get_count()[0]

    typed, waiting, left = asyncio.run(main())
    store.db.close()
    assert typed, "a key counts as input"
    assert waiting >= gc_policy.THRESHOLDS[0] > left
