"""Gate checklist of a project's current phase: tick criteria with space or enter."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, cast

from ecpm_tui.text import one_line

if TYPE_CHECKING:
    from ecpm_tui.app import EcpmApp
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ecpm_tui.errors import EcpmError
from ecpm_tui.resources import css_path
from ecpm_tui.store import GateStatus, Store


class GateScreen(ModalScreen[None]):
    """The exit criteria of the current phase, each ticked in its own transaction."""

    CSS_PATH = css_path("gate.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "tick", "Tick/untick"),
        Binding("m", "mandatory", "Mandatory on/off"),
        Binding("j", "down", "Down", show=False),
        Binding("k", "up", "Up", show=False),
        Binding("escape", "close", "Close"),
        Binding("g", "close", "Close", show=False),
    ]

    def __init__(self, project_id: int) -> None:
        super().__init__()
        self.project_id = project_id
        self.status: GateStatus | None = None

    @property
    def store(self) -> Store:
        return cast("EcpmApp", self.app).store

    def compose(self) -> ComposeResult:
        with Vertical(id="gate-box"):
            yield Static("Loading gate...", id="gate-title")
            yield OptionList(id="gate-list")
            yield Static(
                "space/enter: tick or untick   m: mandatory on/off   g or esc: close",
                id="gate-help",
            )

    def on_mount(self) -> None:
        self.query_one("#gate-list", OptionList).focus()
        self.load()

    @work(thread=True, exclusive=True, group="gate")
    def load(self) -> None:
        try:
            status = self.store.gate_checks(self.project_id)
        except EcpmError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error")
            return
        self.app.call_from_thread(self.show, status)

    def show(self, status: GateStatus) -> None:
        self.status = status
        done = sum(c.done for c in status.checks)
        self.query_one("#gate-title", Static).update(
            Content(
                f"{one_line(status.project.key)} gate: {status.phase.label} exit criteria "
                f"({done}/{len(status.checks)} done)"
            )
        )
        options = self.query_one("#gate-list", OptionList)
        keep = options.highlighted
        lines = []
        for c in status.checks:
            line = Text(no_wrap=False)
            line.append("[x] " if c.done else "[ ] ", style="green" if c.done else "yellow")
            if c.mandatory:
                line.append("MANDATORY ", style="bold red")
            line.append(one_line(c.text))
            if c.done and c.done_by:
                line.append(f"  ({one_line(c.done_by)})", style="dim")
            lines.append(Option(line, id=str(c.id)))
        options.set_options(lines)
        if lines:
            options.highlighted = min(keep or 0, len(lines) - 1)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_tick()

    def action_tick(self) -> None:
        options = self.query_one("#gate-list", OptionList)
        if self.status is None or options.highlighted is None:
            return
        check = self.status.checks[options.highlighted]
        assert check.id is not None
        self.toggle(check.id, not check.done, check.version)

    def action_mandatory(self) -> None:
        """Make the highlighted criterion mandatory, or optional again."""
        options = self.query_one("#gate-list", OptionList)
        if self.status is None or options.highlighted is None:
            return
        check = self.status.checks[options.highlighted]
        assert check.id is not None
        self.run_write(lambda: self.store.set_gate_mandatory(check.id, not check.mandatory))

    @work(thread=True, group="gate-write")
    def run_write(self, action: Callable[[], object]) -> None:
        """Run one store write, then reload the checklist."""
        try:
            action()
            cast("EcpmApp", self.app).absorb_own_write()
        except EcpmError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error")
        self.load()

    @work(thread=True, group="gate-write")
    def toggle(self, check_id: int, done: bool, version: int) -> None:
        try:
            self.store.set_gate_check(check_id, done, expected_version=version)
            cast("EcpmApp", self.app).absorb_own_write()
        except EcpmError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error")
        self.load()

    def action_down(self) -> None:
        self.query_one("#gate-list", OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#gate-list", OptionList).action_cursor_up()

    def action_close(self) -> None:
        self.dismiss()
