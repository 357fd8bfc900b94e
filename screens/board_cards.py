"""Card actions of the board: new, delete, block/unblock, column settings, WIP confirm.

A base of :class:`~ecpm_tui.screens.board.BoardScreen`, kept apart so each module
stays small; it reads the board's state (``data``, ``portfolio``) and its columns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.content import Content

from ecpm_tui import lifecycle
from ecpm_tui.errors import EcpmError, NeedsConfirmation
from ecpm_tui.models import Card
from ecpm_tui.screens.board_governance import BoardGovernance
from ecpm_tui.screens.board_render import CARD_FIELDS, SETTING_FIELDS, BoardData, CardList
from ecpm_tui.screens.confirm import ConfirmScreen
from ecpm_tui.screens.form import FormScreen
from ecpm_tui.screens.reason import Reason, ReasonScreen
from ecpm_tui.store import BoardCard, ColumnSetting, ProjectSummary
from ecpm_tui.text import clean, one_line

T = TypeVar("T")


class BoardCards(BoardGovernance):
    """Card actions shared by the board (its columns, selection and confirmations)."""

    data: BoardData
    portfolio: bool
    column: int

    def lists(self) -> list[CardList]:
        """The five columns, in phase order."""
        return [self.query_one(f"#col-{p.value}", CardList) for p in lifecycle.PHASES]

    def focused_list(self) -> CardList:
        focused = self.focused
        if isinstance(focused, CardList):
            self.column = lifecycle.phase_index(focused.phase)
            return focused
        return self.lists()[self.column]

    def focus_column(self, index: int) -> CardList:
        """Make column *index* the active one (defined by the board)."""
        return self.lists()[index]

    def selected_card(self) -> BoardCard | None:
        item = self.focused_list().highlighted_item
        return item if isinstance(item, BoardCard) else None

    def selected_project(self) -> ProjectSummary | None:
        item = self.focused_list().highlighted_item
        return item if isinstance(item, ProjectSummary) else None

    # -- actions ----------------------------------------------------------------------------

    def confirmed(self, action: Callable[[bool], T], done: Callable[[T], None]) -> None:
        """Run *action*; if it needs confirmation (a full WIP column), ask and retry forced."""

        def failed(error: EcpmError) -> bool:
            if not isinstance(error, NeedsConfirmation):
                return False
            self.app.push_screen(
                ConfirmScreen(Content(clean(error.message)), "Go ahead"),
                lambda yes: self.perform(lambda: action(True), done) if yes else None,
            )
            return True

        self.perform(lambda: action(False), done, failed)

    def action_new_card(self) -> None:
        project = self.data.project
        if self.portfolio or project is None or project.id is None:
            self.notify("Open a project's board to add cards (p toggles portfolio).")
            return
        pid = project.id
        phase = self.focused_list().phase

        def save(values: dict[str, str], _version: int | None) -> Card:
            return self.store.create_card(pid, values, force=form.confirmed)

        form: FormScreen[Card] = FormScreen(
            f"New card in {project.key}",
            CARD_FIELDS,
            {"phase": phase.value, "status": "todo", "kind": "task", "priority": "medium"},
            save,
        )
        self.app.push_screen(form, self._saved)

    def _saved(self, card: Card | None) -> None:
        if card is not None:
            self.notify(f"Saved card {one_line(card.title, 40)}", markup=False)
            # The cursor lands on the saved card, in its column, after the reload.
            self.follow = f"c{card.id}"
            self.follow_column = lifecycle.phase_index(lifecycle.Phase(card.phase))
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

    def action_blocked(self) -> None:
        """Block the selected card with a reason, or unblock it."""
        card = self.selected_card()
        if card is None:
            return
        cid = card.id
        if card.status == lifecycle.CardStatus.BLOCKED.value:
            self.perform(
                lambda: self.store.set_blocked(cid, None),
                lambda _c: self.notify(f"Unblocked {one_line(card.title, 40)}", markup=False),
            )
            return

        def answered(result: Reason | None) -> None:
            if result is not None:
                self.perform(lambda: self.store.set_blocked(cid, result.reason))

        self.app.push_screen(
            ReasonScreen(Content(f"Why is {one_line(card.title, 60)} blocked?"), "Block"),
            answered,
        )

    def action_column_settings(self) -> None:
        """Edit the focused column's WIP limit and aging threshold."""
        project = self.data.project
        if self.portfolio or project is None or project.id is None:
            return
        pid, phase = project.id, self.focused_list().phase
        setting = self.data.settings.get(phase.value)
        version = setting.version if setting else None

        def save(values: dict[str, str], version: int | None) -> ColumnSetting:
            return self.store.set_column_setting(pid, phase, dict(values), version)

        def saved(result: ColumnSetting | None) -> None:
            if result is not None:
                self.notify(f"{phase.label}: WIP limit {result.wip_limit or 'none'}")
                self.ecpm.data_changed()

        values = {"wip_limit": setting.wip_limit if setting else None, "age_limit_days": None}
        if setting and setting.version is not None:
            values["age_limit_days"] = setting.age_limit_days
        form: FormScreen[ColumnSetting] = FormScreen(
            f"{project.key} {phase.label} column", SETTING_FIELDS, values, save, version=version
        )
        self.app.push_screen(form, saved)
