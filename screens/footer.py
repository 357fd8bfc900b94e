"""The footer of every screen: one line of keys, drawn by one widget.

Keys that do not fit are left out whole (never cut mid-word). Screens list their main
keys first, so a narrow terminal (80 columns) shows those; every key stays in help
(``?``) and the palette.

It looks like Textual's Footer (8.2), which is a container with a widget per key: each
key widget was styled when mounted, again when its screen resumed or the stylesheet was
refreshed, and all were built anew whenever the keys changed. That was a sixth of
opening the board. This widget draws the same line itself and redraws it (without a
layout) only when what it shows changes. A click on a key presses it, as in Footer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget


@dataclass(frozen=True, slots=True)
class FooterItem:
    """One key as the footer shows it."""

    key: str
    display: str
    description: str
    enabled: bool

    @classmethod
    def of(cls, app: App[object], binding: Binding, enabled: bool) -> FooterItem:
        """The item for *binding*, its key shown as *app* displays it."""
        return cls(binding.key, app.get_key_display(binding), binding.description, enabled)


@dataclass(frozen=True, slots=True)
class FooterLine:
    """What the footer draws at one width: the keys that fit, and the palette's key."""

    items: tuple[FooterItem, ...]
    palette: FooterItem | None
    compact: bool


def footer_items(screen: Screen[object]) -> list[FooterItem]:
    """The screen's shown keys in order, one per action (the first key bound to it), as
    Footer lists them; the command palette's key is left to :func:`fit_line`."""
    app = screen.app
    seen: set[str] = set()
    items = []
    for _key, (_node, binding, enabled, _tooltip) in screen.active_bindings.items():
        if not binding.show or binding.action in seen:
            continue
        seen.add(binding.action)
        items.append(FooterItem.of(app, binding, enabled))
    return items


def item_width(item: FooterItem, compact: bool) -> int:
    """Cells a key takes: `` k desc `` normally, ``k desc`` and a space between keys
    when compact."""
    return cell_len(item.display) + cell_len(item.description) + (2 if compact else 3)


def palette_width(item: FooterItem) -> int:
    """Cells of the palette's key, on the right: a bar, ``^p Commands`` and a space."""
    return cell_len(item.display) + cell_len(item.description) + 3


def fit_line(
    items: list[FooterItem], palette: FooterItem | None, width: int, compact_below: int
) -> FooterLine:
    """The keys that fit *width* whole, in order up to the first that does not. Narrower
    than *compact_below*, keys are drawn closer and the palette's key is left out (ctrl+p
    still works and help lists it): at 80 columns the board shows all its main keys."""
    compact = width < compact_below
    shown_palette = None if compact else palette
    room = width - (palette_width(shown_palette) if shown_palette else 0)
    used = 0
    fitted = []
    for item in items:
        needed = item_width(item, compact)
        if used + needed > room:
            break
        used += needed
        fitted.append(item)
    return FooterLine(tuple(fitted), shown_palette, compact)


class FitFooter(Widget, can_focus=False):
    """The screen's keys on one line, in order, up to the first one that does not fit."""

    ALLOW_SELECT = False
    COMPACT_BELOW = 100
    """Narrower than this, the keys are drawn closer together so more of them fit."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "footer-key--key",
        "footer-key--description",
        "footer--palette-bar",
    }
    DEFAULT_CSS = """
    FitFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        & > .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .footer--palette-bar {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.line: FooterLine | None = None
        # Cells of each key drawn: (first, past the last, key), for clicks.
        self.spans: list[tuple[int, int, FooterItem]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.update_line()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Redraw for a change of the shown keys (or their enabled state), only then."""
        if self.is_attached and screen is self.screen:
            self.update_line()

    def on_resize(self) -> None:
        self.update_line()

    def update_line(self) -> None:
        """Choose the keys for the current width; repaint (one line, no layout) if they
        differ from those drawn."""
        app = self.app
        palette = None
        if app.ENABLE_COMMAND_PALETTE:
            found = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, _tooltip = found
                palette = FooterItem.of(app, binding, enabled)
        others = [i for i in footer_items(self.screen) if palette is None or i.key != palette.key]
        line = fit_line(others, palette, app.size.width, self.COMPACT_BELOW)
        if line != self.line:
            self.line = line
            self.refresh()

    def render(self) -> Text:
        line = self.line
        text = Text(no_wrap=True, overflow="crop", end="")
        self.spans = []
        if line is None:
            return text
        key_style = self.get_component_rich_style("footer-key--key")
        description_style = self.get_component_rich_style("footer-key--description")
        dim = Style(dim=True)
        for item in line.items:
            start = text.cell_len
            off = dim if not item.enabled else Style()
            if line.compact:
                text.append(item.display, key_style + off)
                if item.description:
                    text.append(f" {item.description}", description_style + off)
                text.append(" ")  # the space between keys: the footer's, not the key's
                self.spans.append((start, text.cell_len - 1, item))
            else:
                text.append(f" {item.display} ", key_style + off)
                if item.description:
                    text.append(f"{item.description} ", description_style + off)
                self.spans.append((start, text.cell_len, item))
        palette = line.palette
        if palette is not None:
            width = self.size.width or self.app.size.width
            gap = width - text.cell_len - palette_width(palette)
            text.append(" " * max(0, gap))
            start = text.cell_len
            off = dim if not palette.enabled else Style()
            text.append("\u258f", self.get_component_rich_style("footer--palette-bar"))
            text.append(palette.display, key_style + off)
            text.append(f" {palette.description}", description_style + off)
            text.append(" ")
            self.spans.append((start, text.cell_len, palette))
        return text

    def key_at(self, x: int) -> FooterItem | None:
        """The key drawn at cell *x*, if any."""
        return next((item for start, end, item in self.spans if start <= x < end), None)

    def on_click(self, event: events.Click) -> None:
        item = self.key_at(event.x)
        if item is None:
            return
        event.stop()
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()
