"""Board: the lifecycle kanban, for one project's cards or the whole portfolio.

Each column is one virtualised OptionList (never one mounted widget per card).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Header, Input, Static

from ecpm_tui import lifecycle
from ecpm_tui.errors import EcpmError, GateBlocked, ValidationError
from ecpm_tui.filters import CardFilter, parse_filter
from ecpm_tui.models import Card, Project
from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import EcpmScreen
from ecpm_tui.screens.card_column import CardColumn
from ecpm_tui.screens.confirm import ConfirmScreen
from ecpm_tui.screens.form import FieldDef, FormScreen
from ecpm_tui.screens.gate import GateScreen
from ecpm_tui.screens.transition import TransitionScreen
from ecpm_tui.store import CardRow, ProjectSummary
from ecpm_tui.text import clean, one_line

STATUS_MARK = {"todo": " ", "doing": ">", "blocked": "!", "done": "x"}
STATUS_STYLE = {"todo": "", "doing": "bold", "blocked": "red", "done": "dim"}

CARD_FIELDS: tuple[FieldDef, ...] = (
    FieldDef("title", "Title"),
    FieldDef("phase", "Phase", "select", [(p.label, p.value) for p in lifecycle.PHASES]),
    FieldDef("status", "Status", "select", [(s.label, s.value) for s in lifecycle.CardStatus]),
    FieldDef("kind", "Kind", "select", [(k.label, k.value) for k in lifecycle.CardKind]),
    FieldDef(
        "workstream", "Workstream", "select", [(w.label, w.value) for w in lifecycle.Workstream]
    ),
    FieldDef("priority", "Priority", "select", [(p.label, p.value) for p in lifecycle.Priority]),
    FieldDef("assignee", "Assignee (login)"),
    FieldDef("department", "Department"),
    FieldDef("due_date", "Due date", placeholder="YYYY-MM-DD"),
    FieldDef("estimate", "Estimate (points)"),
    FieldDef("tags", "Tags", placeholder="peak, mvp"),
    FieldDef("description", "Description", "text"),
    FieldDef("acceptance_criteria", "Acceptance criteria", "text"),
    FieldDef("blocked_reason", "Blocked reason", "text"),
)


@dataclass(frozen=True)
class BoardData:
    """What the board shows: one project's cards, or every project as a card."""

    project: Project | None
    cards: list[CardRow]
    portfolio: list[ProjectSummary]


def item_line(item: CardRow | ProjectSummary) -> Text:
    """A card, or a project in portfolio scope, as one line."""
    return card_line(item) if isinstance(item, CardRow) else project_line(item)


class CardList(CardColumn[Card | ProjectSummary]):
    """One phase column of the board."""

    def __init__(self, phase: lifecycle.Phase) -> None:
        super().__init__(item_line, id=f"col-{phase.value}", classes="card-list")
        self.phase = phase


def card_line(card: CardRow) -> Text:
    """One card as a literal line: status mark, priority, title, assignee."""
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(f"[{STATUS_MARK.get(card.status, '?')}] ", style=STATUS_STYLE.get(card.status, ""))
    if card.priority in ("high", "critical"):
        line.append("!" if card.priority == "high" else "!!", style="red bold")
        line.append(" ")
    line.append(one_line(card.title, 120), style=STATUS_STYLE.get(card.status, ""))
    if card.assignee:
        line.append(f" @{one_line(card.assignee, 20)}", style="cyan")
    return line


def project_line(s: ProjectSummary) -> Text:
    """A project as a portfolio card."""
    p = s.project
    line = Text(no_wrap=True, overflow="ellipsis")
    colour = {"green": "green", "amber": "yellow", "red": "red"}.get(p.health, "")
    line.append(f"{one_line(p.key)} ", style="bold")
    line.append(f"[{p.health[:1].upper()}] ", style=colour)
    line.append(one_line(p.name, 80))
    return line


