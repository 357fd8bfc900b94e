"""Helpers shared by the pilot tests."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.notifications import SeverityLevel
from textual.pilot import Pilot


async def settle(pilot: Pilot[Any], rounds: int = 3) -> None:
    """Let thread workers finish and their results reach the screen (a worker's result
    may start another worker, hence several rounds)."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def record_notices(
    app: App[Any], into: list[tuple[str, SeverityLevel]] | None = None
) -> list[tuple[str, SeverityLevel]]:
    """Every notification *app* shows from now on, as (message, severity), appended to
    *into* (or a new list) and returned; they are still shown."""
    notices = [] if into is None else into
    shown = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        notices.append((str(message), kwargs.get("severity", "information")))
        shown(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return notices
