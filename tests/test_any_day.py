"""The suite passes on any day: screens draw dates from the store's clock, never the system's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from conftest import _missing

ROOT = Path(__file__).resolve().parent.parent


def test_snapshots_pass_with_the_system_clock_a_year_ahead() -> None:
    faketime = shutil.which("faketime")
    if faketime is None:
        _missing("faketime is not installed (Debian package faketime)")
    env = {**os.environ, "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
    probe = subprocess.run(
        [
            str(faketime),
            "-f",
            "+365d",
            sys.executable,
            "-c",
            "import datetime; print(datetime.date.today())",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    # The clock really moved: the child sees a date about a year after this process does.
    ahead = date.fromisoformat(probe.stdout.strip()) - date.today()
    assert timedelta(days=364) <= ahead <= timedelta(days=366)
    result = subprocess.run(
        [
            str(faketime),
            "-f",
            "+365d",
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            "0",
            "-p",
            "no:cacheprovider",
            "tests/test_snapshots.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
