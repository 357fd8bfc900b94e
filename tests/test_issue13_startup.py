"""Issue 13: the first screen paints before the storage layer loads; Alembic only when
the schema is behind; a database that fails to open ends the app with its message."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import known_heads, open_database, stored_revisions
from ecpm_tui.errors import StorageError
from ecpm_tui.store import Store


def run_python(code: str) -> dict[str, object]:
    """Run *code* in a fresh interpreter (nothing imported yet); its last line is JSON."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_first_screen_mounts_before_sqlmodel_is_imported(tmp_path: Path) -> None:
    db = tmp_path / "start.db"
    result = run_python(
        f"""
        import asyncio, json, sys
        from ecpm_tui.app import EcpmApp
        from ecpm_tui.screens.start import StartScreen

        seen = {{}}

        def mounted(self):
            seen["start_mounted"] = True
            seen["sqlmodel_at_first_paint"] = "sqlmodel" in sys.modules
            seen["sqlalchemy_at_first_paint"] = "sqlalchemy" in sys.modules

        StartScreen.on_mount = mounted

        def open_store():
            from ecpm_tui.config import DbTarget
            from ecpm_tui.db import open_database
            from ecpm_tui.store import Store
            return Store(open_database(DbTarget("sqlite:///{db}", "test")), user="ann")

        async def main():
            app = EcpmApp(poll_interval=0, open_store=open_store)
            async with app.run_test(size=(80, 24)) as pilot:
                for _ in range(200):
                    await pilot.pause(0.05)
                    if type(app.screen).__name__ == "ProjectsScreen":
                        break
                seen["then"] = type(app.screen).__name__
                seen["sqlmodel_then"] = "sqlmodel" in sys.modules

        asyncio.run(main())
        print(json.dumps(seen))
        """
    )
    assert result["start_mounted"] is True
    assert result["sqlmodel_at_first_paint"] is False
    assert result["sqlalchemy_at_first_paint"] is False
    assert result["then"] == "ProjectsScreen"
    assert result["sqlmodel_then"] is True


def test_a_database_at_head_opens_without_alembic(tmp_path: Path) -> None:
    path = tmp_path / "head.db"
    open_database(DbTarget(f"sqlite:///{path}", "test")).close()  # created and migrated
    result = run_python(
        f"""
        import json, sys
        from ecpm_tui.config import DbTarget
        from ecpm_tui.db import open_database
        open_database(DbTarget("sqlite:///{path}", "test")).close()
        print(json.dumps({{"alembic": "alembic" in sys.modules}}))
        """
    )
    assert result == {"alembic": False}


def test_heads_read_from_the_migration_files_match_alembic(tmp_path: Path) -> None:
    from ecpm_tui.db import schema_revisions

    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'x.db'}", "test"))
    current, heads = schema_revisions(db.engine)
    assert known_heads() == heads == current
    assert stored_revisions(db.engine) == heads
    db.close()


def test_an_empty_file_is_still_migrated(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    db = open_database(DbTarget(f"sqlite:///{path}", "test"))
    assert stored_revisions(db.engine) == known_heads()
    db.close()


def test_a_database_that_fails_to_open_ends_the_app_with_its_message() -> None:
    def open_store() -> Store:
        raise StorageError("The database x was created by a newer version of ecpm [/]")

    async def main() -> EcpmApp:
        app = EcpmApp(poll_interval=0, open_store=open_store)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(100):
                await pilot.pause(0.02)
                if not app.is_running:
                    break
        return app

    app = asyncio.run(main())
    assert app.return_code == 1
    assert app.start_error is not None
    assert "newer version" in app.start_error.message


def test_keys_typed_while_the_database_opens_are_kept(tmp_path: Path) -> None:
    # A person who starts ecpm and at once types n and a name (over a slow link the
    # database opens after the keys arrive) gets the form with the whole name in it.
    import threading

    from textual.widgets import Input

    from ecpm_tui.screens.form import FormScreen

    gate = threading.Event()
    db_path = tmp_path / "slow.db"

    def open_store() -> Store:
        gate.wait(10)
        return Store(open_database(DbTarget(f"sqlite:///{db_path}", "test")), user="alice")

    async def main() -> tuple[str, str]:
        app = EcpmApp(poll_interval=0, open_store=open_store)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("n", "A", "C", "M", "E")
            assert not isinstance(app.screen, FormScreen)  # still opening
            gate.set()
            for _ in range(100):
                await pilot.pause(0.02)
                screen = app.screen
                if isinstance(screen, FormScreen) and screen.mounted_fields:
                    break
            await app.workers.wait_for_complete()
            await pilot.pause()
            form = app.screen
            assert isinstance(form, FormScreen)
            return type(form).__name__, form.query_one("#field-key", Input).value

    name, typed = asyncio.run(main())
    assert typed == "ACME", name


def test_the_ecpm_command_runs_the_app_with_the_collector_tuned(tmp_path: Path) -> None:
    db = tmp_path / "gc.db"
    db.touch()  # an empty file is a new database
    result = run_python(
        f"""
        import gc, json
        from ecpm_tui import cli, gc_policy
        from ecpm_tui.app import EcpmApp

        seen = {{"before": list(gc.get_threshold()), "frozen_before": gc.get_freeze_count()}}

        def run(self, **kwargs):
            seen["threshold"] = list(gc.get_threshold())
            seen["automatic"] = gc.isenabled()
            seen["frozen"] = gc.get_freeze_count()
            seen["app_frozen"] = any(o is self for o in gc.get_objects()) is False

        EcpmApp.run = run
        seen["code"] = cli.main(["--db", "{db}"])
        seen["policy"] = list(gc_policy.THRESHOLDS)
        print(json.dumps(seen))
        """
    )
    assert result["code"] == 0
    assert result["before"] == [700, 10, 10]
    # Set before the app runs: collections every 20,000 allocations, and what start-up
    # loaded (Textual, the app object and its classes) frozen out of the scans.
    assert result["threshold"] == result["policy"] == [20_000, 50, 50]
    assert result["automatic"] is False, "the app's idle collector collects instead"
    frozen, before = result["frozen"], result["frozen_before"]
    assert isinstance(frozen, int) and isinstance(before, int) and frozen > before + 10_000
    assert result["app_frozen"] is True
