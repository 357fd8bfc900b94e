"""Issue 12 item 6: ``ecpm serve`` shows the app in a browser (headless Chromium).

The browser is driven through the DevTools protocol: xterm.js draws the terminal on a
canvas, so the page's DOM never holds the screen's text. The test reads what the browser
received on the app's websocket (the terminal output the canvas draws), types a key into
the page, and checks the page's screenshot is a drawn screen, not a blank one.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from conftest import _missing

from ecpm_tui import serve
from ecpm_tui.cli import main
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.demo import generate
from ecpm_tui.store import Store

DEADLINE = 45.0  # seconds for the whole browser round trip
ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    db = open_database(DbTarget(f"sqlite:///{path}", "test"))
    generate(Store(db, user="alice", today=lambda: date(2026, 11, 2)), projects=2, cards=10,
             risks=4, seed=5)  # fmt: skip
    db.close()
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a TCP socket listening on *port* (from /proc/net)."""
    found: set[str] = set()
    for name in ("tcp", "tcp6"):
        table = Path(f"/proc/net/{name}")
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                if len(address) == 8:
                    raw = bytes.fromhex(address)[::-1]
                    found.add(socket.inet_ntop(socket.AF_INET, raw))
                else:
                    words = [bytes.fromhex(address[i : i + 8])[::-1] for i in range(0, 32, 8)]
                    found.add(socket.inet_ntop(socket.AF_INET6, b"".join(words)))
    return found


@contextlib.contextmanager
def started(argv: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run *argv* in its own process group; stop the whole group afterwards."""
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def wait_for(check: Any, what: str, proc: subprocess.Popen[bytes], log: Path) -> Any:
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        if proc.poll() is not None:
            pytest.fail(f"{what}: the process ended ({proc.returncode}): {log.read_text()[-2000:]}")
        time.sleep(0.1)
    pytest.fail(f"{what}: timed out. {log.read_text()[-2000:]}")


class DevTools:
    """A minimal DevTools protocol client: commands, and the app's websocket frames."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.received = b""

    def _event(self, message: dict[str, Any]) -> None:
        if message.get("method") == "Network.webSocketFrameReceived":
            frame = message["params"]["response"]
            data = frame["payloadData"]
            self.received += base64.b64decode(data) if frame["opcode"] == 2 else data.encode()

    async def _next(self, timeout: float) -> dict[str, Any]:
        msg = await self.ws.receive(timeout=timeout)
        assert msg.type == aiohttp.WSMsgType.TEXT, msg
        message: dict[str, Any] = json.loads(msg.data)
        return message

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        ident = next(self.ids)
        await self.ws.send_json({"id": ident, "method": method, "params": params})
        while True:
            message = await self._next(DEADLINE)
            if message.get("id") == ident:
                assert "error" not in message, message
                result: dict[str, Any] = message.get("result", {})
                return result
            self._event(message)

    async def wait_text(self, *needles: str, timeout: float = DEADLINE) -> str:
        """Wait until the app's output, as the browser received it, holds every needle."""
        end = time.monotonic() + timeout
        while True:
            # Without the escape sequences: Textual may style (and so write) cell by cell.
            text = ANSI.sub("", self.received.decode("utf-8", "replace"))
            if all(n in text for n in needles):
                return text
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"never received {needles}; got {text[-1500:]!r}")
            with contextlib.suppress(asyncio.TimeoutError):
                self._event(await self._next(left))


COUNT_COLOURS = """
(async () => {
  const img = new Image();
  img.src = "data:image/png;base64,%s";
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.width; canvas.height = img.height;
  const g = canvas.getContext("2d");
  g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, img.width, img.height).data;
  const seen = new Set();
  for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
  return seen.size;
})()
"""


async def press(cdp: DevTools, digit: str) -> None:
    """Type a digit key into the page, as a person would."""
    key = {"key": digit, "code": f"Digit{digit}", "windowsVirtualKeyCode": ord(digit)}
    await cdp.call("Input.dispatchKeyEvent", type="keyDown", text=digit, **key)
    await cdp.call("Input.dispatchKeyEvent", type="keyUp", **key)


