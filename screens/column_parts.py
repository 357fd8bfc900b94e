"""What a board column draws with, apart from the widget: its look, the shared paint of
its lines, its scrollbar's cells, and which of its rows changed (see card_column.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color as TColor
from textual.scrollbar import ScrollBarRender


@dataclass(frozen=True, slots=True)
class Look:
    """What a column's lines are drawn with, from its styles."""

    plain: bool
    """Nothing drawn around the lines (border, padding, tint...): see _plain_lines."""
    base: Style
    background: TColor
    bar_back: Color | None
    bar: Color | None


@dataclass(frozen=True, slots=True)
class Paint:
    """What every line of one paint shares (part of each cached line's key)."""

    base: Style
    cursor: Style
    width: int


def bar_cells(
    height: int, rows: int, top: int, back: Color | None, bar: Color | None
) -> list[Segment]:
    """A vertical scrollbar *height* cells tall over *rows* lines scrolled to *top*, one
    segment per line, as Textual's scrollbar draws it."""
    if height <= 0:
        return []
    drawn = ScrollBarRender.render_bar(
        size=height,
        virtual_size=rows,
        window_size=height if height < rows else 0,  # as Textual: no thumb when all fit
        position=top,
        thickness=1,
        vertical=True,
        back_color=back or Color.parse("#555555"),
        bar_color=bar or Color.parse("bright_magenta"),
    )
    return list(drawn.segments)


def thumb(height: int, rows: int, top: int) -> list[tuple[str, Style | None]]:
    """The bar's cells without colours: equal lists mean an identical bar."""
    return [(cell.text, cell.style) for cell in bar_cells(height, rows, top, None, None)]


def changed_span(
    old_ids: Sequence[str],
    old_items: Sequence[object],
    new_ids: Sequence[str],
    new_items: Sequence[object],
    start: int = 0,
    stop: int | None = None,
) -> tuple[int | None, int]:
    """The first and last rows from *start* up to *stop* (the visible ones) whose line may
    differ between two item lists (an item that is a new object may look different);
    ``(None, 0)`` when none do. Only those rows are compared: at 10,000 cards a column,
    comparing every row up to a card added at the bottom cost more than drawing it."""
    if old_items is new_items and old_ids is new_ids:
        return None, 0
    end = max(len(old_ids), len(new_ids))
    stop = end if stop is None else min(stop, end)
    old_n, new_n = len(old_ids), len(new_ids)
    first: int | None = None
    last = 0
    for i in range(start, stop):
        if i >= old_n or i >= new_n or old_ids[i] != new_ids[i] or old_items[i] is not new_items[i]:
            if first is None:
                first = i
            last = i
    return first, last


def simple_line(
    text: Text, width: int, base: Style, cursor: Style | None, style_of: Callable[[str], Style]
) -> list[Segment] | None:
    """*text* cut or padded to *width* cells, each part in *base* plus its own style (and
    *cursor*), as Rich draws it after ``truncate(width, overflow="ellipsis", pad=True)``;
    None when the text is not the simple kind this handles (then let Rich draw it).

    Simple: ASCII (a cell per character), no style of its own, styles on separate parts in
    order (``Text.append`` makes those). Card lines are, and drawing them through Rich's
    general rendering was a quarter of the board's first paint.
    """
    plain = text.plain
    if width < 1 or text.style or not plain.isascii() or not plain.isprintable():
        return None
    spans = text.spans
    end = 0
    for span in spans:
        if span.start < end or span.end < span.start:
            return None
        end = span.end
    if len(plain) > width:
        # Rich keeps the parts that start before the cut; the ellipsis takes the style of
        # the part it replaces.
        plain = plain[: width - 1] + "\u2026"
    segments: list[Segment] = []
    at = 0
    for span in spans:
        start, stop = span.start, min(span.end, width)
        if start >= width:
            break
        if start > at:
            segments.append(Segment(plain[at:start], base + cursor if cursor else base))
        if stop > start:
            own = span.style if isinstance(span.style, Style) else style_of(span.style)
            style = base + own if own else base
            segments.append(Segment(plain[start:stop], style + cursor if cursor else style))
            at = stop
    tail = plain[at:width] + " " * (width - len(plain))
    if tail:
        segments.append(Segment(tail, base + cursor if cursor else base))
    return segments
