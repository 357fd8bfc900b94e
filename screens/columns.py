"""Tables that fit their width: lower-priority columns collapse first, one column stretches.

A screen lists its columns once with a drop rank; on each fill (and on resize) it asks
:func:`fit` which columns the table's width holds, so nothing needs horizontal scrolling
and the essential columns stay. A detail line or pane shows the selected row in full.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

SCROLLBAR = 2  # the vertical scrollbar's width, kept free so no horizontal one appears
FLEX_FLOOR = 8


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: *drop* 0 is never dropped; higher ranks go first when narrow.

    The *flex* column takes the width left over; its *width* is what it wants before
    others are dropped for it, and it shrinks (to FLEX_FLOOR) only once nothing is left
    to drop."""

    key: str
    label: str
    width: int
    drop: int = 0
    flex: bool = False


def fit(columns: Sequence[Column], available: int, padding: int = 1) -> tuple[Column, ...]:
    """The columns that fit *available* cells (each also costs 2 x *padding*)."""
    chosen = list(columns)

    def total(cols: Sequence[Column]) -> int:
        return sum(c.width + 2 * padding for c in cols)

    for rank in sorted({c.drop for c in columns if c.drop}, reverse=True):
        if total(chosen) <= available:
            break
        chosen = [c for c in chosen if c.drop != rank]
    spare = available - total(chosen)
    chosen = [replace(c, width=max(FLEX_FLOOR, c.width + spare)) if c.flex else c for c in chosen]
    return tuple(chosen)


def set_columns(table: DataTable[Any], columns: Sequence[Column]) -> bool:
    """Give *table* exactly *columns* (rows cleared when they change); True if changed."""
    current = [(str(k.value), c.width) for k, c in table.columns.items()]
    if current == [(c.key, c.width) for c in columns]:
        return False
    table.clear(columns=True)
    for c in columns:
        table.add_column(c.label, width=c.width, key=c.key)
    return True


def fit_table(table: DataTable[Any], columns: Sequence[Column]) -> tuple[Column, ...]:
    """Fit *columns* to *table*'s current width and set them; the chosen columns."""
    width = table.size.width or table.app.size.width
    chosen = fit(columns, width - SCROLLBAR, table.cell_padding)
    set_columns(table, chosen)
    return chosen


def row_of(cells: Mapping[str, Text], columns: Sequence[Column]) -> list[Text]:
    """The cells of one row in the order of *columns* (the others are left out)."""
    return [cells[c.key] for c in columns]
