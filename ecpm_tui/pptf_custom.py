"""An installation's own PPTF questions: ``pptf_questions.toml`` in the site and user
config folders (the user's file is applied after the site's).

Same fields as the shipped bank; a question with a shipped key replaces it, and
``disable = ["P8"]`` drops questions. A broken file is reported with its path and line
(on start and in ``ecpm doctor``) and the shipped bank is used unchanged::

    disable = ["F7"]

    [[question]]
    key = "T10"
    dimensions = ["technology"]
    weight = 2
    category = "performance"
    workstream = "website"
    text_en = "Is a CDN in front of the storefront?"
    text_es = "¿Hay una CDN delante de la tienda?"
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import platformdirs

from ecpm_tui import pptf
from ecpm_tui.config import APP_NAME

QUESTIONS_FILE = "pptf_questions.toml"
FIELDS = frozenset(
    {
        "key",
        "dimensions",
        "weight",
        "category",
        "workstream",
        "seed",
        "derived_from",
        "text_en",
        "text_es",
        "text_it",
        "text_nl",
        "seed_text",
    }
)


def custom_question_paths() -> list[Path]:
    """Where custom question files are looked for: site config first, then user config."""
    return [
        platformdirs.site_config_path(APP_NAME) / QUESTIONS_FILE,
        platformdirs.user_config_path(APP_NAME) / QUESTIONS_FILE,
    ]


@dataclass(frozen=True)
class BankLoad:
    """The question bank in use, the custom files applied and any problems found."""

    bank: pptf.QuestionBank
    applied: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    added: int = 0
    disabled: int = 0


class _FileError(ValueError):
    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")


def _shipped() -> list[dict[str, Any]]:
    raw = files("ecpm_tui.data").joinpath("questions.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    assert isinstance(data, list)
    return data


def _question_lines(text: str) -> list[int]:
    """Line numbers of each ``[[question]]`` table, in order."""
    return [
        n
        for n, line in enumerate(text.splitlines(), 1)
        if re.match(r"\s*\[\[\s*question\s*\]\]", line)
    ]


def _apply(path: Path, items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int, int]:
    """*items* with the file at *path* applied; raises _FileError naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise _FileError(path, int(found.group(1)) if found else 1, str(exc)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise _FileError(path, 1, f"cannot read: {exc}") from exc
    unknown_top = set(data) - {"question", "disable"}
    if unknown_top:
        raise _FileError(path, 1, f"unknown setting(s): {', '.join(sorted(unknown_top))}")
    lines = _question_lines(text)
    questions = data.get("question", [])
    if not isinstance(questions, list):
        raise _FileError(path, 1, "'question' must be a list of [[question]] tables")
    by_key = {item["key"]: n for n, item in enumerate(items)}
    out = list(items)
    added = 0
    for i, item in enumerate(questions):
        line = lines[i] if i < len(lines) else 1
        if not isinstance(item, dict):
            raise _FileError(path, line, "each [[question]] must be a table")
        extra = set(item) - FIELDS
        if extra:
            raise _FileError(path, line, f"unknown field(s): {', '.join(sorted(extra))}")
        try:
            pptf.parse_question_bank([item])
        except ValueError as exc:
            raise _FileError(path, line, str(exc)) from exc
        if item["key"] in by_key:
            out[by_key[item["key"]]] = dict(item)
        else:
            by_key[item["key"]] = len(out)
            out.append(dict(item))
            added += 1
    disable = data.get("disable", [])
    if not isinstance(disable, list) or not all(isinstance(k, str) for k in disable):
        raise _FileError(path, _line_of(text, "disable"), "'disable' must be a list of keys")
    missing = [k for k in disable if k not in by_key]
    if missing:
        raise _FileError(
            path, _line_of(text, "disable"), f"cannot disable unknown question(s) {missing}"
        )
    out = [x for x in out if x["key"] not in set(disable)]
    return out, added, len(disable)


def _line_of(text: str, name: str) -> int:
    for n, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*{name}\s*=", line):
            return n
    return 1


def load_installed_bank(paths: Sequence[Path] | None = None) -> BankLoad:
    """The shipped bank with the custom files applied, or the shipped bank and the
    problems when any file is broken."""
    shipped = pptf.load_question_bank()
    items = _shipped()
    applied: list[Path] = []
    added = disabled = 0
    for path in custom_question_paths() if paths is None else paths:
        try:
            if not path.exists():
                continue
        except OSError as exc:  # a folder this user may not enter: say so, never crash
            return BankLoad(shipped, problems=[f"{path}: cannot be read ({exc.strerror})"])
        try:
            items, plus, minus = _apply(path, items)
            bank = pptf.parse_question_bank(items)
        except _FileError as exc:
            return BankLoad(shipped, problems=[str(exc)])
        except ValueError as exc:
            return BankLoad(shipped, problems=[f"{path}:1: {exc}"])
        applied.append(path)
        added += plus
        disabled += minus
    if not applied:
        return BankLoad(shipped)
    return BankLoad(bank, applied, [], added, disabled)


@functools.cache
def installed_bank() -> BankLoad:
    """:func:`load_installed_bank` for this process (read once)."""
    return load_installed_bank()


def describe(load: BankLoad) -> str:
    """One line for ``ecpm doctor``."""
    if load.problems:
        return "; ".join(load.problems) + " (using the shipped questions)"
    n = len(load.bank.questions)
    if not load.applied:
        return f"shipped bank, {n} questions"
    where = ", ".join(str(p) for p in load.applied)
    return f"{n} questions: {load.added} added, {load.disabled} disabled by {where}"
