"""A progress bar for long command-line jobs (demo, import, export, report).

Shown on stderr with Rich only when both stdout and stderr are terminals, and only once
the job has run for :data:`DELAY` seconds (or at once for a large one): quick commands
print nothing extra, and piped or redirected output never carries bar frames. The bar
is transient (erased when the job ends). Rich is imported only when a bar is shown, so
``ecpm --version`` and short commands stay fast.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import Any, TextIO

DELAY = 1.0
"""Seconds of work before a bar appears."""
LARGE = 20_000
"""Jobs of at least this many items show their bar at once."""


def _delay() -> float:
    # ECPM_PROGRESS_DELAY lets tests (and the impatient) see the bar without a slow job.
    try:
        return max(0.0, float(os.environ.get("ECPM_PROGRESS_DELAY", DELAY)))
    except ValueError:
        return DELAY


def on_terminal(out: TextIO | None = None, err: TextIO | None = None) -> bool:
    """Whether a bar may be drawn: stdout and stderr are both terminals."""
    streams = (out or sys.stdout, err or sys.stderr)
    try:
        return all(s.isatty() for s in streams) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


class Bar:
    """One job's progress: ``with Bar("Importing", total=n) as bar: ... bar.advance()``.

    Without a total the bar pulses; :meth:`update` may set or change it (and the text)
    as the job moves from one step to the next. With *then*, reaching the total moves on
    to a pulsing step of that name (the write after the items are built).
    """

    def __init__(
        self,
        description: str,
        total: int | None = None,
        *,
        large: bool = False,
        then: str | None = None,
    ) -> None:
        self.description = description
        self.then = then
        self.large = large or (total or 0) >= LARGE
        self.total = total
        self.completed = 0
        self._enabled = on_terminal()
        self._lock = threading.Lock()
        self._rich: Any = None
        self._task: Any = None
        self._timer: threading.Timer | None = None
        self._started = time.monotonic()

    def __enter__(self) -> Bar:
        if self._enabled:
            delay = 0.0 if self.large else _delay()
            self._timer = threading.Timer(delay, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def shown(self) -> bool:
        """Whether the bar is on the screen (it never is off a terminal)."""
        return self._rich is not None

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with self._lock:
            if self._timer is None:  # closed meanwhile
                return
            progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=sys.stderr),
                transient=True,
            )
            self._task = progress.add_task(
                self.description, total=self.total, completed=self.completed
            )
            progress.start()
            self._rich = progress

    def advance(self, steps: int = 1) -> None:
        """Count *steps* more items done; at the total, go on to the *then* step if any."""
        with self._lock:
            self.completed += steps
            if self._rich is not None:
                self._rich.update(self._task, completed=self.completed)
        if self.then and self.total is not None and self.completed >= self.total:
            self.pulse(self.then)

    def update(self, description: str | None = None, total: int | None = None) -> None:
        """Change the text or the total (the next step of the job)."""
        with self._lock:
            if description is not None:
                self.description = description
            if total is not None:
                self.total, self.completed = total, 0
            if self._rich is not None:
                self._rich.update(
                    self._task,
                    description=self.description,
                    total=self.total,
                    completed=self.completed,
                )

    def pulse(self, description: str) -> None:
        """The next step, of unknown length (one database write): the bar pulses."""
        with self._lock:
            self.description, self.total, self.completed = description, None, 0
            if self._rich is not None:
                # Rich's update() cannot clear a total; a new task of unknown size pulses.
                self._rich.remove_task(self._task)
                self._task = self._rich.add_task(description, total=None)

    def close(self) -> None:
        """Stop the bar and erase it (safe to call twice)."""
        with self._lock:
            timer, self._timer = self._timer, None
            rich, self._rich = self._rich, None
        if timer is not None:
            timer.cancel()
        if rich is not None:
            rich.stop()
