"""Issue 13: what the first paint and each command line may import.

Each case runs in a fresh interpreter (nothing imported yet) and reports which of the
modules that must wait were loaded. No timings: only what was imported, and when.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import ecpm_tui
from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.store import Store

# Not needed to paint the start screen: the storage layer, the other screens, the
# palette/help (with the DataTable), charts and the web server.
NOT_AT_FIRST_PAINT = (
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "textual_plotext",
    "plotext",
    "textual_serve",
    "ecpm_tui.db",
    "ecpm_tui.store",
    "ecpm_tui.pptf_custom",
    "ecpm_tui.screens.base",
    "ecpm_tui.screens.help",
    "ecpm_tui.screens.palette",
    "ecpm_tui.screens.projects",
    "ecpm_tui.screens.board",
    "ecpm_tui.screens.pptf",
    "ecpm_tui.screens.risks",
    "ecpm_tui.screens.activity",
    "ecpm_tui.screens.charts",
    "textual.widgets._data_table",
)

# The import hook holds every import the database worker makes until the start screen
# is painted, so the worker cannot race the check; an import of one of these names on
# the main thread before the first paint is what the test catches.
FIRST_PAINT = """
import json, os, sys, threading
from importlib.abc import MetaPathFinder

painted = threading.Event()

class HoldWorkerImports(MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if threading.current_thread() is not threading.main_thread():
            painted.wait(30)
        return None

sys.meta_path.insert(0, HoldWorkerImports())

import ecpm_tui
from ecpm_tui.app import EcpmApp
from ecpm_tui.screens.start import StartScreen

WATCHED = {watched!r}

def report(app):
    loaded = sorted(m for m in WATCHED if m in sys.modules)
    print(json.dumps({{"screen": type(app.screen).__name__, "loaded": loaded}}), flush=True)
    painted.set()
    os._exit(0)

StartScreen.on_mount = lambda self: self.app.call_after_refresh(report, self.app)
run = EcpmApp.run
EcpmApp.run = lambda self, **kw: run(self, headless=True, **kw)
from ecpm_tui.cli import main
main(["--db", {db!r}])
"""


def last_json(argv: list[str]) -> dict[str, object]:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_ecpm_command_paints_its_first_screen_before_loading_the_rest(
    tmp_path: Path,
) -> None:
    db = tmp_path / "start.db"
    open_database(DbTarget(f"sqlite:///{db}", "test")).close()
    code = FIRST_PAINT.format(watched=NOT_AT_FIRST_PAINT, db=str(db))
    result = last_json([sys.executable, "-c", textwrap.dedent(code)])
    assert result == {"screen": "StartScreen", "loaded": []}


def test_warnings_found_while_the_database_opens_are_shown(tmp_path: Path) -> None:
    # `ecpm` reads the question bank in the worker that opens the database; what it
    # finds wrong is added to the app's warnings then and shown once the app starts.
    warnings: list[str] = []

    def open_store() -> Store:
        warnings.append("pptf_questions.toml:4: a [question] needs a text")
        return Store(open_database(DbTarget(f"sqlite:///{tmp_path / 'w.db'}", "test")), "ann")

    seen: list[str] = []

    class Recording(EcpmApp):
        def notify(self, message: object, *args: object, **kwargs: object) -> None:
            seen.append(str(message))
            super().notify(message, *args, **kwargs)  # type: ignore[arg-type]

    async def main() -> None:
        app = Recording(poll_interval=0, startup_warnings=warnings, open_store=open_store)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(200):
                await pilot.pause(0.05)
                if type(app.screen).__name__ == "ProjectsScreen":
                    break
            await pilot.pause()
            app.store.db.close()

    asyncio.run(main())
    assert seen == ["pptf_questions.toml:4: a [question] needs a text"]


# Loaded by no command line below: the UI, the storage layer (only where the command
# opens a database), and for --help/--version the configuration too.
UI = ("textual", "rich", "textual_plotext", "textual_serve")
STORAGE = ("sqlalchemy", "sqlmodel", "alembic")
CONFIG = ("ecpm_tui.config", "platformdirs", "tomllib", "sqlite3")

CLI = """
import json, sys
from ecpm_tui import cli
try:
    cli.main({argv!r})
except SystemExit:
    pass
print(json.dumps(sorted({{m.split(".")[0] if not m.startswith("ecpm") else m
                          for m in sys.modules}})))
"""


def loaded_by(argv: list[str]) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CLI.format(argv=argv))],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "argv",
    [
        ["--version"],
        ["--help"],
        ["export", "--help"],
        ["import", "--help"],
        ["report", "--help"],
        ["doctor", "--help"],
        ["backup", "--help"],
        ["serve", "--help"],
    ],
)
def test_version_and_help_load_neither_ui_nor_storage_nor_config(argv: list[str]) -> None:
    loaded = loaded_by(argv)
    assert not loaded & {*UI, *STORAGE, *CONFIG}, sorted(loaded & {*UI, *STORAGE, *CONFIG})


def test_commands_that_open_the_database_do_not_load_the_ui(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    open_database(DbTarget(f"sqlite:///{db}", "test")).close()
    for argv in (
        ["doctor", "--db", str(db)],
        ["export", "--db", str(db), "-o", str(tmp_path / "out.json")],
        ["report", "--all", "--db", str(db), "-o", str(tmp_path / "all.md")],
        ["backup", "--db", str(db), str(tmp_path / "copy.db")],
    ):
        loaded = loaded_by(argv)
        assert not loaded & set(UI), (argv, sorted(loaded & set(UI)))
        assert "ecpm_tui.app" not in loaded, argv
        assert "ecpm_tui.db" in loaded, argv  # each of them did open the database


def test_version_prints_what_the_parser_would(capsys: pytest.CaptureFixture[str]) -> None:
    # `ecpm --version` answers without building the parser: the same line, exit 0.
    from ecpm_tui import cli

    assert cli.main(["--version"]) == 0
    fast = capsys.readouterr().out
    with pytest.raises(SystemExit) as stop:
        cli.build_parser().parse_args(["--version"])
    assert stop.value.code == 0
    assert fast == capsys.readouterr().out == f"ecpm {ecpm_tui.__version__}\n"


def test_the_start_screen_keeps_its_look(tmp_path: Path) -> None:
    # styles/start.tcss is read with the app's stylesheet now, not by the screen.
    import threading

    from textual.widgets import Static

    gate = threading.Event()

    def open_store() -> Store:
        gate.wait(10)
        return Store(open_database(DbTarget(f"sqlite:///{tmp_path / 's.db'}", "test")), "ann")

    async def main() -> tuple[str, str, str, int]:
        app = EcpmApp(poll_interval=0, open_store=open_store)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            status = app.screen.query_one("#start-status", Static)
            look = (
                type(app.screen).__name__,
                status.styles.content_align_horizontal,
                status.styles.content_align_vertical,
                status.region.height,
            )
            gate.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.store.db.close()
            return look

    assert asyncio.run(main()) == ("StartScreen", "center", "middle", 22)
