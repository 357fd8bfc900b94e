"""A footer that never cuts a key mid-word: the keys that do not fit are left out whole.

Screens list their main keys first, so a narrow terminal (80 columns) shows those; every
key stays in help (``?``) and the command palette.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer


class FitFooter(Footer):
    """Footer that hides, from the first one that does not fit on, the keys past its width."""

    def compose(self) -> ComposeResult:
        yield from super().compose()
        self.call_after_refresh(self.fit)

    COMPACT_BELOW = 100
    """Narrower than this, the keys are drawn closer together so more of them fit."""

    def on_resize(self) -> None:
        self.compact = self.size.width < self.COMPACT_BELOW
        # Show every key again and fit them to the new width once laid out.
        for key in self.keys():
            key.display = True
        self.call_after_refresh(self.fit)

    def watch_compact(self) -> None:
        # The keys' widths change with the style: fit them again once laid out.
        for key in self.keys():
            key.display = True
        self.call_after_refresh(self.fit)

    def keys(self) -> list[Widget]:
        """The screen's keys, in footer order (the command palette key is not one).

        Queried by CSS type name: Textual does not export the FooterKey class."""
        return [k for k in self.query("FooterKey") if not k.has_class("-command-palette")]

    def fit(self) -> None:
        """Hide every key from the first one that reaches past the palette key (or edge)."""
        if not self.is_attached or not self.size.width:
            return
        limit = self.region.right
        for palette in self.query("FooterKey.-command-palette"):
            limit = min(limit, palette.region.x)
        cut = False
        for key in self.keys():
            cut = cut or key.region.right > limit
            if cut:
                key.display = False
