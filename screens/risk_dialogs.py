"""Small dialogs of the Risks screen: the template picker, the close reason, audit entries."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from ecpm_tui import risk
from ecpm_tui.errors import EcpmError
from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import add_fixed_columns, cell
from ecpm_tui.screens.risk_matrix import LEVEL_STYLE
from ecpm_tui.store import EventRow

if TYPE_CHECKING:
    from ecpm_tui.store import Store

DIALOG_CSS = css_path("risk_dialogs.tcss")


def template_line(t: risk.RiskTemplate) -> Text:
    """One template in the picker: title, category, default L x I and level letter."""
    lvl = risk.level(t.likelihood, t.impact)
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(f"{t.title:<44} {t.category:<11} {t.likelihood}x{t.impact} ")
    line.append(f" {lvl.letter} ", style=LEVEL_STYLE[lvl])
    return line


class TemplatePicker(ModalScreen[str | None]):
    """Pick one of the 15 built-in risks; returns its key (None: cancelled)."""

    CSS_PATH = DIALOG_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+g", "cancel", "Cancel", show=False, priority=True),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="template-box", classes="risk-dialog"):
            yield Static(
                "New risk from a template (enter picks, esc or ctrl+g cancels)",
                classes="dialog-title",
            )
            yield OptionList(
                *(Option(template_line(t), id=t.key) for t in risk.TEMPLATES),
                id="template-list",
            )

    def on_mount(self) -> None:
        self.query_one("#template-list", OptionList).highlighted = 0

    @on(OptionList.OptionSelected, "#template-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReasonScreen(ModalScreen[str | None]):
    """Ask for a mandatory reason (closing a risk); enter or ctrl+s confirms."""

    CSS_PATH = DIALOG_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "confirm", "Confirm", priority=True),
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+g", "cancel", "Cancel", show=False, priority=True),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="risk-reason-box", classes="risk-dialog"):
            yield Static(Content(self.question), classes="dialog-title")
            yield Input(placeholder="Reason (required; enter confirms)", id="reason-input")
            yield Static("", id="reason-error")

    def on_mount(self) -> None:
        self.query_one("#reason-input", Input).focus()

    @on(Input.Submitted, "#reason-input")
    def action_confirm(self) -> None:
        reason = self.query_one("#reason-input", Input).value.strip()
        if not reason:
            self.query_one("#reason-error", Static).update("A reason is required.")
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RiskEventsScreen(ModalScreen[None]):
    """A risk's audit entries, newest first."""

    CSS_PATH = DIALOG_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+g", "close", "Close", show=False, priority=True),
        Binding("y", "close", "Close", show=False),
    ]

    def __init__(self, store: Store, risk_id: int, ref: str) -> None:
        super().__init__()
        self.store = store
        self.risk_id = risk_id
        self.ref = ref

    def compose(self) -> ComposeResult:
        with Vertical(id="events-box", classes="risk-dialog"):
            yield Static(
                Content(f"Audit entries of risk {self.ref} (esc, ctrl+g or y closes)"),
                classes="dialog-title",
            )
            yield DataTable(id="risk-events", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one("#risk-events", DataTable)
        add_fixed_columns(table, [("When (UTC)", 16), ("User", 10), ("Action", 7), ("What", 80)])
        table.focus()
        self._load()

    @work(thread=True, exclusive=True, group="risk-events")
    def _load(self) -> None:
        try:
            events = self.store.risk_events(self.risk_id)
        except EcpmError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error")
            return
        self.app.call_from_thread(self._show, events)

    def _show(self, events: list[EventRow]) -> None:
        table = self.query_one("#risk-events", DataTable)
        for e in events:
            table.add_row(
                cell(e.at.strftime("%Y-%m-%d %H:%M")),
                cell(e.user),
                cell(e.action),
                cell(e.summary, 300),
            )

    def action_close(self) -> None:
        self.dismiss(None)
