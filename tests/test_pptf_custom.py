"""An installation's own PPTF questions (pptf_questions.toml): good and broken files."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest
from pilots import settle as settle_rounds
from textual.pilot import Pilot

from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.pptf_custom import (
    QUESTIONS_FILE,
    custom_question_paths,
    describe,
    load_installed_bank,
)
from ecpm_tui.screens.pptf_wizard import WizardScreen
from ecpm_tui.store import Store

ECPM = str(Path(sys.executable).parent / "ecpm")

GOOD = """\
disable = ["F7", "P8"]

[[question]]
key = "T10"
dimensions = ["technology"]
weight = 2
category = "performance"
workstream = "website"
text_en = "Is a CDN in front of the storefront?"
text_es = "¿Hay una CDN delante de la tienda?"

[[question]]
key = "P3"
dimensions = ["people"]
weight = 3
text_en = "Is there one accountable owner on the team?"
"""


def user_file(text: str) -> Path:
    path = platformdirs.user_config_path("ecpm") / QUESTIONS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_files_are_looked_for_in_site_then_user_config(isolated_user: Path) -> None:
    site, user = custom_question_paths()
    assert str(site).startswith(str(isolated_user / "etc-xdg"))
    assert str(user).startswith(str(isolated_user / ".config"))


def test_no_file_means_the_shipped_bank() -> None:
    load = load_installed_bank()
    assert not load.problems and not load.applied
    assert len(load.bank.questions) == 34
    assert describe(load) == "shipped bank, 34 questions"


def test_good_file_adds_replaces_and_disables() -> None:
    path = user_file(GOOD)
    load = load_installed_bank()
    assert load.problems == [] and load.applied == [path]
    keys = load.bank.keys()
    assert "T10" in keys and "F7" not in keys and "P8" not in keys
    assert len(keys) == 34 + 1 - 2
    assert load.bank.get("P3").text_en == "Is there one accountable owner on the team?"
    t10 = load.bank.get("T10")
    assert (t10.category, t10.text("es")) == ("performance", "¿Hay una CDN delante de la tienda?")
    # The new question is asked after the technology questions it joins.
    tech = [q.key for q in load.bank.for_dimension(t10.primary_dimension)]
    assert tech[-1] == "T10"
    assert "1 added, 2 disabled" in describe(load)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("disable = [\n\n[[question]]\nkey = 1\n", 3, "Invalid"),  # not TOML
        (GOOD.replace("weight = 2", "weight = 7"), 3, "weight must be 1, 2 or 3"),
        (GOOD.replace('category = "performance"', 'category = "weather"'), 3, "category"),
        (GOOD + '\n[[question]]\nkey = "X1"\ncolour = "red"\n', 18, "unknown field"),
        (GOOD.replace('"F7"', '"Z9"'), 1, "unknown question"),
    ],
)
def test_broken_file_is_reported_with_file_and_line(text: str, line: int, fragment: str) -> None:
    path = user_file(text)
    load = load_installed_bank()
    assert len(load.bank.questions) == 34  # the shipped bank is used
    (problem,) = load.problems
    assert problem.startswith(f"{path}:{line}: "), problem
    assert fragment.lower() in problem.lower()


def test_doctor_reports_the_broken_file(tmp_path: Path) -> None:
    path = user_file(GOOD.replace("weight = 2", "weight = 0"))
    result = subprocess.run(
        [ECPM, "doctor", "--db", str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert result.returncode == 1
    assert "BAD pptf questions" in result.stdout and f"{path}:3:" in result.stdout


def test_doctor_reports_a_good_file(tmp_path: Path) -> None:
    user_file(GOOD)
    result = subprocess.run(
        [ECPM, "doctor", "--db", str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert "ok  pptf questions" in result.stdout and "33 questions" in result.stdout


def test_app_warns_on_start_and_the_wizard_uses_the_custom_bank(tmp_path: Path) -> None:
    user_file(GOOD)
    load = load_installed_bank()
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'c.db'}", "test"))
    store = Store(db, user="alice", bank=load.bank)
    p = store.create_project({"key": "SHOP", "name": "Shop"})
    a = store.start_assessment(p.id, "IT", phase="initiation")  # type: ignore[arg-type]
    for q in load.bank.ordered()[:-1]:
        store.save_answer(a.id, q.key, 2)  # type: ignore[arg-type]
    seen: list[str] = []

    class Recording(EcpmApp):
        def notify(self, message: object, *args: object, **kwargs: object) -> None:  # type: ignore[override]
            seen.append(str(message))
            super().notify(message, *args, **kwargs)  # type: ignore[arg-type]

    async def main() -> None:
        app = Recording(store, poll_interval=0, startup_warnings=["pptf_questions.toml:4: bad"])
        async with app.run_test(size=(120, 35)) as pilot:
            await pilot.pause()
            app.push_screen(WizardScreen(a.id))  # type: ignore[arg-type]
            await settle(pilot)
            assert isinstance(app.screen, WizardScreen)
            seen.append(app.screen.question.key)

    asyncio.run(main())
    db.close()
    assert seen == ["pptf_questions.toml:4: bad", "F8"]


async def settle(pilot: Pilot[None]) -> None:
    await settle_rounds(pilot, 4)


def test_a_file_this_user_may_not_reach_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    # A site config folder closed to this user (the SSH test met one): report it, keep
    # the shipped bank. The check runs in a forked child dropped to nobody, since root
    # ignores file permissions.
    closed = tmp_path / "closed"
    closed.mkdir()
    path = closed / "pptf_questions.toml"
    path.write_text(GOOD, encoding="utf-8")
    closed.chmod(0o000 if os.geteuid() else 0o700)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: report, never let it run pytest on
        message = ""
        try:
            os.close(read_end)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            load = load_installed_bank([path])
            message = f"{len(load.bank.questions)}|{'|'.join(load.problems)}"
        except BaseException as exc:
            message = f"crash: {exc!r}"
        finally:
            os.write(write_end, message.encode())
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        message = fh.read().decode()
    os.waitpid(pid, 0)
    closed.chmod(0o700)
    assert message == f"34|{path}: cannot be read (Permission denied)"
