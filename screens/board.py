"""Board: the lifecycle kanban, for one project's cards or the whole portfolio.

Each column is one virtualised OptionList (never one mounted widget per card).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Static

from ecpm_tui import lifecycle
from ecpm_tui.errors import EcpmError
from ecpm_tui.models import Card, Project
from ecpm_tui.resources import css_path
from ecpm_tui.screens.board_columns import BoardColumns, BoardList
from ecpm_tui.screens.board_load import BoardLoading
from ecpm_tui.screens.board_render import (
    CARD_FIELDS,
    LANES,
    BoardData,
    BoardItem,
    CardList,
    ColumnHead,
    LaneHeading,
    card_detail,
    card_line,
    heading_line,
    project_detail,
    project_line,
)
from ecpm_tui.screens.board_state import CardIndex
from ecpm_tui.screens.card_column import CardColumn
from ecpm_tui.screens.footer import FitFooter
from ecpm_tui.screens.form import FormScreen
from ecpm_tui.screens.gate import GateScreen
from ecpm_tui.screens.header import FitHeader
from ecpm_tui.store import BoardCard, ColumnSetting, ProjectSummary
from ecpm_tui.text import one_line

__all__ = ["CARD_FIELDS", "BoardData", "BoardScreen", "CardList"]


class BoardScreen(BoardLoading):
    """The lifecycle kanban."""

    CSS_PATH = css_path("board.tcss")  # read with the app's sheets already (see EcpmApp)
    # The columns, not the filter box that comes first: a first focus on the box showed
    # a footer of its four keys, rebuilt (and the screen laid out again) a moment later.
    AUTO_FOCUS = "#board-columns"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_card", "New"),
        Binding("e", "edit", "Edit"),
        Binding("space", "cycle_status", "Status"),
        Binding("d", "delete", "Delete"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("g", "gate", "Gate"),
        Binding("m", "mine", "Mine"),
        Binding("p", "portfolio", "Portfolio"),
        # Movement after the main keys: the footer shows the first ones at 80 columns.
        Binding("left,h", "column(-1)", "Prev column", key_display="←/h"),
        Binding("right,l", "column(1)", "Next column", key_display="→/l"),
        Binding("shift+left,H", "move(-1)", "Move to previous phase", key_display="H"),
        Binding("shift+right,L", "move(1)", "Move to next phase", key_display="L"),
        Binding("shift+up,K", "reorder(-1)", "Move up", key_display="K"),
        Binding("shift+down,J", "reorder(1)", "Move down", key_display="J"),
        Binding("b", "blocked", "Block/unblock"),
        Binding("w", "column_settings", "WIP limit"),
        Binding("o", "hold", "Hold/resume project"),
        Binding("X", "kill", "Kill project", key_display="X"),
        Binding("ctrl+z", "undo", "Undo my last change"),
        Binding("s", "swimlanes", "Swimlanes"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.portfolio = False
        self.data = BoardData(None, [], [])
        self.query_text = ""
        self.only_mine = False
        self.lane: str | None = None  # swimlane grouping (see LANES)
        self.column = 0
        self.follow: str | None = None  # item the cursor should land on after a reload
        # Column made active with that reload: switching at once drew a frame of its own.
        self.follow_column: int | None = None
        # What the detail line shows: the item (by identity), today and its column setting.
        self.detail_of: tuple[object, date, ColumnSetting | None] | None = None
        self.index: CardIndex | None = None  # the project's cards, patched in place
        # The change token read before the index's last read (see BoardLoading.reload).
        self.read_token: int | None = None
        self.columns_scope = ""  # what the columns show: "cards", "portfolio" or nothing yet
        # Cards whose long descriptions match the filter's words (see text_matches).
        self.long_key: tuple[int, tuple[str, ...]] | None = None
        self.long_matches: frozenset[int] = frozenset()

    def compose(self) -> ComposeResult:
        yield FitHeader()
        # The filter box always has its place beside the title: setting or clearing a
        # filter never re-lays out the screen (a box that appeared and went cost a
        # layout and a repaint of the whole board).
        with Horizontal(id="board-bar"):
            yield Static("Loading cards...", id="board-title")  # until the first load shows
            yield Input(placeholder="/ filter: text @who #tag ws:", id="board-filter")
        with BoardColumns(id="board-columns"):
            # A grid: the heads on its first row, the columns on the second; the lines
            # between them are drawn by the grid itself (see BoardColumns).
            for phase in lifecycle.PHASES:
                yield ColumnHead(phase, id=f"head-{phase.value}")
            for phase in lifecycle.PHASES:
                yield BoardList(phase, self.item_line)
        yield Static("", id="card-detail")
        yield FitFooter()

    def on_mount(self) -> None:
        self.focus_column(0)

    def focus_column(self, index: int) -> CardList:
        """Make column *index* the active one and give the columns the focus."""
        columns = self.query_one("#board-columns", BoardColumns)
        self.column = index
        target = columns.activate(index)
        if self.focused is not columns:
            columns.focus()
        self.show_detail()
        return target

    # -- data -----------------------------------------------------------------------------

    def item_line(self, item: BoardItem, width: int = 10**6) -> Text:
        """A card, a project in portfolio scope, or a swimlane heading, as one line of
        *width* cells."""
        if isinstance(item, LaneHeading):
            return heading_line(item)
        if isinstance(item, BoardCard):
            setting = self.data.settings.get(item.phase)
            limit = setting.age_limit_days if setting else 10**6
            return card_line(item, self.data.today, limit, width)
        return project_line(item)

    def show_detail(self) -> None:
        """Describe the selected card (or project) on the detail line."""
        item = self.focused_list().highlighted_item
        setting = self.data.settings.get(item.phase) if isinstance(item, BoardCard) else None
        shown = self.detail_of
        if shown is not None and shown[0] is item and shown[1:] == (self.data.today, setting):
            return  # a redraw and the cursor's message both ask: one frame was spent on it
        self.detail_of = (item, self.data.today, setting)
        detail = self.query_one("#card-detail", Static)
        # Fixed height (board.tcss): no relayout of the whole screen for each cursor move.
        if isinstance(item, BoardCard):
            detail.update(
                card_detail(item, self.data.today, setting),
                layout=False,
            )
        elif isinstance(item, ProjectSummary):
            detail.update(project_detail(item), layout=False)
        else:
            detail.update("", layout=False)

    @on(CardColumn.Highlighted)
    def _highlighted(self, event: CardColumn.Highlighted) -> None:
        event.stop()
        if event.column is self.focused_list():
            self.show_detail()

    # -- selection --------------------------------------------------------------------------

    def action_column(self, step: int) -> None:
        lists = self.lists()
        index = max(0, min(len(lists) - 1, lifecycle.phase_index(self.focused_list().phase) + step))
        target = lists[index]
        if target.highlighted is None and target.option_count:
            target.highlighted = 0
        self.focus_column(index)

    def decision_project(self) -> Project | None:
        if self.portfolio:
            s = self.selected_project()
            return s.project if s is not None else None
        return self.data.project

    def action_move(self, step: int) -> None:
        if self.portfolio:
            s = self.selected_project()
            if s is not None and s.project.id is not None:
                self.transition(s.project, step)
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
            self.follow_column = lifecycle.phase_index(target)

        self.confirmed(lambda force: self.store.move_card(cid, target, force), moved)

    def action_reorder(self, step: int) -> None:
        card = self.selected_card()
        if self.current_filter().active or self.lane:
            # The neighbour on screen is not the neighbour in rank order then.
            self.notify("Clear the filter and swimlanes (s) to reorder cards.")
            return
        if card is None or card.id is None:
            return
        cid = card.id
        self.perform(lambda: self.store.reorder_card(cid, step))

    def action_cycle_status(self) -> None:
        card = self.selected_card()
        if card is not None and card.id is not None:
            cid = card.id
            self.perform(lambda: self.store.cycle_card_status(cid))

    def action_edit(self) -> None:
        if self.portfolio:
            s = self.selected_project()
            if s is not None and s.project.id is not None:
                self.portfolio = False
                self.ecpm.current_project_id = s.project.id
                self.reload()
            return
        card = self.selected_card()
        if card is None:
            return
        # The board holds only the start of a description: the editor opens on the whole
        # card, read first. Keys typed meanwhile are held for the form.
        self.ecpm.hold_keys()
        self._open_editor(card.id)

    @work(thread=True, group="editor")
    def _open_editor(self, card_id: int) -> None:
        try:
            card = self.store.get_card(card_id)
        except EcpmError as exc:
            self.app.call_from_thread(self._editor_failed, exc)
            return
        self.app.call_from_thread(self._show_editor, card)

    def _editor_failed(self, error: EcpmError) -> None:
        self.ecpm.release_keys()
        self.notify(error.message, severity="error", timeout=8)
        self.reload()

    def _show_editor(self, card: Card) -> None:
        assert card.id is not None
        cid = card.id

        def save(values: dict[str, str], version: int | None) -> Card:
            return self.store.update_card(cid, version, values, force=form.confirmed)

        form: FormScreen[Card] = FormScreen(
            f"Edit card: {one_line(card.title, 60)}",
            CARD_FIELDS,
            card.model_dump(),
            save,
            version=card.version,
        )
        self.app.push_screen(form, self._saved)
        self.ecpm.release_keys()

    @on(CardColumn.Selected)
    def _selected(self, event: CardColumn.Selected) -> None:
        event.stop()
        self.action_edit()

    def action_filter(self) -> None:
        box = self.query_one("#board-filter", Input)
        box.value = self.query_text
        box.focus()

    @on(Input.Submitted, "#board-filter")
    def _apply_filter(self, event: Input.Submitted) -> None:
        self.query_text = event.value.strip()
        self.focus_column(self.column)
        self.show(self.data)

    def action_clear_filter(self) -> None:
        box = self.query_one("#board-filter", Input)
        self.query_text = ""
        box.value = ""
        self.focus_column(self.column)
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

    def action_swimlanes(self) -> None:
        """Cycle the grouping of every column: none, workstream, assignee, priority."""
        self.lane = LANES[(LANES.index(self.lane) + 1) % len(LANES)]
        self.show(self.data)

    def action_undo(self) -> None:
        """Undo this user's last change on the project's board (as a new audited change)."""
        project = self.data.project
        if self.portfolio or project is None or project.id is None:
            return
        pid = project.id
        self.perform(
            lambda: self.store.undo_last(pid),
            lambda summary: self.notify(f"Undone: {one_line(summary, 80)}", markup=False),
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        card_actions = {"cycle_status", "delete", "reorder", "blocked"}
        if self.portfolio and action in card_actions | {
            "new_card",
            "filter",
            "mine",
            "column_settings",
            "undo",
            "swimlanes",
        }:
            return None
        return True
