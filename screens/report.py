"""Status report preview: the Markdown report of one project, read-only, and saved on request."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from ecpm_tui import files
from ecpm_tui.errors import ValidationError
from ecpm_tui.resources import css_path
from ecpm_tui.screens.form import FieldDef, FormScreen
from ecpm_tui.text import clean

SAVE_FIELDS = (FieldDef("path", "File", placeholder="report.md"),)


class ReportScreen(ModalScreen[None]):
    """Preview a status report; ``s`` saves it to a file, Esc closes."""

    CSS_PATH = css_path("report.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("s", "save", "Save to file"),
    ]

    def __init__(self, title: str, text: str, default_name: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.default_name = default_name

    def compose(self) -> ComposeResult:
        with Vertical(id="report-box"):
            # Content, not markup: a project name like "[/]" is shown as typed.
            yield Static(Content(f"{self.title_text}  (s saves, Esc closes)"), id="report-title")
            yield TextArea(self.text, read_only=True, id="report-text")

    def on_mount(self) -> None:
        self.query_one("#report-text", TextArea).focus()

    def action_close(self) -> None:
        self.dismiss()

    def action_save(self) -> None:
        text = self.text

        def save(values: dict[str, str], _version: int | None) -> Path:
            name = values.get("path", "").strip()
            if not name:
                raise ValidationError("A file name is needed.", {"path": "give a file name"})
            # Symlink-safe and atomic, like every file ecpm writes.
            return files.write_text(Path(name).expanduser(), text)

        form: FormScreen[Path] = FormScreen(
            "Save status report", SAVE_FIELDS, {"path": self.default_name}, save
        )
        self.app.push_screen(form, self._saved)

    def _saved(self, path: Path | None) -> None:
        if path is not None:
            self.notify(f"Report saved to {clean(str(path))}")
