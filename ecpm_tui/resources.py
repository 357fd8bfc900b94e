"""Packaged resources (stylesheets), located through importlib.resources, never __file__."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def css_path(name: str) -> Path:
    """Path of a packaged stylesheet in ecpm_tui.styles."""
    return Path(str(files("ecpm_tui.styles").joinpath(name)))
