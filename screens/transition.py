"""Phase transition dialog: unmet gate criteria, conditions with owners, approver, reason.

Moving forward with unmet criteria is a go-with-conditions: each unmet criterion gets
an owner and a due date (each becomes a card in the new phase). Unmet *mandatory*
criteria cannot be overridden: the dialog lists them and offers no way to proceed.
Moving back (recycle) asks for the reason and the approver only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ecpm_tui import dates, lifecycle
from ecpm_tui.resources import css_path
from ecpm_tui.store import ConditionSpec
from ecpm_tui.text import clean, one_line


@dataclass(frozen=True)
class TransitionChoice:
    """What the user decided in the dialog."""

    reason: str
    approver: str
    conditions: list[ConditionSpec] = field(default_factory=list)


class TransitionScreen(ModalScreen[TransitionChoice | None]):
    """Returns the decision details (go with conditions / recycle), or None to cancel."""

    CSS_PATH = css_path("transition.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+g", "cancel", "Cancel", show=False, priority=True),
        Binding("ctrl+s", "proceed", "Proceed", priority=True),
    ]

    def __init__(
        self,
        key: str,
        current: lifecycle.Phase,
        target: lifecycle.Phase,
        unmet: list[str],
        *,
        mandatory: list[str] | None = None,
        sponsor: str = "",
        today: date | None = None,
    ) -> None:
        super().__init__()
        self.key = key
        self.current = current
        self.target = target
        self.unmet = unmet
        self.mandatory = list(mandatory or [])
        self.sponsor = sponsor
        self.today = today or date(2000, 1, 1)
        self.backwards = lifecycle.phase_index(target) < lifecycle.phase_index(current)

    def heading(self) -> str:
        key = one_line(self.key)
        if self.backwards:
            return (
                f"Recycle {key} from {self.current.label} back to {self.target.label}: "
                "give the reason."
            )
        if self.mandatory:
            n = len(self.mandatory)
            noun = "criterion is" if n == 1 else "criteria are"
            return (
                f"{key}: {n} mandatory {self.current.label} {noun} unmet. No decision "
                "overrides it: tick it in the gate (g) first."
                if n == 1
                else f"{key}: {n} mandatory {self.current.label} {noun} unmet. No decision "
                "overrides them: tick them in the gate (g) first."
            )
        return (
            f"{key}: {len(self.unmet)} {self.current.label} exit criteria are not met. "
            f"Proceed to {self.target.label} with conditions: give each an owner and a "
            "due date (each becomes a card)."
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="transition-box"):
            yield Static(Content(self.heading()), id="transition-title")
            with VerticalScroll(id="transition-unmet"):
                if self.mandatory:
                    for text in self.mandatory:
                        yield Static(Content("- MANDATORY: " + clean(text)), classes="mandatory")
                elif not self.backwards:
                    for n, text in enumerate(self.unmet, 1):
                        yield Static(Content(f"{n}. {clean(text)}"), classes="condition-text")
                        with Horizontal(classes="condition-row"):
                            yield Input(placeholder="owner", id=f"owner-{n}", classes="owner")
                            yield Input(
                                placeholder="due: +2w, fri, YYYY-MM-DD",
                                id=f"due-{n}",
                                classes="due",
                            )
                        yield Static("", id=f"error-{n}", classes="condition-error")
            if not self.mandatory:
                yield Input(placeholder="Reason (required)", id="transition-reason")
                with Horizontal(id="transition-approver-row"):
                    yield Label("Approved by ")
                    yield Input(self.sponsor, placeholder="approver", id="transition-approver")
            yield Static("", id="transition-error")
            with Horizontal(id="transition-buttons"):
                if not self.mandatory:
                    yield Button("Proceed (ctrl+s)", id="proceed", variant="warning")
                yield Button("Cancel (esc, ctrl+g)", id="cancel")

    def on_mount(self) -> None:
        if self.mandatory:
            self.query_one("#cancel", Button).focus()
        elif self.backwards or not self.unmet:
            self.query_one("#transition-reason", Input).focus()
        else:
            self.query_one("#owner-1", Input).focus()

    def conditions(self) -> list[ConditionSpec] | None:
        """The conditions typed, or None after showing what is missing next to each row."""
        out: list[ConditionSpec] = []
        ok = True
        for n, text in enumerate(self.unmet, 1):
            owner = self.query_one(f"#owner-{n}", Input).value.strip()
            due_text = self.query_one(f"#due-{n}", Input).value.strip()
            problems = []
            if not owner:
                problems.append("owner is required")
            due: date | None = None
            if not due_text:
                problems.append("due date is required")
            else:
                try:
                    due = dates.parse_date(due_text, self.today)
                except (dates.DateError, OverflowError) as exc:
                    problems.append(f"due date: {exc}")
            self.query_one(f"#error-{n}", Static).update(Content("; ".join(problems)))
            if problems:
                ok = False
                continue
            out.append(ConditionSpec(clean(text), owner, due))
        return out if ok else None

    @on(Input.Submitted)
    @on(Button.Pressed, "#proceed")
    def action_proceed(self) -> None:
        if self.mandatory:
            return
        error = self.query_one("#transition-error", Static)
        conditions: list[ConditionSpec] = []
        if not self.backwards and self.unmet:
            found = self.conditions()
            if found is None:
                error.update("Each condition needs an owner and a due date.")
                return
            conditions = found
        reason = self.query_one("#transition-reason", Input).value.strip()
        if not reason:
            error.update("A reason is required.")
            self.query_one("#transition-reason", Input).focus()
            return
        approver = self.query_one("#transition-approver", Input).value.strip()
        self.dismiss(TransitionChoice(reason, approver, conditions))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
