"""A screen's data loads finish in any order; only the newest one is shown.

A dialog closing reloads the screen below, and the write it asked for reloads it again
when it commits. The first load can read before the commit and finish last: shown last,
it put back a deleted PPTF interview (seen as a rare failure of the delete test).
"""

from __future__ import annotations

import asyncio
import itertools
import threading

from pilots import settle
from textual.app import App

from ecpm_tui.screens.base import EcpmScreen


class TwoLoads(EcpmScreen):
    """The first load waits until released; later ones return at once."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = itertools.count(1)
        self.release = threading.Event()
        self.shown: list[int] = []

    def fetch(self) -> int:
        n = next(self.calls)
        if n == 1:
            self.release.wait(10)
        return n

    def show(self, data: int) -> None:
        self.shown.append(data)


async def _an_older_load_finishing_last_is_not_shown() -> None:
    screen = TwoLoads()
    app: App[None] = App()
    async with app.run_test() as pilot:
        await app.push_screen(screen)  # resuming starts load 1, which waits
        await pilot.pause()
        screen.reload()  # load 2: the newer data
        for _ in range(200):  # (not settle: that waits for load 1 too)
            if screen.shown:
                break
            await pilot.pause(0.02)
        assert screen.shown == [2]
        screen.release.set()  # load 1 finishes now, with older data
        await settle(pilot)
        assert screen.shown == [2]
        screen.reload()
        await settle(pilot)
        assert screen.shown == [2, 3]


def test_an_older_load_finishing_last_is_not_shown() -> None:
    asyncio.run(_an_older_load_finishing_last_is_not_shown())
