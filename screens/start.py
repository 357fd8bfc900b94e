"""The first screen: painted at once, while the database opens in a worker.

It imports nothing of the storage layer (no SQLAlchemy, SQLModel or Alembic): those
load in the worker that opens the database, after this screen is on the terminal.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ecpm_tui.resources import css_path


class StartScreen(Screen[None]):
    """ "Opening the database" until the Projects screen takes over."""

    CSS_PATH = css_path("start.tcss")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Opening the database...", id="start-status")
        yield Footer()
