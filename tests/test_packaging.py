"""Packaging: one import package from the fixed layout, as an editable install and a wheel."""

from __future__ import annotations

import subprocess
import sys
import venv
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest

import ecpm_tui

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import importlib.util, sys
from importlib.resources import files
import ecpm_tui, ecpm_tui.screens, ecpm_tui.styles
styles = sorted(p.name for p in files("ecpm_tui.styles").iterdir() if p.name.endswith(".tcss"))
assert "app.tcss" in styles and "board.tcss" in styles, styles
assert files("ecpm_tui.data").joinpath("questions.json").is_file()
assert files("ecpm_tui.migrations").joinpath("script.py.mako").is_file()
assert importlib.util.find_spec("screens") is None, "generic top-level 'screens' installed"
assert importlib.util.find_spec("styles") is None, "generic top-level 'styles' installed"
from ecpm_tui.app import EcpmApp  # every screen module imports cleanly
print(ecpm_tui.__file__)
"""


def test_editable_install_maps_the_fixed_layout() -> None:
    import ecpm_tui.screens as screens_pkg

    assert Path(screens_pkg.__file__).resolve().parent == ROOT / "screens"
    tcss = {p.name for p in files("ecpm_tui.styles").iterdir() if p.name.endswith(".tcss")}
    screens = {p.stem for p in (ROOT / "screens").glob("*.py")} - {"__init__", "base"}
    # Every screen module with a screen class has its own stylesheet.
    assert {"projects", "board", "pptf", "risks", "activity", "help"} <= screens
    assert {f"{s}.tcss" for s in ("projects", "board", "pptf", "risks", "activity", "help")} <= tcss


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = out.glob("ecpm-*.whl")
    env_dir = out / "venv"
    venv.create(env_dir, with_pip=True)
    subprocess.run(
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        timeout=600,
    )
    yield env_dir


@pytest.mark.slow
def test_wheel_in_a_fresh_venv(wheel_venv: Path, tmp_path: Path) -> None:
    python = str(wheel_venv / "bin" / "python")
    result = subprocess.run(
        [python, "-c", CHECK], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert str(wheel_venv) in result.stdout  # imported from the venv, not the checkout
    version = subprocess.run(
        [str(wheel_venv / "bin" / "ecpm"), "--version"], capture_output=True, text=True
    )
    assert version.stdout.strip() == f"ecpm {ecpm_tui.__version__}"
    module = subprocess.run(
        [python, "-m", "ecpm_tui", "--version"], capture_output=True, text=True, cwd=tmp_path
    )
    assert module.stdout.strip() == f"ecpm {ecpm_tui.__version__}"
    db = tmp_path / "w.db"
    init = subprocess.run(
        [str(wheel_venv / "bin" / "ecpm"), "init", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert init.returncode == 0, init.stderr  # migrations ship inside the wheel
    assert db.exists()
