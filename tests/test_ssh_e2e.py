"""Issue 11 item 10: two Unix users on one shared server, each running the installed
``ecpm`` over ``ssh -t`` inside tmux, on one database made by ``ecpm init --shared-group``.

A card one user moves shows on the other's screen within 2 s; a concurrent edit of one
card shows the conflict to the second saver; the Activity screen names both users.
Needs root (it adds Unix users) and Debian's openssh-server: CI (``.ci/run``) installs it
and runs as root, and under CI=1 anything missing fails the test instead of skipping it.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_tmux import TmuxSession, terminal_env
from ssh_world import SshWorld, missing_prerequisite

from ecpm_tui import lifecycle

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PHASE_LABELS = [p.label for p in lifecycle.PHASES]
PHASE_VALUES = [p.value for p in lifecycle.PHASES]


@pytest.fixture
def world() -> Iterator[SshWorld]:
    why = missing_prerequisite()
    if why:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    server = SshWorld()
    try:
        server.start()
        yield server
    finally:
        server.close()


def column_of(screen: str, text: str) -> str | None:
    """The board column (phase label) whose area shows *text* on a captured screen."""
    lines = screen.splitlines()
    header = next((ln for ln in lines if all(lb in ln for lb in PHASE_LABELS[:2])), None)
    if header is None:
        return None
    starts = sorted((header.index(label), label) for label in PHASE_LABELS if label in header)
    for line in lines:
        x = line.find(text)
        if x >= 0 and line is not header:
            inside = [label for start, label in starts if start <= x + 1]
            return inside[-1] if inside else None
    return None


def wait_column(tmux: TmuxSession, text: str, label: str, timeout: float) -> float:
    """Seconds until *text* shows in the *label* column; fail with the screen."""
    start = time.monotonic()
    screen = ""
    while time.monotonic() - start < timeout:
        screen = tmux.capture()
        if column_of(screen, text) == label:
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"{text!r} not in column {label} after {timeout}s:\n{screen}")


def test_two_users_over_ssh_share_one_board(world: SshWorld) -> None:
    alice, bob = world.users
    # The team folder's parent belongs to the first user, as /srv/<team> would to an admin.
    srv = world.root / "srv"
    srv.mkdir()
    shutil.chown(srv, alice, world.group)
    world.as_user(alice, "init", "--shared-group", world.group, "--db", str(world.db))
    seed = ["--projects", "1", "--cards", "6", "--risks", "0", "--seed", "1"]
    world.as_user(alice, "demo", "--db", str(world.db), *seed)
    # The second user reads it too (group permissions, not luck).
    project = json.loads(world.as_user(bob, "export", "--db", str(world.db)))["projects"][0]
    by_phase = sorted(project["cards"], key=lambda c: (PHASE_VALUES.index(c["phase"]), c["rank"]))
    card = next(c for c in by_phase if c["phase"] != PHASE_VALUES[-1])
    column = PHASE_VALUES.index(card["phase"])
    title = card["title"][:14]
    here, there = PHASE_LABELS[column], PHASE_LABELS[column + 1]

    remote = f"env LANG=C.UTF-8 COLORTERM=truecolor {world.ecpm} --db {world.db} --no-mouse"
    with TmuxSession() as a, TmuxSession() as b:
        a.start(world.ssh_command(alice, remote), env=terminal_env())
        b.start(world.ssh_command(bob, remote), env=terminal_env())
        for tmux in (a, b):
            tmux.wait_for(project["name"], timeout=30)
            tmux.send_keys("2")
            wait_column(tmux, title, here, timeout=20)
            for _ in range(column):
                tmux.send_keys("l")

        # Both open the same card; the first save wins, the second sees the conflict.
        for tmux in (a, b):
            tmux.send_keys("e")
            tmux.wait_for("Edit card")
        # The title field opens focused with the cursor after its text: ctrl+u clears it.
        a.send_keys("C-u")
        a.send_keys("Edited by alice", literal=True)
        a.wait_for("Edited by alice")
        a.send_keys("C-s")
        wait_column(a, "Edited by alice", here, timeout=10)  # saved, back on the board
        b.send_keys("C-u")
        b.send_keys("Edited by bob", literal=True)
        b.wait_for("Edited by bob")
        b.send_keys("C-s")
        screen = b.wait_for("Reload theirs", timeout=10)
        assert alice in screen and "nothing was overwritten" in screen.replace("\n", " ")
        b.send_keys("Escape")
        b.wait_for("Discard your unsaved changes?")
        b.send_keys("y")
        title = "Edited by alice"  # Bob's board reloaded Alice's version
        wait_column(b, title, here, timeout=10)

        # Bob moves the card to the next phase; Alice's board shows it within 2 s.
        b.send_keys("L")
        wait_column(b, title, there, timeout=10)
        seen_after = wait_column(a, title, there, timeout=10)
        assert seen_after < 2.0, f"the move took {seen_after:.2f}s to reach the other screen"

        a.send_keys("5")
        screen = a.wait_for("When (UTC)")
        a.wait_for(bob, timeout=10)
        screen = a.wait_for(alice, timeout=10)
        assert bob in screen and alice in screen
        for tmux in (a, b):
            tmux.send_keys("q")
            tmux.wait_for_exit()

    events = json.loads(world.as_user(bob, "export", "--db", str(world.db)))["projects"][0]
    users = {e["user"] for e in events["events"]}
    assert {alice, bob} <= users
    moved = next(c for c in events["cards"] if c["title"] == title)
    assert moved["phase"] == PHASE_VALUES[column + 1]
    assert not [c for c in events["cards"] if c["title"] == "Edited by bob"]
    assert Path(world.db).stat().st_gid == Path(world.db).parent.stat().st_gid
