"""Activity: audit events, newest first, filterable by user, project and entity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Input, Static

from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import EcpmScreen, add_fixed_columns, cell, safe
from ecpm_tui.store import EventRow

FILTER_KEYS = ("user", "project", "entity")


def parse_filter(text: str) -> tuple[dict[str, str], list[str]]:
    """``user:NAME project:KEY entity:card`` as {key: value}, plus a message per bad token."""
    found: dict[str, str] = {}
    problems: list[str] = []
    for token in text.split():
        name, colon, value = token.partition(":")
        if name not in FILTER_KEYS or not colon:
            problems.append(f"unknown filter {token!r}")
        elif not value:
            problems.append(f"{name}: needs a value")
        else:
            found[name] = value
    return found, problems


@dataclass(frozen=True)
class ActivityData:
    """Events plus the project keys they refer to."""

    events: list[EventRow]
    keys: dict[int, str]


class ActivityScreen(EcpmScreen):
    """Who changed what, when."""

    CSS_PATH = css_path("activity.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="filter: user:NAME project:KEY entity:card (Enter applies)",
            id="activity-filter",
        )
        yield Static("", id="activity-status", classes="hidden")
        yield DataTable(id="activity-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#activity-table", DataTable)
        add_fixed_columns(
            table,
            [
                ("When (UTC)", 19),
                ("User", 12),
                ("Project", 8),
                ("Entity", 10),
                ("Action", 10),
                ("Summary", 80),
            ],
        )
        table.focus()

    def fetch(self) -> ActivityData:
        found, _problems = parse_filter(self.filter_text)
        user, project, entity = (found.get(k) for k in FILTER_KEYS)
        keys = {
            p.id: p.key for p in self.store.list_projects(include_archived=True) if p.id is not None
        }
        project_id = next(
            (pid for pid, key in keys.items() if project and key == project.upper()), None
        )
        if project and project_id is None:
            return ActivityData([], keys)
        return ActivityData(self.store.list_events(500, user, project_id, entity), keys)

    def show(self, data: ActivityData) -> None:
        table = self.query_one("#activity-table", DataTable)
        table.clear()
        for e in data.events:
            table.add_row(
                cell(e.at.strftime("%Y-%m-%d %H:%M:%S")),
                cell(e.user, 16),
                cell(data.keys.get(e.project_id, "") if e.project_id else ""),
                cell(e.entity),
                cell(e.action),
                cell(e.summary, 120),
                key=str(e.id),
            )
        # An empty table after a filter must not look like an empty database.
        status = self.query_one("#activity-status", Static)
        message = f"No activity matches {self.filter_text}" if self.filter_text else ""
        if self.filter_text and not data.events:
            status.update(safe(message + " (esc clears the filter)"))
            status.remove_class("hidden")
        else:
            status.update("")
            status.add_class("hidden")

    def action_filter(self) -> None:
        self.query_one("#activity-filter", Input).focus()

    @on(Input.Submitted, "#activity-filter")
    def _apply(self, event: Input.Submitted) -> None:
        _found, problems = parse_filter(event.value)
        if problems:
            # Refused, not silently ignored: the box keeps the text to correct.
            self.notify(
                "; ".join(problems) + ". Use user:NAME project:KEY entity:KIND.",
                severity="warning",
            )
            return
        self.filter_text = event.value.strip()
        self.query_one("#activity-table", DataTable).focus()
        self.reload()

    def action_clear_filter(self) -> None:
        box = self.query_one("#activity-filter", Input)
        box.value = ""
        self.filter_text = ""
        self.query_one("#activity-table", DataTable).focus()
        self.reload()

    def action_cursor_down(self) -> None:
        self.query_one("#activity-table", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#activity-table", DataTable).action_cursor_up()
