"""Shared plumbing for ecpm screens: data loading in thread workers and safe cells."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from rich.text import Text
from textual import work
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable
from textual.worker import Worker, get_current_worker

from ecpm_tui.errors import EcpmError
from ecpm_tui.text import clean, one_line

if TYPE_CHECKING:
    from ecpm_tui.app import EcpmApp
    from ecpm_tui.store import Store

T = TypeVar("T")


def safe(value: object, max_len: int | None = None, *, single_line: bool = False) -> Content:
    """User text as literal Content: never parsed as markup, never emits escapes."""
    text = one_line(value, max_len) if single_line else clean(value, max_len)
    return Content(text)


def cell(value: object, max_len: int | None = 80, style: str = "") -> Text:
    """A literal table cell: control characters stripped, never parsed as markup."""
    return Text(
        " ".join(clean(value, max_len).split()), style=style, no_wrap=True, overflow="ellipsis"
    )


def add_fixed_columns(table: DataTable[Any], columns: Sequence[tuple[str, int]]) -> None:
    """Add columns with fixed widths.

    Auto-width columns are measured on idle, after a first paint may already have cached
    rows at the old widths (Textual 8.2), leaving the table drawn truncated until the
    cursor passes over each row; fixed widths avoid that and keep the layout stable.
    """
    for label, width in columns:
        table.add_column(label, width=width)


class DataChanged(Message):
    """Someone (this user or another) committed a change to the database."""


class EcpmScreen(Screen[None]):
    """A main screen: loads its data off the UI thread and reloads on changes."""

    class Loaded(Message):
        """The screen shows data it has just loaded (the app then reads ahead)."""

    @property
    def ecpm(self) -> EcpmApp:
        return cast("EcpmApp", self.app)

    @property
    def store(self) -> Store:
        return self.ecpm.store

    def on_screen_resume(self) -> None:
        self.reload()

    def on_data_changed(self, _message: DataChanged) -> None:
        self.reload()

    def reload(self) -> None:
        """Fetch fresh data in a worker and show it when it arrives."""
        self._load()

    def fetch(self) -> Any:
        """Read what the screen shows (runs in a thread; store calls only)."""
        return None

    def show(self, data: Any) -> None:
        """Put freshly fetched data on screen (runs on the UI thread)."""

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        worker = get_current_worker()
        try:
            data = self.fetch()
        except EcpmError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error", timeout=8)
            return
        self.app.call_from_thread(self._loaded, worker, data)

    def _loaded(self, worker: Worker[None], data: Any) -> None:
        # A newer load started while this one read (a write's reload after the reload of a
        # closing dialog): its data is newer. Threads finish in any order, and showing
        # this one last put back rows that had just been deleted. Checked here, on the UI
        # thread, where newer loads are started.
        if not worker.is_cancelled:
            self.show(data)
            self.post_message(self.Loaded())

    def perform(
        self,
        action: Callable[[], T],
        done: Callable[[T], None] | None = None,
        failed: Callable[[EcpmError], bool] | None = None,
    ) -> None:
        """Run one store action in a worker, then reload; errors become notifications.

        *failed* may handle an error itself (return True) instead of the default notice.
        """
        self._perform(action, done, failed)

    @work(thread=True, group="write")
    def _perform(
        self,
        action: Callable[[], Any],
        done: Callable[[Any], None] | None,
        failed: Callable[[EcpmError], bool] | None,
    ) -> None:
        try:
            result = action()
            self.ecpm.absorb_own_write()
        except EcpmError as exc:

            def report(error: EcpmError = exc) -> None:
                if failed is None or not failed(error):
                    self.notify(error.message, severity="error", timeout=8)
                self.reload()

            self.app.call_from_thread(report)
            return

        def finish() -> None:
            if done is not None:
                done(result)
            self.ecpm.data_changed()

        self.app.call_from_thread(finish)
