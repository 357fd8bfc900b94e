"""PPTF: the list of readiness interviews with their scores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Static

from ecpm_tui import lifecycle, pptf
from ecpm_tui.models import Project
from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import EcpmScreen, add_fixed_columns, cell
from ecpm_tui.store import AssessmentRow


@dataclass(frozen=True)
class InterviewRow:
    """One interview with its project and scores."""

    assessment: AssessmentRow
    project: Project
    scores: dict[pptf.Dimension, float | None]


def score_cell(value: float | None) -> object:
    """A percentage coloured by RAG, with the RAG letter so colour is not the only signal."""
    if value is None:
        return cell("-")
    band = pptf.rag(value)
    style = {"green": "green", "amber": "yellow", "red": "red"}[band.value]
    return cell(f"{value:.0f}% {band.value[0].upper()}", style=style)


class PptfScreen(EcpmScreen):
    """PPTF readiness interviews of every team, per project and milestone."""

    CSS_PATH = css_path("pptf.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "all_projects", "All/one project"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.all_projects = True

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
                ("Project", 8),
                ("Team", 18),
                ("Phase", 20),
                ("Status", 11),
                ("Lang", 4),
                ("Interviewer", 12),
                *((d.label, 10) for d in pptf.Dimension),
            ],
        )
        table.focus()

    def fetch(self) -> list[InterviewRow]:
        pid = None if self.all_projects else self.ecpm.current_project_id
        projects = {p.id: p for p in self.store.list_projects(include_archived=True)}
        rows: list[InterviewRow] = []
        ids = [pid] if pid is not None else list(projects)
        for project_id in ids:
            if project_id is None or project_id not in projects:
                continue
            for a, scores in self.store.team_comparison(project_id):
                rows.append(InterviewRow(a, projects[project_id], scores))
        rows.sort(key=lambda r: r.assessment.started_at, reverse=True)
        return rows

    def show(self, data: list[InterviewRow]) -> None:
        table = self.query_one("#pptf-table", DataTable)
        table.clear()
        for r in data:
            a = r.assessment
            table.add_row(
                cell(r.project.key),
                cell(a.department, 30),
                cell(lifecycle.Phase(a.phase).label if a.phase else "milestone"),
                cell(a.status.replace("_", " ")),
                cell(a.language),
                cell(a.interviewer, 20),
                *(score_cell(r.scores.get(d)) for d in pptf.Dimension),
                key=str(a.id),
            )
        scope = "all projects" if self.all_projects else "current project"
        self.query_one("#pptf-title", Static).update(
            f"PPTF interviews ({len(data)}, {scope}); a toggles all/current project"
        )

    def action_all_projects(self) -> None:
        self.all_projects = not self.all_projects
        self.reload()

    def action_cursor_down(self) -> None:
        self.query_one("#pptf-table", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#pptf-table", DataTable).action_cursor_up()
