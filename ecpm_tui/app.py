"""The Textual application shell: five screens as modes, global keys, palette, change polling."""

from __future__ import annotations

import contextlib
import importlib
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen

from ecpm_tui.errors import EcpmError
from ecpm_tui.gc_policy import IdleCollector
from ecpm_tui.resources import css_path
from ecpm_tui.screens.start import StartScreen
from ecpm_tui.text import clean, one_line

if TYPE_CHECKING:
    from textual.command import Provider

    from ecpm_tui.screens.board_prefetch import BoardPrefetch
    from ecpm_tui.store import Store

SCREENS_BY_KEY: tuple[tuple[str, str, str], ...] = (
    ("1", "projects", "Projects"),
    ("2", "board", "Board"),
    ("3", "pptf", "PPTF"),
    ("4", "risks", "Risks"),
    ("5", "activity", "Activity"),
)


def _lazy(module: str, name: str) -> Callable[[], Screen[None]]:
    """A mode's screen, imported when first shown: the screens import the storage
    layer, which must not delay the first paint (see :class:`StartScreen`)."""

    def make() -> Screen[None]:
        screen: Screen[None] = getattr(importlib.import_module(module), name)()
        return screen

    return make


def _ecpm_commands() -> type[Provider]:
    """The palette's provider, imported when the palette first opens: it loads the help
    screen and the DataTable, which the first paint does not need."""
    from ecpm_tui.screens.palette import EcpmCommands

    return EcpmCommands


# Quitting works while the database opens; every other key waits for it.
HELD_KEY_EXCEPTIONS = frozenset({"ctrl+c", "ctrl+q"})
COLLECT_EVERY_S = 0.25  # how often the idle collector looks (see gc_policy)
KEY_DONE_TIMEOUT_S = 0.25
"""How long the next key waits at most for a key whose widget never reported back (it
was removed meanwhile); the check runs with the collector's, so up to twice that."""


class KeyDone(Message):
    """Posted right behind a key to the widget the key went to: it bubbles up the same
    widgets after the key, so it reaches the app once the key has been handled, also
    when a widget on the way stopped the key."""


