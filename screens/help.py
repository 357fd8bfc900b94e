"""Help: every key binding of the current screen, with its description."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import add_fixed_columns, cell

HIDDEN_ACTIONS = {"app.help", "help", "app.command_palette"}


def binding_rows(active: Mapping[str, Any]) -> list[tuple[str, str, str, Any]]:
    """(key, description, action, node) for each described, enabled binding, deduplicated."""
    seen: set[tuple[str, str]] = set()
    rows: list[tuple[str, str, str, Any]] = []
    for key, active_binding in active.items():
        binding: Binding = active_binding.binding
        if not binding.description or not active_binding.enabled:
            continue
        marker = (binding.action, binding.description)
        if marker in seen:
            # Same action on several keys (arrows and hjkl): list the keys together.
            for i, row in enumerate(rows):
                if (row[2], row[1]) == marker:
                    rows[i] = (f"{row[0]}, {binding.key_display or key}", *row[1:])
            continue
        seen.add(marker)
        rows.append(
            (binding.key_display or key, binding.description, binding.action, active_binding.node)
        )
    return rows


class HelpScreen(ModalScreen[None]):
    """A modal list of the keys that work on the screen below."""

    CSS_PATH = css_path("help.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
        Binding("enter", "close", "Close", show=False),
    ]

    def __init__(self, active: Mapping[str, Any], screen_name: str) -> None:
        super().__init__()
        self.rows = binding_rows(active)
        self.screen_name = screen_name.removesuffix("Screen")

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(f"Keys: {self.screen_name}  (Esc, ? or Enter closes)", id="help-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#help-table", DataTable)
        add_fixed_columns(table, [("Key", 18), ("Action", 44)])
        for key, description, _action, _node in self.rows:
            table.add_row(cell(key), cell(description))
        table.focus()

    def action_close(self) -> None:
        self.dismiss()
