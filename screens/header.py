"""The line at the top of every screen: the icon, then the title and sub-title centred.

It looks like Textual's Header (8.2) without its clock, which is four widgets (the bar,
icon, title and clock space): each styled when mounted and again on every resume of its
screen. This widget draws the same line itself. A click on the icon opens the command
palette, as in Header.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widget import Widget

ICON = "\u2b58"
ICON_CELLS = 8  # Header's icon: 8 cells, one of padding each side, the icon on the left
CLOCK_CELLS = 10  # the room Header keeps on the right for its clock, shown or not


def header_line(title: Content, width: int) -> Content:
    """The header's line at *width* cells: the icon, *title* centred in the room between
    the icon and the clock's space (cut with an ellipsis if longer), then that space."""
    room = max(0, width - ICON_CELLS - CLOCK_CELLS)
    shown = title.truncate(room, ellipsis=True)
    left = (room - shown.cell_length) // 2
    return Content.assemble(
        f" {ICON}".ljust(ICON_CELLS),
        " " * left,
        shown,
        " " * (room - left - shown.cell_length + CLOCK_CELLS),
    )


class FitHeader(Widget, can_focus=False):
    """The app's title and the screen's (or app's) sub-title, drawn by one widget."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    FitHeader {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def on_mount(self) -> None:
        for obj in (self.app, self.screen):
            self.watch(obj, "title", self._retitle, init=False)
            self.watch(obj, "sub_title", self._retitle, init=False)

    def _retitle(self) -> None:
        self.refresh()  # one line, fixed height: no layout

    def title_content(self) -> Content:
        """The title and sub-title as the app formats them (the screen's, if it has its own)."""
        screen, app = self.screen, self.app
        title = screen.title if screen.title is not None else app.title
        sub_title = screen.sub_title if screen.sub_title is not None else app.sub_title
        return app.format_title(title, sub_title)

    def render(self) -> Content:
        return header_line(self.title_content(), self.size.width)

    def on_click(self, event: events.Click) -> None:
        if event.x < ICON_CELLS and self.app.ENABLE_COMMAND_PALETTE:
            event.stop()
            self.app.action_command_palette()
