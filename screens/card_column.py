"""A virtualised list for one board column: only the visible lines are ever rendered.

OptionList measures and wraps every option on each update, which costs seconds at
10,000 cards. This widget keeps plain items and builds a line only when it is drawn
(Textual's Line API), so updating or scrolling costs the same at any size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

T = TypeVar("T")


class CardColumn(ScrollView, Generic[T], can_focus=True):
    """Items drawn one per line; a cursor moves with arrows, j/k, home/end, page keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("enter", "select", "Open", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"card-column--cursor"}
    DEFAULT_CSS = """
    CardColumn > .card-column--cursor {
        background: $accent 40%;
    }
    CardColumn:focus > .card-column--cursor {
        background: $accent;
        color: $text;
        text-style: bold;
    }
    """

    class Selected(Message):
        """Enter was pressed on an item."""

        def __init__(self, column: CardColumn[object], item_id: str) -> None:
            super().__init__()
            self.column = column
            self.item_id = item_id

    class Highlighted(Message):
        """The cursor moved, or the column got focus: the item under it may differ."""

        def __init__(self, column: CardColumn[object]) -> None:
            super().__init__()
            self.column = column

    cursor: reactive[int] = reactive(0, always_update=True)

    def __init__(
        self,
        render_item: Callable[[T, int], Text],
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.render_item = render_item
        self.ids: list[str] = []
        self.items: list[T] = []

    # -- data -------------------------------------------------------------------------------

    def set_items(self, items: Sequence[tuple[str, T]], keep: str | None = None) -> None:
        """Replace the items; the cursor stays on *keep* if present, else on its row."""
        old_row = self.cursor
        self.ids = [item_id for item_id, _ in items]
        self.items = [item for _, item in items]
        self.virtual_size = Size(self.size.width, len(self.items))
        if keep is not None and keep in self.ids:
            self.cursor = self.ids.index(keep)
        else:
            self.cursor = max(0, min(old_row, len(self.items) - 1))
        self.refresh()

    @property
    def option_count(self) -> int:
        return len(self.items)

    @property
    def highlighted(self) -> int | None:
        """Row of the cursor, or None when the column is empty."""
        return self.cursor if self.items else None

    @highlighted.setter
    def highlighted(self, row: int | None) -> None:
        self.cursor = 0 if row is None else row

    @property
    def highlighted_id(self) -> str | None:
        return self.ids[self.cursor] if self.items else None

    @property
    def highlighted_item(self) -> T | None:
        return self.items[self.cursor] if self.items else None

    # -- cursor -----------------------------------------------------------------------------

    def validate_cursor(self, row: int) -> int:
        return max(0, min(row, len(self.items) - 1)) if self.items else 0

    def watch_cursor(self, row: int) -> None:
        if self.items and self.size.height:
            self.scroll_to_region(Region(0, row, 1, 1), animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Highlighted(self))  # type: ignore[arg-type]

    def on_focus(self) -> None:
        self.post_message(self.Highlighted(self))  # type: ignore[arg-type]

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.items))

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.items) - 1

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.size.height - 1)

    def action_select(self) -> None:
        if self.items:
            self.post_message(self.Selected(self, self.ids[self.cursor]))  # type: ignore[arg-type]

    # -- rendering --------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if row >= len(self.items):
            return Strip.blank(width, base)
        # The width lets a line choose a compact form in a narrow column.
        line = self.render_item(self.items[row], width).copy()
        line.no_wrap = True
        line.overflow = "ellipsis"
        line.truncate(width, overflow="ellipsis", pad=True)
        cursor: Style | None = None
        if row == self.cursor:
            cursor = self.get_component_rich_style("card-column--cursor")
        segments = []
        for seg in line.render(self.app.console):
            if seg.text == "\n":
                continue
            style = base + seg.style if seg.style else base
            segments.append(Segment(seg.text, style + cursor if cursor else style))
        return Strip(segments).crop_extend(scroll_x, scroll_x + width, base)
