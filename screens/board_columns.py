"""The board's five columns as one focus stop.

Moving Textual's focus repaints the whole screen (``Screen.focused`` is a repainting
reactive) and restyles both widgets, which also re-lays out the screen (their scrollbars
get their rules set again): about 100 ms a key on the board. So the columns never take
the focus: this container holds it, keeps which column is active, and passes the cursor
keys to it. The active column draws itself with component styles (no CSS class change,
no restyle): ``h``/``l`` repaint just the two columns involved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.containers import Horizontal

from ecpm_tui import lifecycle
from ecpm_tui.screens.board_render import BoardItem, CardList
from ecpm_tui.screens.card_column import CardColumn


class BoardList(CardList):
    """A board column that never takes the focus; drawn as focused while it is the
    active column of the focused :class:`BoardColumns`."""

    can_focus = False

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "card-column--cursor",
        "board-list--active",
        "board-list--active-cursor",
    }

    def __init__(self, phase: lifecycle.Phase, render: Callable[[BoardItem], Text]) -> None:
        super().__init__(phase, render)
        self.selected = False

    def looks_focused(self) -> bool:
        """Whether to draw as the focused column."""
        parent = self.parent.parent if self.parent is not None else None
        return self.selected and parent is not None and parent.has_focus

    @property
    def rich_style(self) -> Style:
        """The column's style, with the active background while it looks focused."""
        style = super().rich_style
        if self.looks_focused():
            # Only the background: a focused column kept its text colour.
            active = self.get_component_rich_style("board-list--active")
            return style + Style(bgcolor=active.bgcolor)
        return style

    def get_component_rich_style(
        self, *names: str, partial: bool = False, default: Style | None = None
    ) -> Style:
        """The cursor of the active column is drawn as a focused column's cursor."""
        if names == ("card-column--cursor",) and self.looks_focused():
            names = ("board-list--active-cursor",)
        return super().get_component_rich_style(*names, partial=partial, default=default)


class BoardColumns(Horizontal, can_focus=True):
    """Holds the focus for the columns; the cursor keys act on the active one."""

    # The same keys as a focused column (same help text, same order).
    BINDINGS: ClassVar[list[BindingType]] = list(CardColumn.BINDINGS)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.active = 0
        self._lists: list[BoardList] = []

    def lists(self) -> list[BoardList]:
        """The columns, left to right."""
        if not self._lists:
            self._lists = list(self.query(BoardList))
        return self._lists

    def current(self) -> BoardList:
        """The active column."""
        return self.lists()[self.active]

    def activate(self, index: int) -> BoardList:
        """Make column *index* the active one (no focus change: two columns repainted)."""
        lists = self.lists()
        index = max(0, min(len(lists) - 1, index))
        old = lists[self.active]
        if index != self.active and old.selected:
            old.selected = False
            old.refresh()
        self.active = index
        new = lists[index]
        if not new.selected:
            new.selected = True
            new.refresh()
        return new

    def on_focus(self, _event: events.Focus) -> None:
        self.current().refresh()

    def on_blur(self, _event: events.Blur) -> None:
        self.current().refresh()

    def action_cursor(self, step: int) -> None:
        self.current().action_cursor(step)

    def action_first(self) -> None:
        self.current().action_first()

    def action_last(self) -> None:
        self.current().action_last()

    def action_page(self, direction: int) -> None:
        self.current().action_page(direction)

    def action_select(self) -> None:
        self.current().action_select()
