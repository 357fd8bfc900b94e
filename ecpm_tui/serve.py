"""``ecpm serve``: the app in a browser through textual-serve, on 127.0.0.1 only.

Each browser tab runs its own ``ecpm`` process (textual-serve starts the command per
connection), so every tab has the same keys and the same database rules as the terminal
app: the database is chosen and checked once here, by the usual precedence, and handed
to the tab processes through ``ECPM_DB`` (not the command line, where a PostgreSQL
password would show in ``ps``).
"""

from __future__ import annotations

import os
import shlex
import sys

from ecpm_tui.config import ENV_DB
from ecpm_tui.errors import ValidationError

HOST = "127.0.0.1"
"""Loopback only: the served app acts as the user who started it."""
DEFAULT_PORT = 8000


def check_port(port: int) -> None:
    """Refuse a port number outside 1-65535 with a clear message."""
    if not 1 <= port <= 65535:
        raise ValidationError(f"--port must be between 1 and 65535 (got {port}).")


def app_command(no_mouse: bool = False) -> str:
    """The shell command textual-serve runs for each browser tab: this Python's ecpm."""
    argv = [sys.executable, "-m", "ecpm_tui"]
    if no_mouse:
        argv.append("--no-mouse")
    return shlex.join(argv)


def serve(db_url: str, port: int = DEFAULT_PORT, no_mouse: bool = False) -> None:
    """Serve the app on http://127.0.0.1:PORT until Ctrl+C, every tab on *db_url*."""
    check_port(port)
    # Imported here: the terminal app and every other command never need aiohttp.
    from textual_serve.server import Server

    os.environ[ENV_DB] = db_url  # textual-serve passes its environment to each tab
    server = Server(app_command(no_mouse), host=HOST, port=port, title="ecpm")
    try:
        server.serve()
    except OSError as exc:  # the port is taken, or not ours to use
        raise ValidationError(
            f"Cannot serve on {HOST}:{port}: {exc.strerror or exc}. Choose another --port."
        ) from exc
