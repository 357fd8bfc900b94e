"""The architecture's layer rules hold, and the contracts that enforce them catch a breach."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_layer_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_the_contracts_catch_ui_in_storage_and_sql_in_screens(tmp_path: Path) -> None:
    for name in ("ecpm_tui", "screens", "styles"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with (tmp_path / "ecpm_tui" / "store" / "activity.py").open("a") as f:
        f.write("\nimport textual.widgets  # noqa\n")
    with (tmp_path / "screens" / "help.py").open("a") as f:
        f.write("\nimport sqlmodel  # noqa\n")
    with (tmp_path / "ecpm_tui" / "risk.py").open("a") as f:
        f.write("\nfrom ecpm_tui import db  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    out = " ".join(result.stdout.split())
    assert (
        "ecpm_tui.store is not allowed to import textual: - ecpm_tui.store.activity -> textual"
        in out
    )
    assert "screens is not allowed to import sqlmodel: - screens.help -> sqlmodel" in out
    assert "ecpm_tui.risk is not allowed to import ecpm_tui.db" in out
    # The command line contract still holds: only the three breached ones are reported.
    assert "1 kept, 3 broken" in out


def test_version_and_help_do_not_import_textual() -> None:
    code = (
        "import sys\n"
        "from ecpm_tui import cli\n"
        "for argv in (['--version'], ['--help'], ['export', '--help']):\n"
        "    try:\n"
        "        cli.main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'sqlalchemy'))\n"
        "print('LOADED', loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert "LOADED []" in result.stdout, result.stdout


def _python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def test_nothing_below_the_ui_imports_the_screens() -> None:
    # import-linter sees the screens as the top-level `screens` package, so an import
    # spelled `ecpm_tui.screens...` from the library would slip past its contracts.
    offenders = [
        str(path.relative_to(ROOT))
        for path in _python_files("ecpm_tui")
        if path.name != "app.py" and "ecpm_tui.screens" in path.read_text()
    ]
    assert offenders == []


def test_no_module_reaches_into_another_modules_private_names() -> None:
    """Outside the store package, `_names` stay inside the module that defines them."""
    offenders: list[str] = []
    for path in _python_files("ecpm_tui", "screens"):
        if (ROOT / "ecpm_tui" / "store") in path.parents:
            continue
        tree = ast.parse(path.read_text(), str(path))
        modules: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if _private(alias.name):
                        offenders.append(f"{path.name}:{node.lineno} imports {alias.name}")
                    modules.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
                and _private(node.attr)
            ):
                offenders.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert offenders == []


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


MAX_MODULE_LINES = 450


def test_modules_stay_small() -> None:
    """One concern per module: past about 450 lines a module is split, not grown."""
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text().splitlines())
        for path in _python_files("ecpm_tui", "screens")
    }
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}
