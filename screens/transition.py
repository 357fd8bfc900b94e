"""Phase transition dialog: show unmet gate criteria and ask for the mandatory reason."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ecpm_tui import lifecycle
from ecpm_tui.resources import css_path
from ecpm_tui.text import clean, one_line


class TransitionScreen(ModalScreen[str | None]):
    """Returns the reason to proceed (go with conditions / recycle), or None to cancel."""

    CSS_PATH = css_path("transition.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+g", "cancel", "Cancel", show=False, priority=True),
        Binding("ctrl+s", "proceed", "Proceed", priority=True),
    ]

    def __init__(
        self, key: str, current: lifecycle.Phase, target: lifecycle.Phase, unmet: list[str]
    ) -> None:
        super().__init__()
        self.key = key
        self.current = current
        self.target = target
        self.unmet = unmet
        self.backwards = lifecycle.phase_index(target) < lifecycle.phase_index(current)

    def compose(self) -> ComposeResult:
        with Vertical(id="transition-box"):
            if self.backwards:
                head = (
                    f"Recycle {one_line(self.key)} from {self.current.label} back to "
                    f"{self.target.label}: give the reason."
                )
            else:
                head = (
                    f"{one_line(self.key)}: {len(self.unmet)} {self.current.label} exit "
                    f"criteria are not met. Proceed to {self.target.label} with conditions?"
                )
            yield Static(Content(head), id="transition-title")
            with VerticalScroll(id="transition-unmet"):
                for text in self.unmet:
                    yield Static(Content("- " + clean(text)))
            yield Input(placeholder="Reason (required)", id="transition-reason")
            yield Static("", id="transition-error")
            with Horizontal(id="transition-buttons"):
                yield Button("Proceed (ctrl+s)", id="proceed", variant="warning")
                yield Button("Cancel (esc, ctrl+g)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#transition-reason", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#proceed")
    def action_proceed(self) -> None:
        reason = self.query_one("#transition-reason", Input).value.strip()
        if not reason:
            self.query_one("#transition-error", Static).update("A reason is required.")
            return
        self.dismiss(reason)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
