"""The 5x5 risk matrix widget: likelihood rows 5..1, impact columns 1..5, a cell cursor.

Each cell shows its level letter and its count as well as its colour, so it reads the
same in 16 colours, in monochrome and to a screen reader; the cursor cell is bracketed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from ecpm_tui import risk

# Plain ANSI colour names: they keep four distinct, readable levels in a 16-colour terminal.
LEVEL_STYLE: Mapping[risk.Level, str] = {
    risk.Level.LOW: "black on green",
    risk.Level.MODERATE: "black on yellow",
    risk.Level.HIGH: "black on bright_red",
    risk.Level.EXTREME: "bold bright_white on red",
}
BLOCK = risk.CELL_WIDTH - 1  # one column of gap between cells


class CellChanged(Message):
    """The matrix cursor moved to another cell."""


def cell_block(lvl: risk.Level, count: int, cursor: bool) -> str:
    """The text of one cell: ``M   3``, bracketed when it holds the cursor."""
    body = f"{lvl.letter} {count:>3}"
    return (f"[{body}]" if cursor else f" {body} ").center(BLOCK)


class RiskMatrix(Static, can_focus=True):
    """A 5x5 grid with counts and level letters; arrows or h j k l move the cell cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "step(1, 0)", "Likelihood +", show=False),
        Binding("down,j", "step(-1, 0)", "Likelihood -", show=False),
        Binding("left,h", "step(0, -1)", "Impact -", show=False),
        Binding("right,l", "step(0, 1)", "Impact +", show=False),
    ]

    likelihood: reactive[int] = reactive(5)
    impact: reactive[int] = reactive(5)

    def __init__(self) -> None:
        super().__init__(id="risk-matrix")
        self.counts: Mapping[tuple[int, int], int] = {}

    def set_counts(self, counts: Mapping[tuple[int, int], int]) -> None:
        """Show new counts per (likelihood, impact) cell."""
        self.counts = counts
        self.update(self.render_grid())

    def render_grid(self) -> Text:
        """The matrix as styled text (row labels, column labels, 25 cells)."""
        out = Text(no_wrap=True, overflow="crop")
        out.append("Likelihood/Impact".ljust(risk.ROW_LABEL_WIDTH), style="bold")
        for im in risk.SCALE:
            out.append(f" {im} {risk.IMPACT_SHORT[im]}".ljust(risk.CELL_WIDTH), style="bold")
        out.append("\n")
        for lk in range(5, 0, -1):
            out.append(risk.grid_row_label(lk), style="bold")
            for im in risk.SCALE:
                lvl = risk.level(lk, im)
                cursor = (lk, im) == (self.likelihood, self.impact)
                style = LEVEL_STYLE[lvl] + (" reverse" if cursor else "")
                out.append(cell_block(lvl, self.counts.get((lk, im), 0), cursor), style=style)
                out.append(" ")
            out.append("\n")
        out.rstrip()
        return out

    def watch_likelihood(self) -> None:
        self.update(self.render_grid())

    def watch_impact(self) -> None:
        self.update(self.render_grid())

    def move_to(self, likelihood: int, impact: int) -> None:
        """Put the cursor on a cell (no CellChanged message)."""
        self.likelihood, self.impact = likelihood, impact

    def action_step(self, d_likelihood: int, d_impact: int) -> None:
        """Move the cell cursor one step."""
        self.likelihood = max(1, min(5, self.likelihood + d_likelihood))
        self.impact = max(1, min(5, self.impact + d_impact))
        self.post_message(CellChanged())
