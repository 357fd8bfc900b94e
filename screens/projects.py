"""Projects: the portfolio table with a detail pane; new, edit, archive, open board."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Static

from ecpm_tui import lifecycle, report
from ecpm_tui.errors import EcpmError
from ecpm_tui.models import Project
from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import EcpmScreen, add_fixed_columns, cell
from ecpm_tui.screens.charts import ChartsScreen
from ecpm_tui.screens.confirm import ConfirmScreen
from ecpm_tui.screens.form import FieldDef, FormScreen
from ecpm_tui.screens.reason import Reason, ReasonScreen
from ecpm_tui.screens.report import ReportScreen
from ecpm_tui.store import ProjectSummary
from ecpm_tui.text import clean

HEALTH_STYLE = {"green": "green", "amber": "yellow", "red": "red bold"}

PROJECT_FIELDS: tuple[FieldDef, ...] = (
    FieldDef("key", "Key (2-10 letters/digits)", placeholder="SHOP"),
    FieldDef("name", "Name"),
    FieldDef("channel", "Channel", "select", [(c.label, c.value) for c in lifecycle.Channel]),
    FieldDef("health", "Health", "select", [(h.label, h.value) for h in lifecycle.Health]),
    FieldDef("health_note", "Health note (required when it differs from the suggested)", "text"),
    FieldDef("sponsor", "Sponsor"),
    FieldDef("manager", "Manager"),
    FieldDef("start_date", "Start date", placeholder="YYYY-MM-DD"),
    FieldDef("target_date", "Target date", placeholder="YYYY-MM-DD"),
    FieldDef("budget", "Budget", placeholder="250000.00"),
    FieldDef("currency", "Currency", placeholder="EUR"),
    FieldDef("objectives", "Objectives", "text"),
    FieldDef("scope", "Scope", "text"),
    FieldDef("description", "Description", "text"),
)


def percent(value: float | None) -> str:
    """A percentage for a table cell, or a dash."""
    return "-" if value is None else f"{value:.0f}%"


class ProjectsScreen(EcpmScreen):
    """The portfolio of projects."""

    CSS_PATH = css_path("projects.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_project", "New"),
        Binding("e", "edit_project", "Edit"),
        Binding("enter", "open_board", "Open board"),
        Binding("a", "archive", "Archive/restore"),
        Binding("A", "toggle_archived", "Show archived"),
        # Not in the footer (it is full at 80 columns); listed in help and the palette.
        Binding("r", "report", "Status report", show=False),
        Binding("c", "charts", "Charts", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[ProjectSummary] = []
        self.show_archived = False
        self.follow: int | None = None  # project the cursor lands on after a reload

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="projects-body"):
            yield DataTable(id="projects-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="project-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#projects-table", DataTable)
        add_fixed_columns(
            table,
            [
                ("Key", 10),
                ("Name", 26),
                ("Phase", 20),
                ("Health", 6),
                ("Done", 4),
                ("Ext", 3),
                ("High", 4),
                ("PPTF", 4),
                ("Next milestone", 24),
                ("Late", 4),
            ],
        )
        table.focus()

    def fetch(self) -> list[ProjectSummary]:
        return self.store.project_summaries(include_archived=self.show_archived)

    def show(self, data: list[ProjectSummary]) -> None:
        table = self.query_one("#projects-table", DataTable)
        selected = self.selected()
        keep = selected.project.id if selected else self.ecpm.current_project_id
        if self.follow is not None:  # a project just created or saved
            keep, self.follow = self.follow, None
        self.summaries = data
        table.clear()
        for s in data:
            p = s.project
            nxt = s.next_milestone
            table.add_row(
                cell(p.key, style="bold"),
                # Marked first, so cutting a long name never hides it.
                cell(
                    ("(archived) " if p.archived else "") + p.name, 40, "dim" if p.archived else ""
                ),
                cell(lifecycle.Phase(p.phase).label),
                cell(p.health.upper(), style=HEALTH_STYLE.get(p.health, "")),
                cell(percent(s.progress)),
                cell(s.extreme_risks, style="red bold" if s.extreme_risks else ""),
                cell(s.high_risks),
                cell(percent(s.readiness)),
                cell(f"{nxt.due_date} {nxt.title}" if nxt else "-", 30),
                cell(s.overdue, style="red" if s.overdue else ""),
                key=str(p.id),
            )
        for row, s in enumerate(data):
            if s.project.id == keep:
                table.move_cursor(row=row)
        self.update_detail()
        self.refresh_bindings()  # edit/archive/open depend on having projects
        if not data:
            self.query_one("#project-detail", Static).update(
                "No projects yet. Press n to create one (or run 'ecpm demo')."
            )

    def selected(self) -> ProjectSummary | None:
        """The project under the cursor."""
        table = self.query_one("#projects-table", DataTable)
        if not self.summaries or table.cursor_row < 0 or table.cursor_row >= len(self.summaries):
            return None
        return self.summaries[table.cursor_row]

    @staticmethod
    def health_lines(s: ProjectSummary) -> list[str]:
        """The suggested health beside the manual one, its reasons and the manager's note."""
        p, suggested = s.project, s.suggested
        lines = []
        if p.state != lifecycle.ProjectState.ACTIVE.value:
            state = lifecycle.ProjectState(p.state).label
            lines.append(f"State: {state}" + (f" ({p.state_reason})" if p.state_reason else ""))
        if suggested is not None:
            differs = " (differs from manual)" if suggested.health.value != p.health else ""
            lines.append(f"Suggested health: {suggested.health.value}{differs}")
            lines.append("  because " + "; ".join(suggested.reasons))
        if p.health_note:
            lines.append(f"Health note: {p.health_note}")
        return lines

    @on(DataTable.RowHighlighted)
    def update_detail(self) -> None:
        s = self.selected()
        if s is None:
            return
        p = s.project
        self.ecpm.current_project_id = p.id
        lines = [
            f"{p.key}  {p.name}" + ("  (archived)" if p.archived else ""),
            f"Phase: {lifecycle.Phase(p.phase).label}   "
            f"Health: {lifecycle.label_of(lifecycle.Health, p.health)}   "
            f"Channel: {lifecycle.label_of(lifecycle.Channel, p.channel)}",
            *self.health_lines(s),
            f"Sponsor: {p.sponsor or '-'}   Manager: {p.manager or '-'}",
            f"Dates: {p.start_date or '?'} -> {p.target_date or '?'}",
            f"Budget: {p.budget if p.budget is not None else '-'} {p.currency}",
            f"Cards: {s.cards_done}/{s.cards_total} done, {s.overdue} overdue",
            f"Open threats: {s.extreme_risks} extreme, {s.high_risks} high",
            f"Risk reviews overdue: {s.overdue_reviews}",
            f"PPTF readiness: {percent(s.readiness)}"
            + (f", {s.pptf_in_progress} in progress" if s.pptf_in_progress else ""),
            "",
            "Objectives:",
            clean(p.objectives, 600) or "-",
            "",
            "Scope:",
            clean(p.scope, 600) or "-",
        ]
        self.query_one("#project-detail", Static).update(
            Content("\n".join(clean(x) for x in lines))
        )

    def action_cursor_down(self) -> None:
        self.query_one("#projects-table", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#projects-table", DataTable).action_cursor_up()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_board()

    def action_open_board(self) -> None:
        s = self.selected()
        if s is not None and s.project.id is not None:
            self.ecpm.open_project(s.project.id, "board")

    def action_report(self) -> None:
        s = self.selected()
        if s is not None:
            self._build_report(s.project.key)

    def action_charts(self) -> None:
        s = self.selected()
        if s is not None and s.project.id is not None:
            self.app.push_screen(ChartsScreen(s.project.id))

    @work(thread=True, exclusive=True, group="report")
    def _build_report(self, key: str) -> None:
        try:
            text = report.markdown(report.collect(self.store, key))
        except EcpmError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error", timeout=8)
            return
        name = f"{key}-status-{self.store.today().isoformat()}.md"
        screen = ReportScreen(f"Status report {key}", text, name)
        self.app.call_from_thread(self.app.push_screen, screen)

    def action_new_project(self) -> None:
        def save(values: dict[str, str], _version: int | None) -> Project:
            return self.store.create_project(values)

        form: FormScreen[Project] = FormScreen(
            "New project",
            PROJECT_FIELDS,
            {"channel": "b2c", "health": "green", "currency": "EUR"},
            save,
        )
        self.app.push_screen(form, self._saved)

    def action_edit_project(self) -> None:
        s = self.selected()
        if s is None:
            return
        p = s.project
        assert p.id is not None
        pid = p.id

        def save(values: dict[str, str], version: int | None) -> Project:
            return self.store.update_project(pid, version, values)

        form: FormScreen[Project] = FormScreen(
            f"Edit project {p.key}", PROJECT_FIELDS, p.model_dump(), save, version=p.version
        )
        self.app.push_screen(form, self._saved)

    def _saved(self, project: Project | None) -> None:
        if project is not None:
            self.ecpm.current_project_id = project.id
            self.follow = project.id  # the cursor lands on it after the reload
            self.notify(f"Saved project {clean(project.key)}")
            self.ecpm.data_changed()

    def action_archive(self) -> None:
        s = self.selected()
        if s is None:
            return
        p = s.project
        archive = not p.archived
        verb = "Archive" if archive else "Restore"

        def answered(yes: bool | None) -> None:
            if yes and p.id is not None:
                pid, version = p.id, p.version
                self.perform(lambda: self.store.archive_project(pid, version, archive))

        if archive and not lifecycle.ProjectState(p.state).read_only:
            # Archiving live work hides it: confirm with a reason (audited).
            def with_reason(result: Reason | None) -> None:
                if result is not None and p.id is not None:
                    pid, version = p.id, p.version
                    self.perform(
                        lambda: self.store.archive_project(pid, version, True, result.reason)
                    )

            self.app.push_screen(
                ReasonScreen(
                    Content(
                        f"Archive {clean(p.key)} {clean(p.name, 60)}? It is neither closed nor "
                        "killed: give the reason."
                    ),
                    "Archive",
                ),
                with_reason,
            )
            return
        self.app.push_screen(
            ConfirmScreen(Content(f"{verb} project {clean(p.key)} {clean(p.name, 60)}?"), verb),
            answered,
        )

    def action_toggle_archived(self) -> None:
        self.show_archived = not self.show_archived
        self.notify(
            "Showing archived projects" if self.show_archived else "Hiding archived projects"
        )
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit_project", "archive", "open_board", "charts") and not self.summaries:
            return None
        return True
