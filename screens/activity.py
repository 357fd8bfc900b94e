"""Activity: audit events, newest first, filterable by user, project and entity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Input, Static

from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import EcpmScreen, cell, safe
from ecpm_tui.screens.columns import Column, fit_table, row_of
from ecpm_tui.screens.footer import FitFooter
from ecpm_tui.screens.header import FitHeader
from ecpm_tui.store import EventRow
from ecpm_tui.text import one_line

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
        self.data: ActivityData | None = None

    def compose(self) -> ComposeResult:
        yield FitHeader()
        yield Input(
            placeholder="filter: user:NAME project:KEY entity:card (Enter applies)",
            id="activity-filter",
        )
        yield Static("", id="activity-status", classes="hidden")
        yield DataTable(id="activity-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="activity-detail")
        yield FitFooter()

    # The summary always stays and takes the spare width; entity and action collapse
    # first, and the detail line shows the selected event in full.
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("at", "When (UTC)", 19),
        Column("user", "User", 12),
        Column("project", "Project", 8, drop=1),
        Column("entity", "Entity", 10, drop=3),
        Column("action", "Action", 10, drop=2),
        Column("summary", "Summary", 30, flex=True),
    )

    def on_mount(self) -> None:
        self.query_one("#activity-table", DataTable).focus()

    def on_resize(self) -> None:
        # After the layout: the table's new width decides which columns it holds.
        self.call_after_refresh(self.refill)

    def refill(self) -> None:
        if self.data is not None:
            self.show(self.data)

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
        self.data = data
        table.clear()
        chosen = fit_table(table, self.COLUMNS)
        for e in data.events:
            cells = {
                "at": cell(e.at.strftime("%Y-%m-%d %H:%M:%S")),
                "user": cell(e.user, 16),
                "project": cell(data.keys.get(e.project_id, "") if e.project_id else ""),
                "entity": cell(e.entity),
                "action": cell(e.action),
                "summary": cell(e.summary, 120),
            }
            table.add_row(*row_of(cells, chosen), key=str(e.id))
        self.show_detail()
        # An empty table after a filter must not look like an empty database.
        status = self.query_one("#activity-status", Static)
        message = f"No activity matches {self.filter_text}" if self.filter_text else ""
        if self.filter_text and not data.events:
            status.update(safe(message + " (esc clears the filter)"))
            status.remove_class("hidden")
        else:
            status.update("")
            status.add_class("hidden")

    @on(DataTable.RowHighlighted, "#activity-table")
    def show_detail(self) -> None:
        """The selected event in full (the columns may be cut at 80 columns)."""
        table = self.query_one("#activity-table", DataTable)
        events = self.data.events if self.data is not None else []
        text = ""
        if 0 <= table.cursor_row < len(events):
            e = events[table.cursor_row]
            key = self.data.keys.get(e.project_id, "") if self.data and e.project_id else ""
            entity = f"{e.entity} #{e.entity_id}" if e.entity_id is not None else e.entity
            text = " | ".join(
                x
                for x in (
                    f"{e.at:%Y-%m-%d %H:%M:%S}",
                    one_line(e.user, 40),
                    one_line(key),
                    one_line(entity, 40),
                    one_line(e.action, 40),
                    one_line(e.summary, 400),
                )
                if x
            )
        self.query_one("#activity-detail", Static).update(Content(text))

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