async def drive_browser(devtools_port: int, url: str, shot: Path) -> tuple[str, str, int]:
    """Open *url*, wait for the Projects screen, press 5, and take a screenshot."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{devtools_port}/json/list") as response:
            targets = await response.json()
        page = next(t for t in targets if t["type"] == "page")
        async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            cdp = DevTools(ws)
            await cdp.call("Network.enable")
            await cdp.call("Page.enable")
            await cdp.call("Page.navigate", url=url)
            # The Projects screen: its column headers, the demo's projects and the footer's
            # keys, the same as in a terminal.
            projects = await cdp.wait_text("Health", "Archive/restore", "SHOP", "B2BX")
            # The same keys as in a terminal: 5 opens the Activity screen.
            # xterm.js reads keys from its hidden text area, as when a person clicks the page.
            await cdp.call(
                "Runtime.evaluate",
                expression="document.querySelector('.xterm-helper-textarea').focus()",
            )
            await press(cdp, "5")
            activity = await cdp.wait_text("Generated demo data")
            await press(cdp, "1")
            await asyncio.sleep(1.5)  # the screen redrawn, the terminal faded in
            picture = (await cdp.call("Page.captureScreenshot", format="png"))["data"]
            shot.write_bytes(base64.b64decode(picture))
            shown = await cdp.call(
                "Runtime.evaluate", expression="document.body.className", returnByValue=True
            )
            counted = await cdp.call("Runtime.evaluate", expression=COUNT_COLOURS % picture,
                                     awaitPromise=True, returnByValue=True)  # fmt: skip
            assert "-first-byte" in shown["result"]["value"]  # the terminal is on show
            return projects, activity, int(counted["result"]["value"])


def test_serve_shows_the_projects_screen_in_headless_chromium(
    tmp_path: Path, demo_db: Path
) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        _missing("chromium is not installed (Debian package chromium)")
        return
    port = free_port()
    argv = [sys.executable, "-m", "ecpm_tui", "--db", str(demo_db), "serve", "--port", str(port)]
    server_log = tmp_path / "serve.log"
    with started(argv, server_log) as server:

        def listening() -> set[str]:
            return listening_addresses(port)

        # Loopback only, never a public address.
        assert wait_for(listening, "ecpm serve", server, server_log) == {"127.0.0.1"}
        profile = tmp_path / "chromium"
        browser_argv = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "--window-size=1200,800",
            "about:blank",
        ]
        browser_log = tmp_path / "chromium.log"
        with started(browser_argv, browser_log) as browser:
            active = profile / "DevToolsActivePort"

            def devtools_port() -> int:
                lines = active.read_text().split() if active.exists() else []
                return int(lines[0]) if lines else 0

            dev = wait_for(devtools_port, "chromium", browser, browser_log)
            shot = tmp_path / "projects.png"
            projects, activity, colours = asyncio.run(
                drive_browser(dev, f"http://127.0.0.1:{port}/", shot)
            )
    assert "Archive/restore" in projects and "^p Commands" in projects
    assert "Generated demo data" in activity
    assert shot.read_bytes().startswith(b"\x89PNG")
    # A drawn terminal screen (text, table, footer), not a blank or single-colour page.
    assert colours > 20, colours


def test_serve_refuses_a_missing_database_and_a_bad_port(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.db"
    assert main(["--db", str(missing), "serve", "--port", str(free_port())]) == 1
    assert "No database at" in capsys.readouterr().err
    assert not missing.exists()  # a mistyped --db never starts an empty database
    assert main(["serve", "--port", "70000"]) == 1
    assert "--port must be between 1 and 65535" in capsys.readouterr().err


def test_each_tab_runs_this_ecpm_with_the_same_options() -> None:
    assert serve.app_command() == shlex.join([sys.executable, "-m", "ecpm_tui"])
    assert serve.app_command(no_mouse=True).endswith("-m ecpm_tui --no-mouse")
    assert serve.HOST == "127.0.0.1"


def test_a_port_in_use_is_one_clear_line(demo_db: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = [
            sys.executable,
            "-m",
            "ecpm_tui",
            "--db",
            str(demo_db),
            "serve",
            "--port",
            str(port),
        ]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 1
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith(f"ecpm: Cannot serve on 127.0.0.1:{port}: ")
    assert "in use" in line and line.endswith("Choose another --port.")
