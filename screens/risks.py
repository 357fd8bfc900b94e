"""Risks: the 5x5 likelihood x impact matrix and the register of the selected cell."""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Footer, Header, Static

from ecpm_tui import risk
from ecpm_tui.models import Project
from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import EcpmScreen, add_fixed_columns, cell
from ecpm_tui.store import RiskRow

LEVEL_STYLE = {
    risk.Level.LOW: "black on green",
    risk.Level.MODERATE: "black on yellow",
    risk.Level.HIGH: "black on dark_orange",
    risk.Level.EXTREME: "white on red",
}


def scores_of(item: RiskRow, residual: bool) -> tuple[int, int]:
    """(likelihood, impact) of a risk, residual when asked and set, else inherent."""
    if residual and item.residual_likelihood and item.residual_impact:
        return item.residual_likelihood, item.residual_impact
    return item.likelihood, item.impact


class CellChanged(Message):
    """The matrix cursor moved to another cell."""


class RiskMatrix(Static, can_focus=True):
    """A 5x5 grid (likelihood rows 5..1, impact columns 1..5) with counts and level letters."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "step(1, 0)", "Likelihood +", show=False),
        Binding("down,j", "step(-1, 0)", "Likelihood -", show=False),
        Binding("left,h", "step(0, -1)", "Impact -", show=False),
        Binding("right,l", "step(0, 1)", "Impact +", show=False),
    ]

    likelihood: reactive[int] = reactive(5)
    impact: reactive[int] = reactive(5)

    def __init__(self) -> None:
        super().__init__(id="risk-matrix")
        self.counts: Counter[tuple[int, int]] = Counter()

    def set_counts(self, counts: Counter[tuple[int, int]]) -> None:
        self.counts = counts
        self.update(self.render_grid())

    def render_grid(self) -> Text:
        out = Text()
        out.append("Likelihood \\ Impact\n", style="bold")
        out.append(
            "      " + "".join(f"  {i} {risk.IMPACT_LABELS[i][:5]:<5}" for i in range(1, 6)) + "\n"
        )
        for lk in range(5, 0, -1):
            out.append(f"  {lk}   ")
            for im in range(1, 6):
                lvl = risk.level(lk, im)
                text = f" {lvl.letter}{self.counts[(lk, im)]:>3}    "
                style = LEVEL_STYLE[lvl]
                if (lk, im) == (self.likelihood, self.impact):
                    style += " reverse bold"
                out.append(text[:9], style=style)
                out.append(" ")
            out.append(f" {risk.LIKELIHOOD_LABELS[lk]}\n")
        return out

    def watch_likelihood(self) -> None:
        self.update(self.render_grid())

    def watch_impact(self) -> None:
        self.update(self.render_grid())

    def action_step(self, d_likelihood: int, d_impact: int) -> None:
        self.likelihood = max(1, min(5, self.likelihood + d_likelihood))
        self.impact = max(1, min(5, self.impact + d_impact))
        self.post_message(CellChanged())


class RisksScreen(EcpmScreen):
    """Risk register through the matrix."""

    CSS_PATH = css_path("risks.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "all", "All/cell"),
        Binding("i", "residual", "Inherent/residual"),
        Binding("tab", "app.focus_next", "Matrix/register", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.risks: list[RiskRow] = []
        self.project: Project | None = None
        self.show_all = True
        self.residual = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="risks-title")
        yield RiskMatrix()
        yield DataTable(id="risk-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#risk-table", DataTable)
        add_fixed_columns(
            table,
            [
                ("Ref", 5),
                ("Lvl", 3),
                ("Score", 5),
                ("L", 1),
                ("I", 1),
                ("Title", 36),
                ("Category", 11),
                ("Owner", 10),
                ("Status", 16),
                ("Response", 8),
                ("Review", 18),
                ("Proximity", 10),
            ],
        )
        self.query_one(RiskMatrix).focus()

    def fetch(self) -> tuple[Project | None, list[RiskRow]]:
        pid = self.ecpm.current_project_id
        if pid is None:
            projects = self.store.list_projects()
            if not projects:
                return None, []
            pid = projects[0].id
        assert pid is not None
        return self.store.get_project(pid), self.store.list_risks(pid, include_closed=False)

    def show(self, data: tuple[Project | None, list[RiskRow]]) -> None:
        self.project, self.risks = data
        counts: Counter[tuple[int, int]] = Counter(scores_of(r, self.residual) for r in self.risks)
        self.query_one(RiskMatrix).set_counts(counts)
        self.fill_table()

    def fill_table(self) -> None:
        matrix = self.query_one(RiskMatrix)
        table = self.query_one("#risk-table", DataTable)
        table.clear()
        today = self.store.today()
        rows = [
            r
            for r in self.risks
            if self.show_all or scores_of(r, self.residual) == (matrix.likelihood, matrix.impact)
        ]
        rows.sort(key=lambda r: risk.sort_key(*scores_of(r, self.residual), r.proximity_date))
        for r in rows:
            lk, im = scores_of(r, self.residual)
            lvl = risk.level(lk, im)
            overdue = risk.is_review_overdue(r.next_review_date, today)
            table.add_row(
                cell(r.ref),
                cell(lvl.letter, style=LEVEL_STYLE[lvl]),
                cell(risk.score(lk, im)),
                cell(lk),
                cell(im),
                cell(r.title, 50),
                cell(r.category),
                cell(r.owner, 16),
                cell(r.status.replace("_", " ")),
                cell(r.response or "-"),
                cell(
                    f"{r.next_review_date or '-'}{' OVERDUE' if overdue else ''}",
                    style="red bold" if overdue else "",
                ),
                cell(r.proximity_date or "-"),
                key=str(r.id),
            )
        key = self.project.key if self.project else "no project"
        where = "all cells" if self.show_all else f"cell L{matrix.likelihood} x I{matrix.impact}"
        basis = "residual" if self.residual else "inherent"
        self.query_one("#risks-title", Static).update(
            Text(
                f"{key}: {len(self.risks)} open risks ({basis}); "
                f"register shows {where} ({len(rows)})"
            )
        )

    @on(CellChanged)
    def _cell_changed(self) -> None:
        self.show_all = False
        self.fill_table()

    def action_all(self) -> None:
        self.show_all = not self.show_all
        self.fill_table()

    def action_residual(self) -> None:
        self.residual = not self.residual
        self.show((self.project, self.risks))
