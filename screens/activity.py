"""Activity: audit events, newest first, filterable by user, project and entity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Input

from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import EcpmScreen, add_fixed_columns, cell
from ecpm_tui.store import EventRow


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
        user = project = entity = None
        for token in self.filter_text.split():
            name, _, value = token.partition(":")
            if name == "user" and value:
                user = value
            elif name == "project" and value:
                project = value
            elif name == "entity" and value:
                entity = value
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

    def action_filter(self) -> None:
        self.query_one("#activity-filter", Input).focus()

    @on(Input.Submitted, "#activity-filter")
    def _apply(self, event: Input.Submitted) -> None:
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
