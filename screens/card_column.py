"""A virtualised list for one board column: only the visible lines are ever rendered.

OptionList measures and wraps every option on each update, which costs seconds at
10,000 cards. This widget keeps plain items and builds a line only when it is drawn
(Textual's Line API), so updating or scrolling costs the same at any size.

It draws its own scrollbar in its last cell, with Textual's drawing of a scrollbar
(Textual's scrollbar widget costs as much to paint as the column's lines, and it is one
more widget on every line of every frame). Mouse wheel scrolling still works; the bar
itself does not take clicks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import ClassVar, Generic, Self, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ecpm_tui.screens.column_parts import (
    Look,
    Paint,
    bar_cells,
    changed_span,
    simple_line,
    thumb,
)

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
    CardColumn {
        /* Scrolls, but draws its scrollbar itself (see the module's docstring). */
        overflow-y: scroll;
        overflow-x: hidden;
        scrollbar-size-vertical: 0;
    }
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

    # No automatic repaint: watch_cursor repaints just the lines that changed.
    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    def __init__(
        self,
        render_item: Callable[[T, int], Text],
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.render_item = render_item
        self.ids: Sequence[str] = ()
        self.items: Sequence[T] = ()
        self._paint: Paint | None = None
        self._bar: list[Segment] | None = None
        self._line_context: object = None
        # Final lines by visible line number, and what they were all drawn from.
        self._shown: dict[int, Strip] = {}
        self._shown_state: object = None
        # The look (see _look) and the cursor's colours by cursor_look(), until the
        # styles change; the scrollbar's cells for one height, length and position.
        self._looks: tuple[object, dict[object, Style], Look] | None = None
        self._bar_cache: tuple[object, list[Segment]] | None = None
        # A few screens of lines in each look (active or not, cursor or not).
        self._lines: LRUCache[tuple[str, int, Style, int, Style | None], tuple[T, Strip]] = (
            LRUCache(1024)
        )

    # -- data -------------------------------------------------------------------------------

    def set_items(self, items: Sequence[tuple[str, T]], keep: str | None = None) -> None:
        """Replace the items; the cursor stays on *keep* if present, else on its row."""
        self.set_lists([item_id for item_id, _ in items], [item for _, item in items], keep)

    def set_lists(self, ids: Sequence[str], items: Sequence[T], keep: str | None = None) -> None:
        """:meth:`set_items` from parallel lists of ids and items, which the column keeps
        (the caller must not change them afterwards)."""
        old_row, old_ids, old_items = self.cursor, self.ids, self.items
        self.ids = ids
        self.items = items
        top = self.scroll_offset.y
        self.resize_virtual(len(self.items))
        if keep is not None and old_row < len(ids) and ids[old_row] == keep:
            self.cursor = old_row  # the usual case, without a search
        elif keep is not None and keep in ids:
            self.cursor = ids.index(keep)
        else:
            self.cursor = max(0, min(old_row, len(self.items) - 1))
        if self.scroll_offset.y != top:
            self.refresh()
            return
        # Repaint only the visible lines that differ: one card moved in or out, or
        # changed, is a line or the lines below it, not the whole column.
        first, last = changed_span(
            old_ids, old_items, self.ids, self.items, top, top + self.size.height
        )
        if first is not None:
            self.refresh_lines(first, last - first + 1)

    def resize_virtual(self, rows: int) -> None:
        """Make the scrollable height *rows* lines.

        A new virtual size normally re-lays out the whole screen (about 50 ms with the
        board's widgets) so that a scrollbar can appear or go. When the scrollbar stays as
        it is, only its thumb changes: set the size without a layout and repaint the bar.
        """
        # No width: lines are cut to the column (overflow-x hidden). With the column's
        # width, the first Resize changed it and laid the screen out again after the
        # first frame of the board.
        size = Size(0, rows)
        if size == self.virtual_size:
            return
        window = self.scrollable_content_region.height
        overflow = self.styles.overflow_y
        shown = overflow == "scroll" or (overflow == "auto" and rows > window)
        if not window or shown != self.show_vertical_scrollbar:
            self.virtual_size = size
            return
        old_rows = self.virtual_size.height
        self.set_reactive(CardColumn.virtual_size, size)
        # One card more or less in a long column rarely moves the thumb by a cell: then
        # only the lines that changed are drawn again, not the whole column.
        height, top = self.size.height, self.scroll_offset.y
        if thumb(height, old_rows, top) != thumb(height, rows, top):
            self.refresh()
        self.scroll_to(y=min(self.scroll_y, self.max_scroll_y), animate=False, immediate=True)

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

    def watch_cursor(self, old: int, row: int) -> None:
        top = self.scroll_offset.y
        if self.items and self.size.height:
            self.scroll_to_region(Region(0, row, 1, 1), animate=False, immediate=True)
        if self.scroll_offset.y != top:
            self.refresh()
        elif old != row:
            # Only the two lines whose cursor mark changed: a whole column is ~45 lines
            # of Rich rendering on every j/k.
            self.refresh_line(old)
            self.refresh_line(row)
        self.post_message(self.Highlighted(self))  # type: ignore[arg-type]

    def on_focus(self) -> None:
        self.post_message(self.Highlighted(self))  # type: ignore[arg-type]

    def on_resize(self) -> None:
        self.resize_virtual(len(self.items))

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

    def set_context(self, context: object) -> None:
        """What lines depend on besides their item (today's date, the column's settings):
        when it changes, every line is drawn afresh."""
        if context != self._line_context:
            self._line_context = context
            self._lines.clear()
            self.refresh()

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        # Lines asked for again are drawn again (see render_lines): the regions given are
        # lines of the visible area, as render_line numbers them.
        if regions:
            for region in regions:
                for y in region.line_range:
                    self._shown.pop(y, None)
        elif repaint:
            self._shown.clear()
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def render_lines(self, crop: Region) -> list[Strip]:
        # The same for every line of one paint; looked up per line (each walks the DOM)
        # they cost more than drawing the line.
        self._paint = self._make_paint()
        self._bar = self._bar_cells()
        try:
            if not self._look().plain:
                return super().render_lines(crop)
            return self._plain_lines(crop)
        finally:
            self._paint = None
            self._bar = None

    def _plain_lines(self, crop: Region) -> list[Strip]:
        """The lines of a plain column, as Textual's styles cache would give them.

        That cache adds nothing around a plain column's lines (no border, padding, tint,
        opacity), yet it looked up the widget's styles again for every line it drew: twice
        the cost of drawing the line, on every line of the two columns a move repaints.
        Lines are kept here instead, until a refresh names them or what every line is drawn
        from (size, scroll position, colours, scrollbar, context) changes.
        """
        paint = self._paint
        assert paint is not None
        # Not the cursor's colours: they are on the cursor line only, which is refreshed
        # by name when they change (switching the active column repaints two lines).
        state = (
            self.size,
            self.scroll_offset,
            paint.base,
            paint.width,
            self._bar,
            self._line_context,
        )
        if state != self._shown_state:
            self._shown.clear()
            self._shown_state = state
        shown = self._shown
        strips: list[Strip] = []
        for y in crop.line_range:
            strip = shown.get(y)
            if strip is None:
                strip = shown[y] = self.render_line(y)
            strips.append(strip)
        background = self._look().background
        for line_filter in self.get_line_filters():
            strips = [strip.apply_filter(line_filter, background) for strip in strips]
        if crop.column_span != (0, self.size.width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def notify_style_update(self) -> None:
        # What the look was computed from changed (CSS, theme, a pseudo-class here or
        # above): compute it, and every line, again when next drawn.
        self._looks = None
        self._shown.clear()
        super().notify_style_update()

    def _look(self) -> Look:
        """What every line is drawn with, from the styles; kept until they change (each
        part walks the DOM, and a frame asks for every column's lines, often twice)."""
        app = self.app
        # A theme changes every colour without a style update of widgets whose own rules
        # stay the same (this one's background comes from the screen).
        theme = (app.theme, app.ansi_color)
        looks = self._looks
        if looks is None or looks[0] != theme:
            looks = self._looks = (theme, {}, self._make_look())
        return looks[2]

    def _make_look(self) -> Look:
        styles = self.styles
        plain = (
            not any(edge for edge, _ in styles.border)
            and not any(edge for edge, _ in styles.outline)
            and not any(styles.padding)
            and not styles.tint.a
            and styles.text_opacity == 1.0
            and (not styles.has_rule("hatch") or styles.hatch == "none")
            and self.border_title is None
            and self.border_subtitle is None
            and self.opacity == 1.0
        )
        base_background, background = self.background_colors
        bar_back = styles.scrollbar_background
        if bar_back.a < 1:
            bar_back = base_background + bar_back
        bar = bar_back + styles.scrollbar_color
        return Look(plain, self.rich_style, background, bar_back.rich_color, bar.rich_color)

    def cursor_look(self) -> object:
        """What the cursor's colours depend on besides the styles (see _make_paint)."""
        return self.has_focus

    def _make_paint(self) -> Paint:
        look = self._look()
        assert self._looks is not None
        cursors = self._looks[1]
        key = self.cursor_look()
        cursor = cursors.get(key)
        if cursor is None:
            cursor = cursors[key] = self.get_component_rich_style("card-column--cursor")
        return Paint(
            look.base,
            cursor,
            max(0, self.scrollable_content_region.width - 1),  # the last cell is the bar's
        )

    def _bar_cells(self) -> list[Segment]:
        """The scrollbar's cell on each line, coloured as Textual colours its scrollbar."""
        look = self._look()
        key = (self.size.height, len(self.items), self.scroll_offset.y, look)
        if self._bar_cache is None or self._bar_cache[0] != key:
            cells = bar_cells(key[0], key[1], key[2], look.bar_back, look.bar)
            self._bar_cache = (key, cells)
        return self._bar_cache[1]

    def render_line(self, y: int) -> Strip:
        paint = self._paint or self._make_paint()
        bar = self._bar if self._bar is not None else self._bar_cells()
        cell = bar[y] if y < len(bar) else Segment(" ", paint.base)
        return Strip.join([self._line(y, paint), Strip([cell], 1)])

    def _line(self, y: int, paint: Paint) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        if row >= len(self.items):
            return Strip.blank(paint.width, paint.base)
        item = self.items[row]
        on_cursor = row == self.cursor
        # Lines are cached by what they are drawn from: moving the cursor, switching the
        # active column or patching one card redraws the lines around it from the cache.
        # The cursor's colours are part of the cursor line's key only: a column that
        # becomes active or not (every move) keeps every other line.
        key = (
            self.ids[row],
            scroll_x,
            paint.base,
            paint.width,
            paint.cursor if on_cursor else None,
        )
        hit = self._lines.get(key)
        if hit is not None and hit[0] is item:
            return hit[1]
        strip = self._draw(item, scroll_x, paint, on_cursor)
        self._lines[key] = (item, strip)
        return strip

    def _draw(self, item: T, scroll_x: int, paint: Paint, on_cursor: bool) -> Strip:
        width, base = paint.width, paint.base
        # The width lets a line choose a compact form in a narrow column.
        line = self.render_item(item, width)
        cursor = paint.cursor if on_cursor else None
        if not scroll_x:
            style_of = partial(self.app.console.get_style, default=Style.null())  # as Rich
            simple = simple_line(line, width, base, cursor, style_of)
            if simple is not None:
                return Strip(simple, width)
        line = line.copy()
        line.no_wrap = True
        line.overflow = "ellipsis"
        line.truncate(width, overflow="ellipsis", pad=True)
        segments = []
        for seg in line.render(self.app.console):
            if seg.text == "\n":
                continue
            style = base + seg.style if seg.style else base
            segments.append(Segment(seg.text, style + cursor if cursor else style))
        return Strip(segments).crop_extend(scroll_x, scroll_x + width, base)
