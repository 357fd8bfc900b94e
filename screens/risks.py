"""Risks: the 5x5 matrix and, below it, the register of the selected cell.

The matrix counts open risks only (closed and occurred ones are out) of one kind at a
time: threats and opportunities are never added up. Every action is one store call.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Static

from ecpm_tui import risk
from ecpm_tui.models import Project, Risk
from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import EcpmScreen, cell
from ecpm_tui.screens.columns import Column, fit_table, row_of
from ecpm_tui.screens.confirm import ConfirmScreen
from ecpm_tui.screens.footer import FitFooter
from ecpm_tui.screens.header import FitHeader
from ecpm_tui.screens.risk_dialogs import ReasonScreen, RiskEventsScreen, TemplatePicker
from ecpm_tui.screens.risk_form import RiskFormScreen, template_values
from ecpm_tui.screens.risk_matrix import LEVEL_STYLE, CellChanged, RiskMatrix
from ecpm_tui.screens.risk_rows import cell_of, register_key, risk_detail, status_text
from ecpm_tui.store import RiskRow
from ecpm_tui.text import one_line

__all__ = ["LEVEL_STYLE", "RiskMatrix", "RisksData", "RisksScreen", "cell_of"]


@dataclass(frozen=True)
class RisksData:
    """What the Risks screen shows: one project's risks, or every project's."""

    project: Project | None
    risks: list[RiskRow]
    keys: dict[int, str] = field(default_factory=dict)


class RisksScreen(EcpmScreen):
    """The risk register seen through the matrix."""

    CSS_PATH = css_path("risks.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_risk", "New"),
        Binding("t", "template", "Template"),
        Binding("e", "edit", "Edit"),
        Binding("d", "close_risk", "Close"),
        Binding("v", "review", "Reviewed"),
        Binding("a", "all", "All/cell"),
        Binding("i", "residual", "Inherent/residual"),
        Binding("o", "kind", "Threats/opportunities"),
        Binding("p", "scope", "Project/all"),
        Binding("c", "closed", "Show closed"),
        Binding("y", "events", "Audit entries"),
        Binding("shift+up,K", "move(1, 0)", "Risk likelihood +", key_display="K"),
        Binding("shift+down,J", "move(-1, 0)", "Risk likelihood -", key_display="J"),
        Binding("shift+left,H", "move(0, -1)", "Risk impact -", key_display="H"),
        Binding("shift+right,L", "move(0, 1)", "Risk impact +", key_display="L"),
        Binding("tab", "switch_focus", "Matrix/register", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data = RisksData(None, [])
        self.show_all = True
        self.residual = False
        self.opportunities = False
        self.everywhere = False
        self.show_closed = False
        self.shown: list[RiskRow] = []
        self.follow: int | None = None  # risk id the register cursor lands on after a reload

    def compose(self) -> ComposeResult:
        yield FitHeader()
        yield Static("", id="risks-title")
        yield RiskMatrix()
        yield DataTable(id="risk-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="risk-detail")
        yield FitFooter()

    def on_mount(self) -> None:
        self.query_one(RiskMatrix).focus()

    def columns(self) -> list[Column]:
        """The register's columns; owner, status, response and review always stay, the
        rest collapse (proximity first) and the detail line shows the selected risk."""
        return [
            Column("ref", "Ref", 10 if self.everywhere else 5),
            Column("lvl", "Lvl", 3),
            Column("score", "Score", 5, drop=2),
            Column("lxi", "L x I", 5, drop=3),
            Column("title", "Title", 8, flex=True),
            Column("review", "Review (!)", 11),
            Column("owner", "Owner", 8),
            Column("response", "Response", 8),
            Column("status", "Status", 16),
            Column("proximity", "Proximity", 10, drop=4),
        ]

    def on_resize(self) -> None:
        # After the layout: the table's new width decides which columns it holds.
        self.call_after_refresh(self.fill_table)

    # -- data -----------------------------------------------------------------------------

    def fetch(self) -> RisksData:
        if self.everywhere:
            # The portfolio in view: archived projects stay out, as on the Projects screen.
            keys = {p.id: p.key for p in self.store.list_projects() if p.id is not None}
            rows = self.store.list_risks(None, self.show_closed)
            return RisksData(None, [r for r in rows if r.project_id in keys], keys)
        pid = self.ecpm.current_project_id
        if pid is None:
            projects = self.store.list_projects()
            if not projects:
                return RisksData(None, [])
            pid = projects[0].id
        assert pid is not None
        project = self.store.get_project(pid)
        return RisksData(project, self.store.list_risks(pid, self.show_closed), {pid: project.key})

    def show(self, data: RisksData) -> None:
        self.data = data
        if data.project is not None:
            self.ecpm.current_project_id = data.project.id
        self.query_one(RiskMatrix).set_counts(self.counts())
        self.fill_table()

    def of_kind(self) -> list[RiskRow]:
        """The risks of the kind in view (threats or opportunities)."""
        kind = risk.RiskKind.OPPORTUNITY if self.opportunities else risk.RiskKind.THREAT
        return [r for r in self.data.risks if r.kind == kind.value]

    def counts(self) -> Counter[tuple[int, int]]:
        """Open risks of the kind in view per matrix cell."""
        return Counter(cell_of(r, self.residual) for r in self.of_kind() if risk.is_open(r.status))

    def fill_table(self) -> None:
        matrix = self.query_one(RiskMatrix)
        table = self.query_one("#risk-table", DataTable)
        keep = self.follow if self.follow is not None else self.selected_id()
        self.follow = None
        today = self.store.today()
        here = (matrix.likelihood, matrix.impact)
        rows = [r for r in self.of_kind() if self.show_all or cell_of(r, self.residual) == here]
        rows.sort(key=lambda r: register_key(r, self.residual))
        self.shown = rows
        table.clear()
        chosen = fit_table(table, self.columns())
        for r in rows:
            lk, im = cell_of(r, self.residual)
            lvl = risk.level(lk, im)
            late = risk.is_review_overdue(r.next_review_date, today) and risk.is_open(r.status)
            ref = f"{self.data.keys.get(r.project_id, '?')}/{r.ref}" if self.everywhere else r.ref
            cells = {
                "ref": cell(ref),
                "lvl": cell(lvl.letter, style=LEVEL_STYLE[lvl]),
                "score": cell(risk.score(lk, im)),
                "lxi": cell(f"{lk}x{im}"),
                "title": cell(r.title, 120),
                "review": cell(
                    f"{'!' if late else ' '}{r.next_review_date or '-'}",
                    style="red bold" if late else "",
                ),
                "owner": cell(r.owner or "-", 30),
                "response": cell(r.response or "-"),
                "status": cell(status_text(r), style="" if risk.is_open(r.status) else "italic"),
                "proximity": cell(r.proximity_date or "-"),
            }
            table.add_row(*row_of(cells, chosen), key=str(r.id))
        for index, r in enumerate(rows):
            if r.id == keep:
                table.move_cursor(row=index)
        self.update_title(len(rows))
        self.show_detail()

    @on(DataTable.RowHighlighted, "#risk-table")
    def show_detail(self) -> None:
        """The selected risk in full on the detail line (the columns may be cut)."""
        item = self.selected()
        text = risk_detail(item, self.residual, self.data.keys) if item else ""
        self.query_one("#risk-detail", Static).update(Content(text))

    def update_title(self, shown: int) -> None:
        matrix = self.query_one(RiskMatrix)
        mine = self.of_kind()
        open_count = sum(risk.is_open(r.status) for r in mine)
        issues = sum(r.status == risk.RiskStatus.OCCURRED.value for r in mine)
        late = sum(
            risk.is_open(r.status)
            and risk.is_review_overdue(r.next_review_date, self.store.today())
            for r in mine
        )
        where = (
            "all projects"
            if self.everywhere
            else (one_line(self.data.project.key) if self.data.project else "no project")
        )
        kinds = "opportunities" if self.opportunities else "threats"
        parts = [f"{where}: {open_count} open {kinds}", "residual" if self.residual else "inherent"]
        if self.residual:
            fallback = sum(
                risk.matrix_cell(
                    r.likelihood, r.impact, r.residual_likelihood, r.residual_impact, True
                )[1]
                for r in mine
                if risk.is_open(r.status)
            )
            parts.append(f"{fallback} without residual at inherent")
        if issues:
            parts.append(f"{issues} occurred (issues)")
        if late:
            parts.append(f"{late} reviews overdue")
        cell_name = f"L{matrix.likelihood}xI{matrix.impact}"
        parts.append(f"{'all cells' if self.show_all else 'cell ' + cell_name} ({shown})")
        if self.show_closed:
            parts.append("closed shown")
        self.query_one("#risks-title", Static).update(Content(" | ".join(parts)))

    # -- selection --------------------------------------------------------------------------

    def selected(self) -> RiskRow | None:
        """The risk under the register cursor."""
        table = self.query_one("#risk-table", DataTable)
        if not self.shown or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def selected_id(self) -> int | None:
        item = self.selected()
        return item.id if item else None

    def need_selected(self) -> RiskRow | None:
        item = self.selected()
        if item is None:
            self.notify("No risk selected: move to a cell with risks, or press a for all.")
        return item

    def target_project(self) -> int | None:
        """The project new risks go to (the selected risk's in all-projects scope)."""
        if self.data.project is not None:
            return self.data.project.id
        item = self.selected()
        if item is not None:
            return item.project_id
        self.notify("Press p to pick a project's register before adding a risk.")
        return None

    # -- view toggles -----------------------------------------------------------------------

    @on(CellChanged)
    def _cell_changed(self) -> None:
        self.show_all = False
        self.fill_table()

    def action_all(self) -> None:
        """Register: all cells, or the selected cell only."""
        self.show_all = not self.show_all
        self.fill_table()

    def action_residual(self) -> None:
        """Matrix: inherent or residual values."""
        self.residual = not self.residual
        self.show(self.data)

    def action_kind(self) -> None:
        """Threats or opportunities (never counted together)."""
        self.opportunities = not self.opportunities
        self.show(self.data)

    def action_scope(self) -> None:
        """The current project, or every project."""
        self.everywhere = not self.everywhere
        self.reload()

    def action_closed(self) -> None:
        """Show or hide closed risks in the register."""
        self.show_closed = not self.show_closed
        self.reload()

    def action_switch_focus(self) -> None:
        """Focus the matrix or the register."""
        table = self.query_one("#risk-table", DataTable)
        if table.has_focus:
            self.query_one(RiskMatrix).focus()
        else:
            table.focus()

    # -- actions ----------------------------------------------------------------------------

    def action_new_risk(self) -> None:
        """A new risk, pre-set to the selected cell and the kind in view."""
        pid = self.target_project()
        if pid is None:
            return
        matrix = self.query_one(RiskMatrix)
        kind = risk.RiskKind.OPPORTUNITY if self.opportunities else risk.RiskKind.THREAT
        initial = {"likelihood": matrix.likelihood, "impact": matrix.impact, "kind": kind.value}
        self.app.push_screen(RiskFormScreen(self.store, pid, initial), self._saved)

    def action_template(self) -> None:
        """A new risk from one of the built-in templates."""
        pid = self.target_project()
        if pid is None:
            return

        def picked(key: str | None) -> None:
            if key is not None:
                form = RiskFormScreen(self.store, pid, template_values(risk.template(key)))
                self.app.push_screen(form, self._saved)

        self.app.push_screen(TemplatePicker(), picked)

    def action_edit(self) -> None:
        """Edit the selected risk."""
        item = self.need_selected()
        if item is not None:
            form = RiskFormScreen(
                self.store, item.project_id, item.values(), risk_id=item.id, version=item.version
            )
            self.app.push_screen(form, partial(self._saved, was=item.status))

    @on(DataTable.RowSelected, "#risk-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def _saved(self, saved: Risk | None, was: str | None = None) -> None:
        """After a form save: follow the risk; a risk that just occurred may become a card."""
        if saved is None:
            return
        self.follow = saved.id
        self.notify(Content(f"Saved risk {saved.ref} {one_line(saved.title, 40)}"))
        self.ecpm.data_changed()
        occurred = risk.RiskStatus.OCCURRED.value
        if saved.status == occurred != was and saved.occurred_card_id is None:
            self.offer_issue_card(saved)

    def offer_issue_card(self, item: Risk) -> None:
        """Ask whether an occurred risk goes on the board as a blocked issue card."""
        rid = item.id
        assert rid is not None
        question = Content(
            f"Risk {item.ref} occurred: {one_line(item.title, 80)}\n"
            "Create a blocked issue card on the board, linked to the risk?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.perform(
                    lambda: self.store.create_issue_card(rid),
                    lambda card: self.notify(Content(f"Blocked issue card #{card.id} created")),
                )

        self.app.push_screen(ConfirmScreen(question, "Create card"), answered)

    def action_close_risk(self) -> None:
        """Close the selected risk with a reason."""
        item = self.need_selected()
        if item is None:
            return
        rid, version = item.id, item.version

        def with_reason(reason: str | None) -> None:
            if reason:
                self.perform(
                    lambda: self.store.close_risk(rid, version, reason),
                    lambda r: self.notify(Content(f"Closed risk {r.ref}")),
                )

        title = f"Close risk {item.ref} {one_line(item.title, 60)}: why?"
        self.app.push_screen(ReasonScreen(title), with_reason)

    def action_review(self) -> None:
        """Mark the selected risk reviewed today; the next review follows its cadence."""
        item = self.need_selected()
        if item is None:
            return
        rid = item.id
        self.follow = rid
        # A review is idempotent: no version check, so a repeated key never conflicts.
        self.perform(
            lambda: self.store.review_risk(rid, None),
            lambda r: self.notify(Content(f"Reviewed {r.ref}; next review {r.next_review_date}")),
        )

    def action_move(self, d_likelihood: int, d_impact: int) -> None:
        """Move the selected risk one cell (inherent, or residual in the residual view)."""
        item = self.need_selected()
        if item is None:
            return
        # A move is relative and applied under the row lock, so it needs no version check:
        # keys pressed faster than the register reloads each move the risk one more cell.
        rid, residual = item.id, self.residual

        def moved(r: Risk) -> None:
            # The cursor follows the risk, so the next key moves it further.
            self.follow = rid
            lk, im = risk.matrix_cell(
                r.likelihood, r.impact, r.residual_likelihood, r.residual_impact, residual
            )[0]
            self.query_one(RiskMatrix).move_to(lk, im)

        self.perform(
            lambda: self.store.move_risk(rid, None, d_likelihood, d_impact, residual), moved
        )

    def action_events(self) -> None:
        """The selected risk's audit entries."""
        item = self.need_selected()
        if item is not None:
            self.app.push_screen(RiskEventsScreen(self.store, item.id, item.ref))
