"""PPTF: the list of readiness interviews; start, resume, review, compare and delete them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Static

from ecpm_tui import lifecycle, pptf
from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import EcpmScreen, cell
from ecpm_tui.screens.columns import Column, fit_table, row_of
from ecpm_tui.screens.confirm import ConfirmScreen
from ecpm_tui.screens.footer import FitFooter
from ecpm_tui.screens.header import FitHeader
from ecpm_tui.screens.pptf_compare import CompareScreen
from ecpm_tui.screens.pptf_start import StartInterviewScreen
from ecpm_tui.screens.pptf_summary import SummaryScreen
from ecpm_tui.screens.pptf_wizard import WizardScreen
from ecpm_tui.store import InterviewChoices, InterviewListRow
from ecpm_tui.text import clean, one_line

RAG_STYLE = {"green": "green", "amber": "yellow", "red": "red"}


def score_cell(value: float | None) -> object:
    """A percentage coloured by RAG, with the RAG letter so colour is not the only signal."""
    if value is None:
        return cell("-")
    band = pptf.rag(value)
    return cell(f"{value:.0f}% {band.value[0].upper()}", style=RAG_STYLE[band.value])


def prepares(row: InterviewListRow) -> str:
    """What an interview prepares: its milestone card, else its phase."""
    if row.milestone_title:
        return "◆ " + row.milestone_title
    a = row.assessment
    return lifecycle.Phase(a.phase).label if a.phase else "-"


@dataclass(frozen=True)
class PptfData:
    """The interview list and what the start form offers."""

    rows: list[InterviewListRow]
    choices: InterviewChoices


class PptfScreen(EcpmScreen):
    """PPTF readiness interviews of every team, per project and milestone."""

    CSS_PATH = css_path("pptf.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_interview", "New interview"),
        Binding("enter", "open_interview", "Resume/summary"),
        Binding("d", "delete_interview", "Delete"),
        Binding("t", "compare", "Compare teams"),
        Binding("a", "all_projects", "All/one project"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.all_projects = True
        self.rows: list[InterviewListRow] = []
        self.choices = InterviewChoices([], [], [])

    def compose(self) -> ComposeResult:
        yield FitHeader()
        yield Static("", id="pptf-title")
        yield DataTable(id="pptf-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="pptf-detail")
        yield FitFooter()

    # The four scores, project, team and status always stay; dates and the interviewer
    # collapse first and the detail line shows the selected interview in full.
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("project", "Project", 7),
        Column("prepares", "Phase/milestone", 10, flex=True),
        Column("team", "Team", 13),
        Column("interviewer", "Interviewer", 11, drop=3),
        Column("status", "Status", 6),
        Column("started", "Started", 10, drop=4),
        Column("completed", "Completed", 10, drop=2),
        *(Column(d.value, d.label[:4], 6) for d in pptf.Dimension),
    )

    def on_mount(self) -> None:
        self.query_one("#pptf-table", DataTable).focus()

    def on_resize(self) -> None:
        # After the layout: the table's new width decides which columns it holds.
        self.call_after_refresh(lambda: self.show(PptfData(self.rows, self.choices)))

    def fetch(self) -> PptfData:
        pid = None if self.all_projects else self.ecpm.current_project_id
        return PptfData(self.store.list_interviews(pid), self.store.interview_choices())

    def show(self, data: PptfData) -> None:
        table = self.query_one("#pptf-table", DataTable)
        keep = self.selected()
        self.rows, self.choices = data.rows, data.choices
        table.clear()
        chosen = fit_table(table, self.COLUMNS)
        for r in data.rows:
            a = r.assessment
            done = a.status == "completed"
            cells = {
                "project": cell(r.project_key),
                "prepares": cell(prepares(r), 40),
                "team": cell(a.department, 30),
                "interviewer": cell(a.interviewer, 20),
                "status": cell(
                    "done" if done else f"{r.answered}/{r.total}", style="" if done else "bold"
                ),
                "started": cell(a.started_at.date().isoformat()),
                "completed": cell(a.completed_at.date().isoformat() if a.completed_at else "-"),
                **{d.value: score_cell(r.scores.get(d)) for d in pptf.Dimension},
            }
            table.add_row(*row_of(cells, chosen), key=str(a.id))
        for n, r in enumerate(data.rows):
            if keep is not None and r.assessment.id == keep.assessment.id:
                table.move_cursor(row=n)
        scope = "all projects" if self.all_projects else "current project"
        hint = "n starts one" if not data.rows else "enter resumes or shows the summary"
        self.query_one("#pptf-title", Static).update(
            f"PPTF interviews ({len(data.rows)}, {scope}); {hint}; a toggles all/current"
        )
        self.refresh_bindings()
        self.show_detail()

    @on(DataTable.RowHighlighted, "#pptf-table")
    def show_detail(self) -> None:
        """The selected interview in full (the columns may be cut at 80 columns)."""
        r = self.selected()
        text = ""
        if r is not None:
            a = r.assessment
            scores = " ".join(
                f"{d.label} {'-' if r.scores.get(d) is None else f'{r.scores[d]:.0f}%'}"
                for d in pptf.Dimension
            )
            done = f"completed {a.completed_at:%Y-%m-%d}" if a.completed_at else "in progress"
            text = (
                f"{one_line(r.project_key)} {one_line(prepares(r), 80)} | team "
                f"{one_line(a.department, 40)} | {scores} | interviewer "
                f"{one_line(a.interviewer, 40)} | {r.answered}/{r.total} answered | started "
                f"{a.started_at:%Y-%m-%d}, {done}"
            )
        self.query_one("#pptf-detail", Static).update(Content(text))

    def selected(self) -> InterviewListRow | None:
        """The interview under the cursor."""
        table = self.query_one("#pptf-table", DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open_interview", "delete_interview", "compare") and not self.rows:
            return None
        return True

    def action_all_projects(self) -> None:
        self.all_projects = not self.all_projects
        self.reload()

    def action_cursor_down(self) -> None:
        self.query_one("#pptf-table", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#pptf-table", DataTable).action_cursor_up()

    def action_new_interview(self) -> None:
        """Open the start form at once (typed-ahead keys land in its team field)."""

        def started(assessment_id: int | None) -> None:
            if assessment_id is not None:
                self.app.push_screen(WizardScreen(assessment_id))

        self.app.push_screen(
            StartInterviewScreen(self.choices, self.ecpm.current_project_id), started
        )

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_interview()

    def action_open_interview(self) -> None:
        row = self.selected()
        if row is None:
            return
        self.ecpm.current_project_id = row.assessment.project_id
        if row.assessment.status == "completed":
            self.app.push_screen(SummaryScreen(row.assessment.id))
        else:
            self.app.push_screen(WizardScreen(row.assessment.id))

    def action_compare(self) -> None:
        row = self.selected()
        if row is not None:
            self.app.push_screen(CompareScreen(row.assessment))

    def action_delete_interview(self) -> None:
        row = self.selected()
        if row is None:
            return
        a = row.assessment
        label = f"{clean(row.project_key)} {clean(a.department, 40)} ({clean(prepares(row), 40)})"

        def answered(yes: bool | None) -> None:
            if yes:
                self.perform(
                    lambda: self.store.delete_assessment(a.id, a.version),
                    lambda _none: self.notify(f"Deleted interview {label}", markup=False),
                )

        self.app.push_screen(
            ConfirmScreen(
                Content(f"Delete the PPTF interview {label} and its {row.answered} answers?"),
                "Delete",
            ),
            answered,
        )
