"""Issue 12 item 5: progress bars for demo, import, export and report.

A bar is drawn (on stderr, by Rich) only on a terminal and only for work over a second
(or a large job): the tests run the installed ``ecpm`` once with pipes, where nothing but
the result may appear, and once in a pseudo-terminal, where the bar must show.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ecpm_tui import progress

ECPM = str(Path(sys.executable).with_name("ecpm"))
TRELLO = Path(__file__).parent / "data" / "imports" / "trello_board.json"
BAR = "━"  # Rich's bar character


def env(delay: str = "0") -> dict[str, str]:
    # Delay 0: the bar is due at once, so only the terminal check can keep it away.
    return dict(os.environ, ECPM_PROGRESS_DELAY=delay, TERM="xterm-256color", COLUMNS="100")


def in_pty(args: list[str], delay: str = "0", timeout: float = 120) -> tuple[int, str]:
    """Run ecpm with stdin, stdout and stderr on a pseudo-terminal; its whole output."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [ECPM, *args], stdin=slave, stdout=slave, stderr=slave, env=env(delay), close_fds=True
    )
    os.close(slave)
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
    finally:
        os.close(master)
    return proc.wait(timeout=30), out.decode("utf-8", "replace")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "ecpm.db"
    subprocess.run([ECPM, "init", "--db", str(path)], check=True, capture_output=True)
    return path


def test_no_bar_without_a_terminal(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecpm_tui import cli

    monkeypatch.setenv("ECPM_PROGRESS_DELAY", "0")  # due at once: only the tty check stops it
    commands = [
        ["demo", "--projects", "2", "--cards", "300", "--risks", "10"],
        ["export"],
        ["export", "--format", "csv", "--what", "cards"],
        ["report", "SHOP"],
        ["report", "--all"],
        ["import", str(TRELLO), "--from", "trello", "--map", "*=Planning", "--dry-run"],
    ]
    for args in commands:
        capsys.readouterr()
        assert cli.main([*args, "--db", str(db)]) == 0, args
        out, err = capsys.readouterr()
        assert err == "", (args, err)
        assert BAR not in out and "\x1b" not in out, args


def test_a_bar_on_a_terminal_is_erased_before_the_result(db: Path) -> None:
    code, out = in_pty(
        ["demo", "--db", str(db), "--projects", "2", "--cards", "300", "--risks", "10"]
    )
    assert code == 0, out
    assert "Generating demo data" in out or "Writing demo data" in out, out
    assert BAR in out
    # Transient: the bar line is cleared, then the result is printed on a clean line.
    before, _, result = out.rpartition("\x1b[2K")
    assert BAR in before
    assert result.startswith("Added 2 demo projects"), out


def test_export_and_import_bars_on_a_terminal(db: Path, tmp_path: Path) -> None:
    from ecpm_tui import cli

    assert cli.main(["demo", "--db", str(db), "--projects", "1", "--cards", "1500"]) == 0
    dump = tmp_path / "dump.json"
    code, out = in_pty(["export", "--db", str(db), "-o", str(dump)])
    assert code == 0 and "Exporting" in out and BAR in out, out
    other = tmp_path / "other.db"
    subprocess.run([ECPM, "init", "--db", str(other)], check=True, capture_output=True)
    code, out = in_pty(["import", str(dump), "--db", str(other)])
    assert code == 0 and "Importing" in out and BAR in out, out
    assert "Imported 1 project(s) (SHOP)" in out.rpartition("\x1b[2K")[2], out


def test_quick_work_shows_no_bar_even_on_a_terminal(db: Path) -> None:
    # The real delay (1 s): a quick report never flashes a bar.
    code, out = in_pty(["report", "--all", "--db", str(db)], delay="1")
    assert code == 0, out
    assert BAR not in out and "Writing the portfolio report" not in out


def _wait_shown(bar: progress.Bar, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if bar.shown:
            return True
        time.sleep(0.02)
    return bar.shown


def test_the_bar_waits_a_second_unless_the_job_is_large(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(progress, "on_terminal", lambda *streams: True)
    monkeypatch.delenv("ECPM_PROGRESS_DELAY", raising=False)
    with progress.Bar("small", total=10) as bar:
        assert not _wait_shown(bar, 0.4)  # not before ~1 s
        assert _wait_shown(bar, 5)
        bar.advance(3)
        bar.pulse("next step")
    assert not bar.shown  # closed and erased
    with progress.Bar("large", total=progress.LARGE) as bar:
        assert _wait_shown(bar, 1)  # at once
    with progress.Bar("large demo", total=3, large=True) as bar:
        assert _wait_shown(bar, 1)


def test_off_a_terminal_nothing_is_ever_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECPM_PROGRESS_DELAY", "0")
    assert not progress.on_terminal()  # pytest captures stdout and stderr
    with progress.Bar("x", total=progress.LARGE) as bar:
        assert not _wait_shown(bar, 0.3)


def test_version_loads_no_rich() -> None:
    code = (
        "import sys\n"
        "from ecpm_tui import cli\n"
        "try:\n"
        "    cli.main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert "LOADED []" in result.stdout, result.stdout
