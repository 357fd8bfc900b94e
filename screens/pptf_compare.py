"""PPTF comparison: a team x dimension table for one project and phase, and one team's
scores across phases over time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ecpm_tui import lifecycle, pptf
from ecpm_tui.errors import EcpmError
from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import cell
from ecpm_tui.screens.columns import Column, fit_table, row_of
from ecpm_tui.screens.footer import FitFooter
from ecpm_tui.screens.header import FitHeader
from ecpm_tui.text import one_line

if TYPE_CHECKING:
    from ecpm_tui.app import EcpmApp
    from ecpm_tui.store import AssessmentRow
    from ecpm_tui.store.pptf import Scores

RAG_STYLE = {"green": "green", "amber": "yellow", "red": "red"}
Compared = list[tuple["AssessmentRow", "Scores"]]

# The first column stretches (and shrinks first): the four scores and the date stay
# whole at 80 columns, and no table needs horizontal scrolling at any width.
DIMENSION_COLUMNS = tuple(Column(d.value, d.label, 10) for d in pptf.Dimension)
TEAM_COLUMNS = (
    Column("name", "Team", 14, flex=True),
    *DIMENSION_COLUMNS,
    Column("completed", "Completed", 11, drop=1),
)
TIME_COLUMNS = (
    Column("name", "Phase", 14, flex=True),
    *DIMENSION_COLUMNS,
    Column("started", "Started", 10, drop=2),
    Column("completed", "Completed", 11, drop=1),
)


def _score(value: float | None) -> object:
    if value is None:
        return cell("-")
    band = pptf.rag(value)
    return cell(f"{value:.0f}% {band.value[0].upper()}", style=RAG_STYLE[band.value])


def _phase(a: AssessmentRow) -> str:
    return lifecycle.Phase(a.phase).label if a.phase else "milestone"


def _status(a: AssessmentRow) -> str:
    return a.completed_at.date().isoformat() if a.completed_at else "in progress"


def _cells(name: object, a: AssessmentRow, scores: Scores) -> dict[str, Any]:
    return {
        "name": name,
        **{d.value: _score(scores.get(d)) for d in pptf.Dimension},
        "completed": cell(_status(a)),
    }


class CompareScreen(Screen[None]):
    """Compare teams in one project and phase, and one team over time."""

    CSS_PATH = css_path("pptf_compare.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave", "Back")]

    def compose(self) -> ComposeResult:
        yield FitHeader()
        yield Static("", id="cmp-teams-title", classes="cmp-title")
        yield DataTable(id="cmp-teams", cursor_type="row", zebra_stripes=True)
        yield Static("", id="cmp-time-title", classes="cmp-title")
        yield DataTable(id="cmp-time", cursor_type="row", zebra_stripes=True)
        yield FitFooter()

    def __init__(self, selected: AssessmentRow) -> None:
        super().__init__()
        self.selected = selected
        self.rows: Compared = []

    def on_mount(self) -> None:
        self.query_one("#cmp-teams", DataTable).focus()
        self.app.run_worker(self._load, thread=True, group="pptf-compare")

    def on_resize(self) -> None:
        # After the layout: the tables' new width decides the columns they hold.
        self.call_after_refresh(lambda: self.show(self.rows))

    def _load(self) -> None:
        store = cast("EcpmApp", self.app).store
        try:
            rows = store.team_comparison(self.selected.project_id)
        except EcpmError as exc:
            self.app.call_from_thread(self.app.notify, exc.message, severity="error")
            return
        self.app.call_from_thread(self.show, rows)

    def show(self, rows: Compared) -> None:
        """Fill both tables: the latest interview per team in the phase; the team's history."""
        sel = self.selected
        self.rows = rows
        latest: dict[str, tuple[AssessmentRow, Scores]] = {}
        for a, scores in rows:  # ordered by team, then start: the last one wins
            if a.phase == sel.phase:
                latest[a.department.lower()] = (a, scores)
        teams = self.query_one("#cmp-teams", DataTable)
        teams.clear()
        chosen = fit_table(teams, TEAM_COLUMNS)
        for a, scores in latest.values():
            teams.add_row(*row_of(_cells(cell(a.department, 40), a, scores), chosen))
        self.query_one("#cmp-teams-title", Static).update(
            Content(f"Teams x dimensions in {_phase(sel)} (latest interview per team)")
        )
        history = [(a, s) for a, s in rows if a.department.lower() == sel.department.lower()]
        history.sort(key=lambda r: r[0].started_at)
        time = self.query_one("#cmp-time", DataTable)
        time.clear()
        chosen = fit_table(time, TIME_COLUMNS)
        for a, scores in history:
            cells = _cells(cell(_phase(a)), a, scores)
            cells["started"] = cell(a.started_at.date().isoformat())
            time.add_row(*row_of(cells, chosen))
        self.query_one("#cmp-time-title", Static).update(
            Content(
                one_line(
                    f"{sel.department} over time ({len(history)} "
                    f"interview{'' if len(history) == 1 else 's'})",
                    100,
                )
            )
        )

    def action_leave(self) -> None:
        self.dismiss()
