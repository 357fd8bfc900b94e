"""The Textual application shell: five screens as modes, global keys, palette, change polling."""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Iterable, Sequence
from functools import partial
from typing import ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen

from ecpm_tui.errors import EcpmError
from ecpm_tui.resources import css_path
from ecpm_tui.screens.activity import ActivityScreen
from ecpm_tui.screens.base import DataChanged
from ecpm_tui.screens.board import BoardScreen
from ecpm_tui.screens.form import FormScreen
from ecpm_tui.screens.help import HelpScreen
from ecpm_tui.screens.palette import EcpmCommands
from ecpm_tui.screens.pptf import PptfScreen
from ecpm_tui.screens.projects import ProjectsScreen
from ecpm_tui.screens.risks import RisksScreen
from ecpm_tui.store import Store
from ecpm_tui.text import clean, one_line

SCREENS_BY_KEY: tuple[tuple[str, str, str], ...] = (
    ("1", "projects", "Projects"),
    ("2", "board", "Board"),
    ("3", "pptf", "PPTF"),
    ("4", "risks", "Risks"),
    ("5", "activity", "Activity"),
)


class EcpmApp(App[None]):
    """ecpm: e-commerce project management in the terminal."""

    TITLE = "ecpm"
    CSS_PATH = css_path("app.tcss")
    MODES: ClassVar = {
        "projects": ProjectsScreen,
        "board": BoardScreen,
        "pptf": PptfScreen,
        "risks": RisksScreen,
        "activity": ActivityScreen,
    }
    DEFAULT_MODE = "projects"
    COMMANDS = App.COMMANDS | {EcpmCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"app.switch_mode('{mode}')", label) for key, mode, label in SCREENS_BY_KEY),
        Binding("question_mark", "app.help", "Help"),
        Binding("ctrl+p", "app.command_palette", "Commands", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    current_project_id: reactive[int | None] = reactive(None)
    """The project the Board, PPTF and Risks screens are focused on."""

    def __init__(
        self, store: Store, poll_interval: float = 1.0, startup_warnings: Sequence[str] = ()
    ) -> None:
        super().__init__()
        self.store = store
        self.poll_interval = poll_interval
        self.startup_warnings = list(startup_warnings)
        self._token: int | None = None
        # Which screen was on top when each recent key arrived (see on_key).
        self.key_origins: deque[tuple[events.Key, Screen[object]]] = deque(maxlen=64)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a toast, always as literal text.

        Messages carry user text (card titles, project keys, error details); as markup,
        ``[/]`` in a title crashed the app and ``[@click=app.quit]`` became a live link.
        Screens' ``notify`` passes ``markup=True`` by default, so the choice is made here.
        """
        del markup
        super().notify(
            clean(message), title=one_line(title), severity=severity, timeout=timeout, markup=False
        )

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.key_origins.append((event, self.screen))
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        """Keys typed right after the key that opened a form go into the form.

        The terminal delivers ``n`` and the next letters together; they are all routed to
        the screen below before ``n`` opens the form, then bubble up here. Without this
        they were dropped, or run as commands (``q`` quit, a digit switched screens).
        """
        origin = next((s for e, s in self.key_origins if e is event), None)
        form = self.screen
        typed_ahead = origin is not None and origin is not form
        if typed_ahead and isinstance(form, FormScreen) and form.type_ahead(event):
            event.stop()
            event.prevent_default()

    def on_mount(self) -> None:
        self.sub_title = self.store.db.display
        for warning in self.startup_warnings:  # e.g. a broken pptf_questions.toml
            self.notify(
                warning, title="Check your settings", severity="warning", timeout=20, markup=False
            )
        if self.poll_interval > 0:
            self.set_interval(self.poll_interval, self.poll_changes)

    def action_help(self) -> None:
        """Show every binding of the current screen."""
        screen = self.screen
        if isinstance(screen, HelpScreen):
            screen.dismiss()
            return
        self.push_screen(HelpScreen(screen.active_bindings, type(screen).__name__))

    def open_project(self, project_id: int, mode: str = "board") -> None:
        """Focus a project and switch to one of its screens."""
        self.current_project_id = project_id
        self.switch_mode(mode)

    def data_changed(self) -> None:
        """Tell the visible screen to reload (after this user's own write)."""
        self.screen.post_message(DataChanged())

    def absorb_own_write(self) -> None:
        """Call from a worker right after this user's write: the screen reloads for it
        anyway, so the change poll must not reload a second time for the same commit."""
        with contextlib.suppress(EcpmError):
            self._token = self.store.db.change_token()

    @work(thread=True, exclusive=True, group="poll")
    def poll_changes(self) -> None:
        """Notice other users' commits (PRAGMA data_version / change counter)."""
        try:
            token = self.store.db.change_token()
        except EcpmError:
            return
        if self._token is not None and token != self._token:
            self.call_from_thread(self.data_changed)
        self._token = token

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for key, mode, label in SCREENS_BY_KEY:
            yield SystemCommand(
                f"Go to {label}",
                f"Switch to the {label} screen (key {key})",
                partial(self.switch_mode, mode),
            )
