"""The board's five columns as one focus stop.

Moving Textual's focus repaints the whole screen (``Screen.focused`` is a repainting
reactive) and restyles both widgets, which also re-lays out the screen (their scrollbars
get their rules set again): about 100 ms a key on the board. So the columns never take
the focus: this container holds it, keeps which column is active, and passes the cursor
keys to it. The active column is shown by its head (drawn reversed) and its cursor
(drawn as a focused column's), with no CSS class change and no restyle: ``h``/``l``
repaint two heads and two cursor lines, not two whole columns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.strip import Strip
from textual.widget import Widget

from ecpm_tui import lifecycle
from ecpm_tui.screens.board_render import BoardItem, CardList, ColumnHead
from ecpm_tui.screens.card_column import CardColumn


class BoardList(CardList):
    """A board column that never takes the focus; its cursor is drawn as a focused
    column's while it is the active column of the focused :class:`BoardColumns`."""

    can_focus = False

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "card-column--cursor",
        "board-list--active-cursor",
    }

    def __init__(self, phase: lifecycle.Phase, render: Callable[[BoardItem], Text]) -> None:
        super().__init__(phase, render)
        self.selected = False

    def cursor_look(self) -> object:
        """The cursor is drawn as a focused column's while this is the active column."""
        return (self.has_focus, self.looks_focused())

    def looks_focused(self) -> bool:
        """Whether to draw as the focused column."""
        parent = self.parent
        return self.selected and parent is not None and parent.has_focus

    def get_component_rich_style(
        self, *names: str, partial: bool = False, default: Style | None = None
    ) -> Style:
        """The cursor of the active column is drawn as a focused column's cursor."""
        if names == ("card-column--cursor",) and self.looks_focused():
            names = ("board-list--active-cursor",)
        return super().get_component_rich_style(*names, partial=partial, default=default)

    def refresh_cursor(self) -> None:
        """Repaint the cursor line (its look follows the active column and the focus)."""
        self.refresh_line(self.cursor)


class BoardColumns(Widget, can_focus=True):
    """Holds the focus for the columns; the cursor keys act on the active one.

    It also draws the line right of each column in the gaps its grid leaves between them
    (right of the last, its border does). A container per column drawing that line as its border
    was one more widget on every line of every frame, for a cell: a tenth of a repaint.
    """

    # The same keys as a focused column (same help text, same order).
    BINDINGS: ClassVar[list[BindingType]] = list(CardColumn.BINDINGS)
    COMPONENT_CLASSES: ClassVar[set[str]] = {"board-columns--line"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.active = 0
        self._lists: list[BoardList] = []
        self._heads: list[ColumnHead] = []
        self._line: tuple[object, Strip] | None = None

    def render_line(self, y: int) -> Strip:
        """A line of the gaps between the columns: the line right of each, else blank."""
        width = self.size.width
        key = (width, self.rich_style, self.get_component_rich_style("board-columns--line"))
        if self._line is None or self._line[0] != key:
            _, base, line = key
            cells = [Segment(" ", base)] * width
            for head in self.heads():
                x = head.region.right - self.region.x
                if 0 <= x < width:
                    cells[x] = Segment("│", line)
            self._line = (key, Strip(cells, width).simplify())
        return self._line[1]

    def lists(self) -> list[BoardList]:
        """The columns, left to right."""
        if not self._lists:
            self._lists = list(self.query(BoardList))
        return self._lists

    def current(self) -> BoardList:
        """The active column."""
        return self.lists()[self.active]

    def heads(self) -> list[ColumnHead]:
        """The column heads, left to right."""
        if not self._heads:
            self._heads = list(self.query(ColumnHead))
        return self._heads

    def activate(self, index: int) -> BoardList:
        """Make column *index* the active one (no focus change: two heads and two cursor
        lines repainted)."""
        lists = self.lists()
        index = max(0, min(len(lists) - 1, index))
        if index != self.active:
            self._mark(self.active, False)
        self.active = index
        self._mark(index, True)
        return lists[index]

    def _mark(self, index: int, active: bool) -> None:
        column, head = self.lists()[index], self.heads()[index]
        if column.selected != active:
            column.selected = active
            column.refresh_cursor()
        head.set_active(active and self.has_focus)

    def on_focus(self, _event: events.Focus) -> None:
        # (has_focus may not say so yet while the Focus event is handled.)
        self.heads()[self.active].set_active(True)
        self.current().refresh_cursor()

    def on_blur(self, _event: events.Blur) -> None:
        self.heads()[self.active].set_active(False)
        self.current().refresh_cursor()

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
