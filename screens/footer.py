"""A Footer that redraws only when the keys it shows change.

Textual's Footer recomposes (a new widget per key, each styled) whenever a screen's
bindings may have changed, which includes every focus change. On the board, moving
between columns (h/l) moves the focus between widgets with the same keys, and that
rebuild plus the repaint of the whole screen it causes was most of the cost of a key.
"""

from __future__ import annotations

from textual.screen import Screen
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
            self.shown = signature
        super().bindings_changed(screen)
