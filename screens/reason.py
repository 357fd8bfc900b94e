"""Ask for the mandatory reason of a decision (block a card, hold, kill, archive...).

Returns the typed reason, plus who approved it when the dialog asks for an approver
(prefilled, e.g. with the project's sponsor), or None when cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ecpm_tui.resources import css_path


@dataclass(frozen=True)
class Reason:
    """What the reason dialog returns."""

    reason: str
    approver: str = ""


class ReasonScreen(ModalScreen[Reason | None]):
    """A title, a required reason and an optional approver; Enter or ctrl+s confirms."""

    CSS_PATH = css_path("reason.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+g", "cancel", "Cancel", show=False, priority=True),
        Binding("ctrl+s", "confirm", "Confirm", priority=True),
    ]

    def __init__(
        self, question: Content, verb: str = "Confirm", approver: str | None = None
    ) -> None:
        super().__init__()
        self.question = question
        self.verb = verb
        self.approver = approver

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-box"):
            yield Static(self.question, id="reason-title")
            yield Input(placeholder="Reason (required)", id="reason-text")
            if self.approver is not None:
                yield Label("Approved by")
                yield Input(self.approver, placeholder="Who approved it", id="reason-approver")
            yield Static("", id="reason-error")
            with Horizontal(id="reason-buttons"):
                yield Button(f"{self.verb} (ctrl+s)", id="confirm", variant="warning")
                yield Button("Cancel (esc, ctrl+g)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#reason-text", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#confirm")
    def action_confirm(self) -> None:
        reason = self.query_one("#reason-text", Input).value.strip()
        if not reason:
            self.query_one("#reason-error", Static).update("A reason is required.")
            self.query_one("#reason-text", Input).focus()
            return
        approver = ""
        if self.approver is not None:
            approver = self.query_one("#reason-approver", Input).value.strip()
        self.dismiss(Reason(reason, approver))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
