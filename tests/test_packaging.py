"""Packaging: one import package ``ecpm_tui`` (screens/ and styles/ mapped into it).

Checked twice, as DESIGN section 1 asks: a wheel installed into a fresh venv, and the
editable install the tests run in.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]

# Runs inside the installed environment, from a folder that is not the repository.
IMPORT_CHECK = """
import importlib.util
from importlib.resources import files
import ecpm_tui, ecpm_tui.screens, ecpm_tui.styles
tcss = [p.name for p in files("ecpm_tui.styles").iterdir() if p.name.endswith(".tcss")]
assert "app.tcss" in tcss and "board.tcss" in tcss, tcss
assert files("ecpm_tui.data").joinpath("questions.json").is_file()
assert files("ecpm_tui.migrations").joinpath("script.py.mako").is_file()
assert importlib.util.find_spec("screens") is None, "a top-level 'screens' package is installed"
assert importlib.util.find_spec("styles") is None, "a top-level 'styles' package is installed"
from ecpm_tui.app import EcpmApp  # every screen module imports cleanly
print(ecpm_tui.screens.__file__)
"""

COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".venv-peer",  # kanban-tui's environment for `make bench-peer`
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    ".*_cache",
    "__snapshots__",
    "benchmarks",
)


def _clean_env() -> dict[str, str]:
    """The caller's environment without anything that would leak the repository in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(cmd: list[str], cwd: Path, timeout: float = 600) -> str:
    result = subprocess.run(
        cmd, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, (
        f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a clean copy of the repository (no stale build/ leftovers)."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    shutil.copytree(REPO, src, ignore=COPY_IGNORE)
    out = root / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(src)], cwd=root)
    wheels = list(out.glob("ecpm-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def wheel_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv (no system site-packages) with only the wheel and its dependencies."""
    root = tmp_path_factory.mktemp("wheel-venv")
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False, clear=True)
    python = env_dir / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], cwd=root)
    yield env_dir
    shutil.rmtree(env_dir, ignore_errors=True)


def test_wheel_holds_one_import_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    tops = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert tops == {"ecpm_tui"}, tops
    assert "ecpm_tui/styles/app.tcss" in names
    assert "ecpm_tui/screens/__init__.py" in names
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)


def test_wheel_in_fresh_venv(wheel_venv: Path, tmp_path: Path) -> None:
    bindir = wheel_venv / "bin"
    where = _run([str(bindir / "python"), "-c", IMPORT_CHECK], cwd=tmp_path).strip()
    assert Path(where).is_relative_to(wheel_venv), where

    out = _run([str(bindir / "ecpm"), "--version"], cwd=tmp_path)
    assert VERSION in out
    out = _run([str(bindir / "python"), "-m", "ecpm_tui", "--version"], cwd=tmp_path)
    assert VERSION in out

    # The Alembic migrations ship inside the wheel: a new database can be created.
    db = tmp_path / "wheel.db"
    _run([str(bindir / "ecpm"), "init", "--db", str(db)], cwd=tmp_path)
    assert db.is_file()


def test_editable_install_maps_the_repository_folders(tmp_path: Path) -> None:
    where = _run([sys.executable, "-c", IMPORT_CHECK], cwd=tmp_path).strip()
    assert Path(where).resolve() == REPO / "screens" / "__init__.py"
    check = (
        "import ecpm_tui.styles; from importlib.resources import files; "
        "print(files('ecpm_tui.styles').joinpath('app.tcss'))"
    )
    app_tcss = _run([sys.executable, "-c", check], cwd=tmp_path).strip()
    assert Path(app_tcss).resolve() == REPO / "styles" / "app.tcss"


def test_every_main_screen_has_its_stylesheet() -> None:
    main = ("projects", "board", "pptf", "risks", "activity", "help")
    assert {f"{name}.py" for name in main} <= {p.name for p in (REPO / "screens").glob("*.py")}
    assert {f"{name}.tcss" for name in main} <= {p.name for p in (REPO / "styles").glob("*.tcss")}