class EcpmApp(App[None]):
    """ecpm: e-commerce project management in the terminal."""

    TITLE = "ecpm"
    # The start screen's and the board's sheets are read with the app's: a screen's own
    # CSS_PATH met at mount time makes Textual re-parse every stylesheet and restyle the
    # app, a sizeable part of the start-up cost and 20 ms of opening the board (parsing
    # the board's sheet at start costs a few).
    CSS_PATH: ClassVar = [css_path("app.tcss"), css_path("start.tcss"), css_path("board.tcss")]
    MODES: ClassVar = {
        "projects": _lazy("ecpm_tui.screens.projects", "ProjectsScreen"),
        "board": _lazy("ecpm_tui.screens.board", "BoardScreen"),
        "pptf": _lazy("ecpm_tui.screens.pptf", "PptfScreen"),
        "risks": _lazy("ecpm_tui.screens.risks", "RisksScreen"),
        "activity": _lazy("ecpm_tui.screens.activity", "ActivityScreen"),
    }
    DEFAULT_MODE = "projects"
    COMMANDS = App.COMMANDS | {_ecpm_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"app.switch_mode('{mode}')", label) for key, mode, label in SCREENS_BY_KEY),
        Binding("question_mark", "app.help", "Help"),
        Binding("ctrl+p", "app.command_palette", "Commands", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    current_project_id: reactive[int | None] = reactive(None)
    """The project the Board, PPTF and Risks screens are focused on."""

    def __init__(
        self,
        store: Store | None = None,
        poll_interval: float = 1.0,
        startup_warnings: Sequence[str] = (),
        *,
        open_store: Callable[[], Store] | None = None,
    ) -> None:
        """Run over *store*, or open one with *open_store* in a worker after the first
        paint (the start screen shows meanwhile; a failure exits with ``start_error``).
        *startup_warnings* are shown once the database is open."""
        if store is None and open_store is None:
            raise ValueError("EcpmApp needs a store or a way to open one")
        if store is None:
            # Per instance, before App.__init__ reads it: only this app starts on the
            # start screen. It is Textual's default screen, not a mode of MODES: the
            # first screen of a mode makes Textual re-parse every stylesheet and restyle
            # the app once more, a sizeable part of the start-up cost.
            self.DEFAULT_MODE = App.DEFAULT_MODE  # type: ignore[misc]
        super().__init__()
        if store is not None:
            self.store = store
        self.open_store = open_store
        self.start_error: EcpmError | None = None
        self.poll_interval = poll_interval
        # Not copied: read once the database is open, so *open_store* may still add to it.
        self.startup_warnings = startup_warnings
        self._token: int | None = None
        # Which screen was on top when each recent key arrived, and whether the key went
        # to that screen itself for want of a focused widget (see on_key).
        self.key_origins: deque[tuple[events.Key, Screen[object], bool]] = deque(maxlen=64)
        # Keys waiting their turn, let through one at a time in order (see on_event): typed
        # while the database opens or a screen opens from a worker, or behind a key that
        # is still being handled.
        self.held_keys: list[events.Key] = []
        self.holding = 0  # > 0 while a screen opens from a worker (see hold_keys)
        # The key being handled (its KeyDone and when it was sent), and the held key
        # let through next (see on_event).
        self.key_in_flight: tuple[KeyDone, events.Key, float] | None = None
        self.next_key: events.Key | None = None
        self.board_prefetch: BoardPrefetch | None = None  # see prefetch_board
        # Cycle collections while input pauses (when the ecpm command applied gc_policy).
        self.collector = IdleCollector()

    def get_default_screen(self) -> Screen[object]:
        """The start screen, shown (when no store was given) while the database opens."""
        return StartScreen()

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
        if isinstance(event, events.InputEvent):
            self.collector.input()
        if not isinstance(event, events.Key):
            await super().on_event(event)
            return
        if event.is_forwarded:
            await super().on_event(event)  # back at the app: its bindings have run now
            if self.key_in_flight is not None and self.key_in_flight[1] is event:
                self._key_handled()
            return
        if event is self.next_key:
            self.next_key = None
        elif self._keys_wait() and event.key not in HELD_KEY_EXCEPTIONS:
            # A person who starts ecpm and types ``2`` or ``n`` and a name at once
            # over a slow link gets all of it once the database is open.
            self.held_keys.append(event)
            return
        self.key_origins.append((event, self.screen, self.focused is None))
        await super().on_event(event)
        # One key at a time: Textual hands every key to the focused widget at once, but
        # runs a binding only when its key has bubbled back up to the app. Text typed
        # right behind ctrl+u went into the field first and was erased with the rest;
        # behind tab, it went into the field being left.
        done = KeyDone()
        if (self.focused or self.screen).post_message(done):
            self.key_in_flight = (done, event, self.collector.clock())

    def _keys_wait(self) -> bool:
        # Held keys go first: a new key waits behind them too.
        return self._keys_blocked() or bool(self.held_keys)

    def _keys_blocked(self) -> bool:
        """Whether no key may go through now (held or not)."""
        return bool(
            self.holding or not hasattr(self, "store") or self.key_in_flight or self.next_key
        )

    @on(KeyDone)
    def _key_done(self, message: KeyDone) -> None:
        # The key was stopped on the way (a field took it): this came up behind it.
        if self.key_in_flight is not None and self.key_in_flight[0] is message:
            self._key_handled()

    def _key_handled(self) -> None:
        self.key_in_flight = None
        self._next_held_key()

    def _next_held_key(self) -> None:
        """Let the first held key through, unless something still holds the keys."""
        if not self.held_keys or self._keys_blocked():
            return
        key = self.held_keys.pop(0)
        self.next_key = events.Key(key.key, key.character)
        self.post_message(self.next_key)

    def _tick(self) -> None:
        self.collector.tick()
        flight = self.key_in_flight
        if flight is not None and self.collector.clock() - flight[2] > KEY_DONE_TIMEOUT_S:
            self._key_handled()  # stopped by a widget that went away before its KeyDone

    def on_key(self, event: events.Key) -> None:
        """Keys typed right after the key that opened a form go into the form.

        The terminal delivers ``n`` and the next letters together. Each letter is let
        through once ``n`` has been handled, but a form focuses its first field only
        once mounted: a letter that came before went to the screen below, or to the
        form with nothing focused, and bubbles up here. Without this such keys were
        dropped, or run as commands (``q`` quit, a digit switched screens).
        """
        origin = next(((s, bare) for e, s, bare in self.key_origins if e is event), None)
        form = self.screen
        if origin is not None and (origin[0] is not form or origin[1]):
            from ecpm_tui.screens.form import FormScreen  # loaded with the storage layer

            if isinstance(form, FormScreen) and form.type_ahead(event):
                event.stop()
                event.prevent_default()

    def on_mount(self) -> None:
        self.set_interval(COLLECT_EVERY_S, self._tick)
        if self.open_store is not None and not hasattr(self, "store"):
            # After the first paint: the worker imports the storage layer, and a thread
            # importing holds the GIL for long stretches that delayed the start screen.
            self.call_after_refresh(self._open_store, self.open_store)
        else:
            self._started()

    @work(thread=True, exit_on_error=False)
    def _open_store(self, open_store: Callable[[], Store]) -> None:
        """Import the storage layer and open (and if need be migrate) the database."""
        try:
            store = open_store()
        except EcpmError as exc:
            self.call_from_thread(self._failed, exc)
            return
        self.call_from_thread(self._opened, store)  # type: ignore[arg-type]

    def _failed(self, error: EcpmError) -> None:
        self.start_error = error
        self.exit(return_code=1)

    async def _opened(self, store: Store) -> None:
        self.store = store
        # Awaited, then one refresh more: the held keys reach a mounted Projects screen.
        await self.switch_mode("projects")
        self._started()
        self.screen.call_after_refresh(self._next_held_key)

    def hold_keys(self) -> None:
        """Keep the keys typed from now on until :meth:`release_keys`: a screen that opens
        after a read (the card editor) gets what was typed meanwhile, in order, instead
        of the screen below running it as commands."""
        self.holding += 1

    def release_keys(self) -> None:
        """Let the held keys go, in order, to whatever screen is on top once drawn."""
        self.holding = max(0, self.holding - 1)
        if not self.holding:
            self.screen.call_after_refresh(self._next_held_key)

    def _started(self) -> None:
        self.sub_title = self.store.db.display
        for warning in self.startup_warnings:  # e.g. a broken pptf_questions.toml
            self.notify(
                warning, title="Check your settings", severity="warning", timeout=20, markup=False
            )
        if self.poll_interval > 0:
            self.set_interval(self.poll_interval, self.poll_changes)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No screen switching until the database is open."""
        if action == "switch_mode" and not hasattr(self, "store"):
            return False
        return super().check_action(action, parameters)

    def action_help(self) -> None:
        """Show every binding of the current screen."""
        from ecpm_tui.screens.help import HelpScreen  # with the DataTable, not at start

        screen = self.screen
        if isinstance(screen, HelpScreen):
            screen.dismiss()
            return
        self.push_screen(HelpScreen(screen.active_bindings, type(screen).__name__))

    def open_project(self, project_id: int, mode: str = "board") -> None:
        """Focus a project and switch to one of its screens."""
        self.current_project_id = project_id
        self.switch_mode(mode)

    def on_ecpm_screen_loaded(self) -> None:
        # The first screen is drawn with its data: the board's cards are read next, in
        # the background, for when it opens.
        self.prefetch_board()

    def prefetch_board(self) -> BoardPrefetch:
        """The background read of the board's cards, started the first time this is
        called: once the first screen shows its data, or by the board itself."""
        if self.board_prefetch is None:
            from ecpm_tui.screens.board_prefetch import BoardPrefetch  # with the screens

            self.board_prefetch = BoardPrefetch()
            self.board_prefetch.start(self)
        return self.board_prefetch

    def data_changed(self) -> None:
        """Tell the visible screen to reload (after this user's own write)."""
        from ecpm_tui.screens.base import DataChanged  # loaded by then, with the screens

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