class BoardScreen(EcpmScreen):
    """The lifecycle kanban."""

    CSS_PATH = css_path("board.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "column(-1)", "Prev column", key_display="←/h"),
        Binding("right,l", "column(1)", "Next column", key_display="→/l"),
        Binding("shift+left,H", "move(-1)", "Move to previous phase", key_display="H"),
        Binding("shift+right,L", "move(1)", "Move to next phase", key_display="L"),
        Binding("shift+up,K", "reorder(-1)", "Move up", key_display="K"),
        Binding("shift+down,J", "reorder(1)", "Move down", key_display="J"),
        Binding("n", "new_card", "New"),
        Binding("e", "edit", "Edit"),
        Binding("space", "cycle_status", "Status"),
        Binding("d", "delete", "Delete"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("g", "gate", "Gate"),
        Binding("m", "mine", "Mine"),
        Binding("p", "portfolio", "Portfolio"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.portfolio = False
        self.data = BoardData(None, [], [])
        self.query_text = ""
        self.only_mine = False
        self.column = 0
        self.follow: str | None = None  # item the cursor should land on after a reload

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="board-title")
        yield Input(
            placeholder="filter: text @assignee #tag ws:workstream (Enter applies, Esc clears)",
            id="board-filter",
            classes="hidden",
        )
        with Horizontal(id="board-columns"):
            for phase in lifecycle.PHASES:
                with Vertical(classes="column"):
                    yield Static(phase.label, id=f"head-{phase.value}", classes="column-head")
                    yield CardList(phase)
        yield Footer()

    def on_mount(self) -> None:
        self.lists()[0].focus()

    def lists(self) -> list[CardList]:
        """The five columns, in phase order."""
        return [self.query_one(f"#col-{p.value}", CardList) for p in lifecycle.PHASES]

    # -- data -----------------------------------------------------------------------------

    def fetch(self) -> BoardData:
        if self.portfolio:
            return BoardData(None, [], self.store.project_summaries())
        pid = self.ecpm.current_project_id
        if pid is None:
            projects = self.store.list_projects()
            if not projects:
                return BoardData(None, [], [])
            pid = projects[0].id
        assert pid is not None
        return BoardData(self.store.get_project(pid), self.store.list_cards(pid), [])

    def current_filter(self) -> CardFilter:
        return parse_filter(self.query_text, self.store.user if self.only_mine else None)

    def show(self, data: BoardData) -> None:
        self.data = data
        self.refresh_bindings()  # card actions depend on scope and data
        if data.project is not None:
            self.ecpm.current_project_id = data.project.id
        flt = self.current_filter()
        for col, phase in zip(self.lists(), lifecycle.PHASES, strict=True):
            items: list[tuple[str, CardRow | ProjectSummary]] = []
            total = done = doing = 0
            if self.portfolio:
                for s in data.portfolio:
                    if s.project.phase == phase.value:
                        items.append((f"p{s.project.id}", s))
                total = len(items)
            else:
                for card in data.cards:
                    if card.phase != phase.value:
                        continue
                    total += 1
                    done += card.status == "done"
                    doing += card.status == "doing"
                    if flt.matches(card):
                        items.append((f"c{card.id}", card))
            ids = {item_id for item_id, _ in items}
            if self.follow in ids:
                col.set_items(items, keep=self.follow)
                self.follow = None
            else:
                col.set_items(items, keep=col.highlighted_id)
            head = self.query_one(f"#head-{phase.value}", Static)
            if self.portfolio:
                head.update(Content(f"{phase.label} ({total})"))
            else:
                shown = f"{len(items)}/{total}" if flt.active else str(total)
                head.update(Content(f"{phase.label} {shown} | doing {doing} | done {done}/{total}"))
        title = self.query_one("#board-title", Static)
        if self.portfolio:
            title.update(Content(f"Portfolio: {len(data.portfolio)} projects (p: project view)"))
        elif data.project is None:
            title.update("No projects yet: press 1 and n to create one.")
        else:
            p = data.project
            extra = []
            if self.query_text:
                extra.append(f"filter: {one_line(self.query_text, 60)}")
            if self.only_mine:
                extra.append(f"only @{self.store.user}")
            title.update(
                Content(
                    f"{one_line(p.key)} {one_line(p.name, 60)} | phase "
                    f"{lifecycle.Phase(p.phase).label}"
                    + (" | " + ", ".join(extra) if extra else "")
                )
            )

    # -- selection --------------------------------------------------------------------------

    def focused_list(self) -> CardList:
        focused = self.focused
        if isinstance(focused, CardList):
            self.column = lifecycle.phase_index(focused.phase)
            return focused
        return self.lists()[self.column]

    def selected_card(self) -> CardRow | None:
        item = self.focused_list().highlighted_item
        return item if isinstance(item, CardRow) else None

    def selected_project(self) -> ProjectSummary | None:
        item = self.focused_list().highlighted_item
        return item if isinstance(item, ProjectSummary) else None

    # -- actions ----------------------------------------------------------------------------

    def action_column(self, step: int) -> None:
        lists = self.lists()
        index = max(0, min(len(lists) - 1, lifecycle.phase_index(self.focused_list().phase) + step))
        self.column = index
        target = lists[index]
        if target.highlighted is None and target.option_count:
            target.highlighted = 0
        target.focus()

    def action_move(self, step: int) -> None:
        if self.portfolio:
            self._transition(step)
            return
        card = self.selected_card()
        if card is None or card.id is None:
            return
        current = lifecycle.Phase(card.phase)
        target = lifecycle.next_phase(current) if step > 0 else lifecycle.previous_phase(current)
        if target is None:
            self.notify(f"Already in {current.label}.")
            return
        cid = card.id

        def moved(_card: Card) -> None:
            # Follow the card into its new column: the cursor lands on it after the reload.
            self.follow = f"c{cid}"
            self.column = lifecycle.phase_index(target)
            self.lists()[self.column].focus()

        self.perform(lambda: self.store.move_card(cid, target), moved)

    def _transition(self, step: int) -> None:
        s = self.selected_project()
        if s is None or s.project.id is None:
            return
        p = s.project
        pid, version = p.id, p.version
        assert pid is not None
        current = lifecycle.Phase(p.phase)
        target = lifecycle.next_phase(current) if step > 0 else lifecycle.previous_phase(current)
        if target is None:
            self.notify(f"{clean(p.key)} is already in {current.label}.")
            return

        def with_reason(reason: str | None) -> None:
            if reason is not None:
                self.perform(
                    lambda: self.store.transition_project(pid, target, reason, version),
                    lambda t: self.notify(f"{clean(p.key)}: {t.decision} to {target.label}"),
                )

        def failed(error: EcpmError) -> bool:
            if isinstance(error, GateBlocked):
                self.app.push_screen(
                    TransitionScreen(p.key, current, target, error.unmet), with_reason
                )
                return True
            if isinstance(error, ValidationError) and "reason" in error.errors:
                self.app.push_screen(TransitionScreen(p.key, current, target, []), with_reason)
                return True
            return False

        self.perform(
            lambda: self.store.transition_project(pid, target, None, version),
            lambda t: self.notify(f"{clean(p.key)}: {t.decision} to {target.label}"),
            failed,
        )

    def action_reorder(self, step: int) -> None:
        card = self.selected_card()
        if card is None or card.id is None or self.current_filter().active:
            if self.current_filter().active:
                self.notify("Clear the filter to reorder cards.")
            return
        cid = card.id
        self.perform(lambda: self.store.reorder_card(cid, step))

    def action_cycle_status(self) -> None:
        card = self.selected_card()
        if card is not None and card.id is not None:
            cid = card.id
            self.perform(lambda: self.store.cycle_card_status(cid))

    def action_new_card(self) -> None:
        project = self.data.project
        if self.portfolio or project is None or project.id is None:
            self.notify("Open a project's board to add cards (p toggles portfolio).")
            return
        pid = project.id
        phase = self.focused_list().phase

        def save(values: dict[str, str], _version: int | None) -> Card:
            return self.store.create_card(pid, values)

        form: FormScreen[Card] = FormScreen(
            f"New card in {project.key}",
            CARD_FIELDS,
            {"phase": phase.value, "status": "todo", "kind": "task", "priority": "medium"},
            save,
        )
        self.app.push_screen(form, self._saved)

    def action_edit(self) -> None:
        if self.portfolio:
            s = self.selected_project()
            if s is not None and s.project.id is not None:
                self.portfolio = False
                self.ecpm.current_project_id = s.project.id
                self.reload()
            return
        card = self.selected_card()
        if card is None or card.id is None:
            return
        cid = card.id

        def save(values: dict[str, str], version: int | None) -> Card:
            return self.store.update_card(cid, version, values)

        form: FormScreen[Card] = FormScreen(
            f"Edit card: {one_line(card.title, 60)}",
            CARD_FIELDS,
            card.values(),
            save,
            version=card.version,
        )
        self.app.push_screen(form, self._saved)

    @on(CardColumn.Selected)
    def _selected(self, event: CardColumn.Selected) -> None:
        event.stop()
        self.action_edit()

    def _saved(self, card: Card | None) -> None:
        if card is not None:
            self.notify(f"Saved card {one_line(card.title, 40)}")
            self.ecpm.data_changed()

    def action_delete(self) -> None:
        card = self.selected_card()
        if card is None or card.id is None:
            return
        cid, version = card.id, card.version

        def answered(yes: bool | None) -> None:
            if yes:
                self.perform(
                    lambda: self.store.delete_card(cid, version),
                    lambda _none: self.notify("Card deleted"),
                )

        self.app.push_screen(
            ConfirmScreen(Content(f"Delete card {one_line(card.title, 80)}?"), "Delete"), answered
        )

    def action_filter(self) -> None:
        box = self.query_one("#board-filter", Input)
        box.remove_class("hidden")
        box.value = self.query_text
        box.focus()

    @on(Input.Submitted, "#board-filter")
    def _apply_filter(self, event: Input.Submitted) -> None:
        self.query_text = event.value.strip()
        box = self.query_one("#board-filter", Input)
        if not self.query_text:
            box.add_class("hidden")
        self.lists()[self.column].focus()
        self.show(self.data)

    def action_clear_filter(self) -> None:
        box = self.query_one("#board-filter", Input)
        self.query_text = ""
        box.value = ""
        box.add_class("hidden")
        self.lists()[self.column].focus()
        self.show(self.data)

    def action_mine(self) -> None:
        self.only_mine = not self.only_mine
        self.show(self.data)

    def action_portfolio(self) -> None:
        self.portfolio = not self.portfolio
        self.reload()

    def action_gate(self) -> None:
        project = self.data.project
        if self.portfolio:
            s = self.selected_project()
            project = s.project if s else None
        if project is None or project.id is None:
            return
        self.app.push_screen(GateScreen(project.id), lambda _r: self.reload())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        card_actions = {"cycle_status", "delete", "reorder"}
        if self.portfolio and action in card_actions | {"new_card", "filter", "mine"}:
            return None
        return True
