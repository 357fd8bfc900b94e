"""The first screen: painted at once, while the database opens in a worker.

It imports nothing of the storage layer (no SQLAlchemy, SQLModel or Alembic): those
load in the worker that opens the database, after this screen is on the terminal.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class StartScreen(Screen[None]):
    """ "Opening the database" until the Projects screen takes over."""

    # Its stylesheet (styles/start.tcss) is read with the app's (see EcpmApp.CSS_PATH).

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Opening the database...", id="start-status")
        yield Footer()
