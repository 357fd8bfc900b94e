"""Projects: the portfolio table with a detail pane; new, edit, archive, open board."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, Static

from ecpm_tui import lifecycle, report
from ecpm_tui.errors import EcpmError
from ecpm_tui.models import Project
from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import EcpmScreen, cell
from ecpm_tui.screens.board_render import SHORT_PHASE
from ecpm_tui.screens.columns import Column, fit_table, row_of
from ecpm_tui.screens.confirm import ConfirmScreen
from ecpm_tui.screens.footer import FitFooter
from ecpm_tui.screens.form import FieldDef, FormScreen
from ecpm_tui.screens.header import FitHeader
from ecpm_tui.screens.reason import Reason, ReasonScreen
from ecpm_tui.screens.report import ReportScreen
from ecpm_tui.store import DecisionRow, ProjectSummary
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


def decision_lines(decision: DecisionRow | None) -> list[str]:
    """The last gate decision (label, who approved, when) and its conditions."""
    if decision is None:
        return ["Last gate decision: none yet"]
    t = decision.transition
    label = lifecycle.label_of(lifecycle.Decision, t.decision)
    move = f"{lifecycle.Phase(t.from_phase).label} -> {lifecycle.Phase(t.to_phase).label}"
    approver = t.approved_by or t.by
    lines = [f"Last gate decision: {label} ({move})", f"  approved by {approver}, {t.at:%Y-%m-%d}"]
    if t.reason:
        lines.append(f"  reason: {t.reason}")
    for c in decision.conditions:
        due = f"due {c.due_date.isoformat()}" if c.due_date else "no due date"
        mark = "x" if c.state == "done" else " "
        lines.append(f"  [{mark}] {c.text} ({c.owner}, {due}, {c.state})")
    return lines


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
        self.decisions: dict[int, DecisionRow] = {}
        self.show_archived = False
        self.follow: int | None = None  # project the cursor lands on after a reload

    def compose(self) -> ComposeResult:
        yield FitHeader()
        with Horizontal(id="projects-body"):
            yield DataTable(id="projects-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="project-detail")
        yield FitFooter()

    def on_mount(self) -> None:
        self.query_one("#projects-table", DataTable).focus()

    # Phase, health and progress always stay; the rest collapse (the milestone first) and
    # the detail pane shows the selected project in full.
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("key", "Key", 6),
        Column("name", "Name", 20, flex=True),
        Column("phase", "Phase", 10),
        Column("health", "Health", 6),
        Column("done", "Done", 4),
        Column("ext", "Ext", 3, drop=2),
        Column("high", "High", 4, drop=2),
        Column("pptf", "PPTF", 4, drop=2),
        Column("milestone", "Next milestone", 24, drop=5),
        Column("late", "Late", 4, drop=4),
    )

    @classmethod
    def columns_for(cls, summaries: list[ProjectSummary]) -> tuple[Column, ...]:
        """The columns, the key's as wide as the longest key shown (keys have up to 10
        characters; at a fixed 6 cells, ``CHECKOUT25`` showed as ``CHECK…``)."""
        longest = max((len(s.project.key) for s in summaries), default=0)
        return tuple(
            replace(c, width=max(c.width, longest)) if c.key == "key" else c for c in cls.COLUMNS
        )

    def on_resize(self) -> None:
        # After the layout: the table's new width decides which columns it holds.
        self.call_after_refresh(lambda: self.show((self.summaries, self.decisions)))

    def fetch(self) -> tuple[list[ProjectSummary], dict[int, DecisionRow]]:
        summaries = self.store.project_summaries(include_archived=self.show_archived)
        ids = [s.project.id for s in summaries if s.project.id is not None]
        return summaries, self.store.last_decisions(ids)

    def show(self, data: tuple[list[ProjectSummary], dict[int, DecisionRow]]) -> None:
        table = self.query_one("#projects-table", DataTable)
        selected = self.selected()
        keep = selected.project.id if selected else self.ecpm.current_project_id
        if self.follow is not None:  # a project just created or saved
            keep, self.follow = self.follow, None
        self.summaries, self.decisions = data
        table.clear()
        chosen = fit_table(table, self.columns_for(self.summaries))
        for s in self.summaries:
            p = s.project
            nxt = s.next_milestone
            phase = lifecycle.Phase(p.phase)
            cells = {
                "key": cell(p.key, style="bold"),
                # Marked first, so cutting a long name never hides it.
                "name": cell(
                    ("(archived) " if p.archived else "") + p.name, 40, "dim" if p.archived else ""
                ),
                "phase": cell(phase.label if len(phase.label) <= 10 else SHORT_PHASE[phase]),
                "health": cell(p.health.upper(), style=HEALTH_STYLE.get(p.health, "")),
                "done": cell(percent(s.progress)),
                "ext": cell(s.extreme_risks, style="red bold" if s.extreme_risks else ""),
                "high": cell(s.high_risks),
                "pptf": cell(percent(s.readiness)),
                "milestone": cell(f"{nxt.due_date} {nxt.title}" if nxt else "-", 30),
                "late": cell(s.overdue, style="red" if s.overdue else ""),
            }
            table.add_row(*row_of(cells, chosen), key=str(p.id))
        for row, s in enumerate(self.summaries):
            if s.project.id == keep:
                table.move_cursor(row=row)
        self.update_detail()
        self.refresh_bindings()  # edit/archive/open depend on having projects
        if not self.summaries:
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
        nxt = s.next_milestone
        milestone = f"{nxt.due_date} {nxt.title}" if nxt else "-"
        lines = [
            f"{p.key}  {p.name}" + ("  (archived)" if p.archived else ""),
            f"Phase: {lifecycle.Phase(p.phase).label}   "
            f"Health: {lifecycle.label_of(lifecycle.Health, p.health)}   "
            f"Channel: {lifecycle.label_of(lifecycle.Channel, p.channel)}",
            *self.health_lines(s),
            *decision_lines(self.decisions.get(p.id) if p.id is not None else None),
            f"Sponsor: {p.sponsor or '-'}   Manager: {p.manager or '-'}",
            f"Dates: {p.start_date or '?'} -> {p.target_date or '?'}",
            f"Budget: {p.budget if p.budget is not None else '-'} {p.currency}",
            f"Cards: {s.cards_done}/{s.cards_total} done, {s.overdue} overdue",
            f"Open threats: {s.extreme_risks} extreme, {s.high_risks} high",
            f"Risk reviews overdue: {s.overdue_reviews}",
            f"PPTF readiness: {percent(s.readiness)}"
            + (f", {s.pptf_in_progress} in progress" if s.pptf_in_progress else ""),
            f"Next milestone: {milestone}",
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
            # Imported on use: plotext is not needed for the first paint.
            from ecpm_tui.screens.charts import ChartsScreen

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
