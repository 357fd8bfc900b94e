"""PPTF: the list of readiness interviews; start, resume, review, compare and delete them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Static

from ecpm_tui import lifecycle, pptf
from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import EcpmScreen, add_fixed_columns, cell
from ecpm_tui.screens.confirm import ConfirmScreen
from ecpm_tui.screens.pptf_compare import CompareScreen
from ecpm_tui.screens.pptf_start import StartInterviewScreen
from ecpm_tui.screens.pptf_summary import SummaryScreen
from ecpm_tui.screens.pptf_wizard import WizardScreen
from ecpm_tui.store import InterviewChoices, InterviewListRow
from ecpm_tui.text import clean

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
        yield Header()
        yield Static("", id="pptf-title")
        yield DataTable(id="pptf-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#pptf-table", DataTable)
        add_fixed_columns(
            table,
            [
                ("Project", 7),
                ("Phase/milestone", 15),
                ("Team", 13),
                ("Interviewer", 11),
                ("Status", 6),
                ("Started", 10),
                ("Completed", 10),
                *((d.label[:4], 6) for d in pptf.Dimension),
            ],
        )
        table.focus()

    def fetch(self) -> PptfData:
        pid = None if self.all_projects else self.ecpm.current_project_id
        return PptfData(self.store.list_interviews(pid), self.store.interview_choices())

    def show(self, data: PptfData) -> None:
        table = self.query_one("#pptf-table", DataTable)
        keep = self.selected()
        self.rows, self.choices = data.rows, data.choices
        table.clear()
        for r in data.rows:
            a = r.assessment
            done = a.status == "completed"
            table.add_row(
                cell(r.project_key),
                cell(prepares(r), 40),
                cell(a.department, 30),
                cell(a.interviewer, 20),
                cell("done" if done else f"{r.answered}/{r.total}", style="" if done else "bold"),
                cell(a.started_at.date().isoformat()),
                cell(a.completed_at.date().isoformat() if a.completed_at else "-"),
                *(score_cell(r.scores.get(d)) for d in pptf.Dimension),
                key=str(a.id),
            )
        for n, r in enumerate(data.rows):
            if keep is not None and r.assessment.id == keep.assessment.id:
                table.move_cursor(row=n)
        scope = "all projects" if self.all_projects else "current project"
        hint = "n starts one" if not data.rows else "enter resumes or shows the summary"
        self.query_one("#pptf-title", Static).update(
            f"PPTF interviews ({len(data.rows)}, {scope}); {hint}; a toggles all/current"
        )
        self.refresh_bindings()

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
