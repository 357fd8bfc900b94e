"""The footer of every screen: keys never cut mid-word, and no rebuild without a change.

Keys that do not fit are left out whole. Screens list their main keys first, so a narrow
terminal (80 columns) shows those; every key stays in help (``?``) and the palette.

Textual's Footer recomposes (a new widget per key, each styled) whenever a screen's
bindings may have changed, which includes every focus change. On the board, moving
between columns (h/l) moves the focus between widgets with the same keys, and that
rebuild plus the repaint of the whole screen it causes was most of the cost of a key;
so the footer rebuilds only when the keys it shows change.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

BindingSignature = tuple[tuple[str, str, str, str | None, bool, str], ...]


def shown_bindings(screen: Screen[object]) -> BindingSignature:
    """What a footer would show for *screen*: each shown key with its state."""
    return tuple(
        (key, b.action, b.description, b.key_display, enabled, str(tooltip))
        for key, (_node, b, enabled, tooltip) in screen.active_bindings.items()
        if b.show
    )


class QuietFooter(Footer):
    """A Footer that skips the rebuild when the shown keys are what it already shows."""

    shown: BindingSignature | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Rebuild only for a real change of the shown keys (or their enabled state)."""
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            signature = shown_bindings(screen)
            if signature == self.shown:
                return
            if self.restate(signature):
                self.shown = signature
                return
        super().bindings_changed(screen)  # notes that the keys are known; rebuilds
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            # Footer rebuilds after the next paint: a new screen's first frame had no keys
            # and the next was laid out and drawn again for them (a tenth of opening the
            # board). Rebuilt before it, the later rebuild finds nothing to do.
            self.refresh(recompose=True)

    def restate(self, signature: BindingSignature) -> bool:
        """Dim or undim the shown keys in place when only their enabled state changed
        (the board's scope toggle): no rebuild, no relayout. False when more changed."""
        if self.shown is None or _without_state(signature) != _without_state(self.shown):
            return False
        enabled = {action: flag for _key, action, _d, _k, flag, _t in signature}
        for widget in self.query("FooterKey"):
            flag = enabled.get(str(getattr(widget, "action", "")))
            if flag is not None:
                widget.set_class(not flag, "-disabled")
        return True


def _without_state(signature: BindingSignature) -> BindingSignature:
    return tuple((k, a, d, kd, True, t) for k, a, d, kd, _enabled, t in signature)


def _key_width(key: Widget, compact: bool) -> int:
    """Cells a footer key takes, from Footer's own CSS (Textual 8.2): normal keys are
    `` k `` + ``desc `` (padding), compact ones ``k`` + `` desc`` and a margin of one."""
    display = cell_len(str(getattr(key, "key_display", "")))
    description = cell_len(str(getattr(key, "description", "")))
    return display + description + 2 if compact else display + description + 3


class FitFooter(QuietFooter):
    """Footer showing the keys, in order, up to the first one that does not fit whole."""

    COMPACT_BELOW = 100
    """Narrower than this, the keys are drawn closer together so more of them fit."""

    composed_width: int | None = None
    """The terminal width the keys were last chosen for."""

    def compose(self) -> ComposeResult:
        # Decided before the keys are mounted (a footer spans the screen's width), so no
        # half-drawn key ever shows and nothing waits for a layout pass.
        width = self.app.size.width
        self.composed_width = width
        compact = width < self.COMPACT_BELOW
        self.compact = compact
        # Narrow, the screen's own keys come before "^p Commands": ctrl+p still works and
        # help (?) lists it, and at 80 columns the Board shows all its main keys.
        self.set_reactive(Footer.show_command_palette, not compact)
        room = width
        palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if palette is not None and self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            binding = palette.binding
            text = cell_len(self.app.get_key_display(binding)) + cell_len(binding.description)
            # Docked right after a border (and, when not compact, padding on the right).
            room -= text + (2 if compact else 3)
        used = 0
        full = False
        built = False
        for widget in super().compose():
            if type(widget).__name__ == "FooterKey" and not widget.has_class("-command-palette"):
                needed = _key_width(widget, compact)
                full = full or used + needed > room
                if full:
                    continue  # this key and every later one stay in help and the palette
                used += needed
                built = True
                # Footer binds each key's ``compact`` to its own once mounted; a key starts
                # compact, so mounting a wide footer's key styled it twice more (class on,
                # class off). Given its value first, it is styled once.
                widget.set_reactive(type(widget).compact, compact)  # type: ignore[attr-defined]
            yield widget
        if not built:
            # Footer builds its keys only once the screen's bindings are known, and not
            # while the app lacks the focus (a browser tab): the next Resize builds them.
            self.composed_width = None
        self.shown = shown_bindings(self.screen) if built else None

    async def recompose(self) -> None:
        """Rebuild the keys, unless they are the ones built, at the same width.

        Footer asks for a rebuild each time it hears of the screen's bindings, which
        includes right before and right after its first compose: rebuilt after the first
        paint, the keys were laid out and drawn twice, a sixth of opening the board."""
        if (
            self.shown is not None
            and self.composed_width == self.app.size.width
            and shown_bindings(self.screen) == self.shown
        ):
            return
        await super().recompose()

    def on_resize(self) -> None:
        # The first Resize comes right after mounting, at the width compose used: a
        # rebuild then (every key a new widget, styled and laid out) was a tenth of
        # opening the board.
        if self.app.size.width != self.composed_width:
            self.refresh(recompose=True)
