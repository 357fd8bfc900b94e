"""Help: every key binding of the current screen, with its description."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import add_fixed_columns, cell

HIDDEN_ACTIONS = {"app.help", "help", "app.command_palette"}

KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "backslash": "\\",
    "left": "←",
    "right": "→",
    "up": "↑",
    "down": "↓",
    "escape": "esc",
    "exclamation_mark": "!",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "full_stop": ".",
    "comma": ",",
    "less_than_sign": "<",
    "greater_than_sign": ">",
    "number_sign": "#",
    "at": "@",
    "ampersand": "&",
    "asterisk": "*",
}


def key_name(key: str) -> str:
    """A key as people write it: ``?`` not ``question_mark``, ``shift+←`` not ``shift+left``."""
    *mods, last = key.split("+") if key != "plus" else ["plus"]
    return "+".join([*mods, KEY_NAMES.get(last, last)])


def binding_rows(active: Mapping[str, Any]) -> list[tuple[str, str, str, Any]]:
    """(key, description, action, node) for each described, enabled binding, deduplicated."""
    seen: set[tuple[str, str]] = set()
    rows: list[tuple[str, str, str, Any]] = []
    for key, active_binding in active.items():
        binding: Binding = active_binding.binding
        if not binding.description or not active_binding.enabled:
            continue
        marker = (binding.action, binding.description)
        # The real keys, not key_display: "shift+left,H" showed as "H, H".
        name = key_name(key)
        if marker in seen:
            # Same action on several keys (arrows and hjkl): list the keys together.
            for i, row in enumerate(rows):
                if (row[2], row[1]) == marker and name not in row[0].split(" / "):
                    rows[i] = (f"{row[0]} / {name}", *row[1:])
            continue
        seen.add(marker)
        rows.append((name, binding.description, binding.action, active_binding.node))
    return rows


def grouped_rows(
    rows: list[tuple[str, str, str, Any]],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(this screen's keys, keys that work everywhere), each as (key, description)."""

    # Keys the screen itself defines before inherited ones (tab, copy) and those of the
    # focused widget (scrolling, cursor).
    def defined_here(node: Any, action: str) -> bool:
        bindings = getattr(type(node), "BINDINGS", [])
        return isinstance(node, Screen) and any(
            isinstance(b, Binding) and b.action == action for b in bindings
        )

    first = [(k, d) for k, d, a, n in rows if defined_here(n, a)]
    rest = [(k, d) for k, d, a, n in rows if not isinstance(n, App) and not defined_here(n, a)]
    own = first + rest
    everywhere = [(k, d) for k, d, _a, node in rows if isinstance(node, App)]
    return own, everywhere


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
        self.own, self.everywhere = grouped_rows(self.rows)
        self.screen_name = screen_name.removesuffix("Screen")

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(f"Keys: {self.screen_name}  (Esc, ? or Enter closes)", id="help-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#help-table", DataTable)
        add_fixed_columns(table, [("Key", 18), ("Action", 44)])
        # This screen's own keys first, the global ones after, each under a heading.
        for heading, rows in ((self.screen_name, self.own), ("Everywhere", self.everywhere)):
            if not rows:
                continue
            table.add_row(Text(heading, style="bold"), Text(""))
            for key, description in rows:
                table.add_row(cell(key), cell(description))
        table.focus()

    def action_close(self) -> None:
        self.dismiss()
