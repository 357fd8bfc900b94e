"""Issue 13: board lines drawn without Rich's general rendering look exactly as Rich
draws them (cut with an ellipsis or padded to the column, each part in its style).

Property-based: random lines made as card lines are (``Text.append`` of parts with or
without a style), random widths, with and without the cursor's style; the oracle is
Rich's own ``truncate`` and ``render``, compared cell by cell.
"""

from __future__ import annotations

from functools import partial

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from ecpm_tui.screens.column_parts import simple_line

CONSOLE = Console()
STYLE_OF = partial(CONSOLE.get_style, default=Style.null())
BASE = Style(color="white", bgcolor="blue")
CURSOR = Style(bgcolor="magenta", bold=True)

part_style = st.sampled_from(
    ["", "dim", "red bold", "black on yellow", "cyan", "no such style", Style(italic=True)]
)
part_text = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=0, max_size=30
)


def rich_cells(text: Text, width: int, cursor: Style | None) -> list[tuple[str, Style]]:
    """What the board drew before: Rich's truncation and rendering, then base and cursor."""
    line = text.copy()
    line.no_wrap = True
    line.overflow = "ellipsis"
    line.truncate(width, overflow="ellipsis", pad=True)
    cells = []
    for seg in line.render(CONSOLE):
        if seg.text == "\n":
            continue
        style = BASE + seg.style if seg.style else BASE
        style = style + cursor if cursor else style
        cells.extend((char, style) for char in seg.text)
    return cells


def cells(segments: list[Segment]) -> list[tuple[str, Style]]:
    return [(char, seg.style or Style.null()) for seg in segments for char in seg.text]


@given(
    parts=st.lists(st.tuples(part_text, part_style), max_size=8),
    width=st.integers(min_value=1, max_value=70),
    on_cursor=st.booleans(),
)
def test_simple_lines_are_drawn_as_rich_draws_them(
    parts: list[tuple[str, str | Style]], width: int, on_cursor: bool
) -> None:
    text = Text(no_wrap=True, overflow="ellipsis")
    for chunk, style in parts:
        text.append(chunk, style=style)
    cursor = CURSOR if on_cursor else None
    drawn = simple_line(text, width, BASE, cursor, STYLE_OF)
    assert drawn is not None
    assert cells(drawn) == rich_cells(text, width, cursor)
    assert sum(len(seg.text) for seg in drawn) == width


def test_a_long_card_line_ends_in_an_ellipsis_of_its_part() -> None:
    text = Text()
    text.append("[ ] ", style="dim")
    text.append("A title far too long for the column", style="red bold")
    drawn = cells(simple_line(text, 12, BASE, None, STYLE_OF) or [])
    assert "".join(char for char, _ in drawn) == "[ ] A title\u2026"
    assert drawn[-1][1] == BASE + Style.parse("red bold")


def test_other_lines_are_left_to_rich() -> None:
    """Wide or control characters, overlapping parts or a style of the whole line."""
    wide = Text("日本語のタイトル")
    control = Text("tab\there")
    overlapping = Text("overlap")
    overlapping.stylize("red", 0, 5)
    overlapping.stylize("bold", 2, 7)
    whole = Text("styled", style="bold")
    for text in (wide, control, overlapping, whole):
        assert simple_line(text, 20, BASE, None, STYLE_OF) is None
    assert simple_line(Text("x"), 0, BASE, None, STYLE_OF) is None
