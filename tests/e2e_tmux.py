"""Drive a program inside a real terminal: tmux on a private server socket.

::

    with TmuxSession() as tmux:
        tmux.start([str(ECPM), "--db", str(db)], env=env, width=120, height=35)
        tmux.wait_for("Projects")
        tmux.send_keys("n")                       # tmux key names: Enter, Tab, C-s, Left...
        tmux.send_keys("[/] text", literal=True)  # plain text, typed as is
        screen = tmux.capture()
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

import pytest

# The console script installed next to the interpreter that runs the tests.
ECPM = Path(sys.executable).parent / "ecpm"


def tmux_available() -> bool:
    return shutil.which("tmux") is not None


def make_demo_db(path: Path, projects: int, cards: int, risks: int) -> Path:
    """A demo database made by the installed ``ecpm`` (init, then demo), as a user would.

    Fails in CI and skips elsewhere when tmux is missing, since every user of it drives
    the app in tmux.
    """
    if not tmux_available():
        message = "tmux is not installed (apt-get install tmux)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    subprocess.run([str(ECPM), "init", "--db", str(path)], check=True, capture_output=True)
    counts = ["--projects", str(projects), "--cards", str(cards), "--risks", str(risks)]
    subprocess.run([str(ECPM), "demo", "--db", str(path), *counts], check=True, capture_output=True)
    return path


def terminal_env() -> dict[str, str]:
    """A clean login-like environment: nothing from pytest or the outer terminal leaks in."""
    keep = (
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_CONFIG_DIRS",
    )
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update({"TERM": "xterm-256color", "LANG": "C.UTF-8", "COLORTERM": "truecolor"})
    return env


class TmuxSession:
    """One detached tmux session; ``with TmuxSession() as t:`` kills it afterwards."""

    def __init__(self) -> None:
        # A private server (tmux -L): never the user's tmux, never another test's.
        self.socket = f"ecpm-test-{uuid.uuid4().hex[:10]}"
        self.session = "main"
        self.started = False
        self.env: dict[str, str] | None = None

    def _tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=30,
            env=self.env,
        )

    def start(
        self, cmd: Sequence[str], env: Mapping[str, str], width: int = 120, height: int = 35
    ) -> None:
        """Start *cmd* in a new session of the given size, with exactly *env*.

        The tmux server copies the environment of whoever starts it into every pane, so
        it is started with *env* alone: nothing like COLUMNS=80 leaks in from the caller.
        """
        self.env = dict(env)
        size = ["-x", str(width), "-y", str(height)]
        self._tmux("new-session", "-d", "-s", self.session, *size, "--", *cmd)
        # Keep the pane after the program exits so its last screen can be read.
        self._tmux("set-option", "-t", self.session, "remain-on-exit", "on")
        self._tmux("set-option", "-s", "escape-time", "10")
        self.started = True

    def send_keys(self, *keys: str, literal: bool = False) -> None:
        """Type keys (tmux key names like ``Tab`` or ``C-s``; ``literal`` for plain text)."""
        args = ["send-keys", "-t", self.session]
        if literal:
            args.append("-l")
        self._tmux(*args, *keys)

    def capture(self) -> str:
        """The visible screen as text."""
        return self._tmux("capture-pane", "-p", "-t", self.session).stdout

    def wait_for(self, text: str, timeout: float = 20) -> str:
        """Poll the screen until *text* appears; fail with the last screen."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.capture()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear within {timeout}s; screen:\n{screen}")

    def pane_dead(self) -> bool:
        """Whether the program in the pane has exited."""
        out = self._tmux("display-message", "-p", "-t", self.session, "#{pane_dead}", check=False)
        return out.stdout.strip() == "1"

    def wait_for_exit(self, timeout: float = 20) -> None:
        """Wait until the program exits; fail with the last screen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pane_dead():
                return
            time.sleep(0.1)
        raise AssertionError(f"program still running after {timeout}s:\n{self.capture()}")

    def kill(self) -> None:
        """Stop the tmux server of this session."""
        if self.started:
            self._tmux("kill-server", check=False)
            self.started = False

    def __enter__(self) -> TmuxSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.kill()
