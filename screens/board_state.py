"""The board's copy of a project's cards, patched in place from the store's change reads.

A move, edit, delete or another user's change touches a few cards; the board applies
just those (:meth:`CardIndex.apply`) and redraws just the columns they left or entered,
instead of loading and redrawing every card. No Textual here: it is plain data.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date

from ecpm_tui import lifecycle
from ecpm_tui.models import Project
from ecpm_tui.screens.board_render import BoardData
from ecpm_tui.store import BoardCard, CardChanges, CardSnapshot, ColumnSetting, Store

PATCHED_VIEWS = 16
"""Up to this many changed cards, the shown columns' views are patched card by card."""


def _order(card: BoardCard) -> tuple[int, int]:
    return (card.rank, card.id)


@dataclass(frozen=True, slots=True)
class ColumnView:
    """A column ready to show: item ids and cards as parallel lists (never changed once
    made, so a list widget may keep them), and how many of the cards are done."""

    ids: list[str]
    cards: list[BoardCard]
    done: int


class CardIndex:
    """One project's cards by id and by column, each column in rank order."""

    def __init__(self, project_id: int, snapshot: CardSnapshot) -> None:
        self.project_id = project_id
        self.last_event = snapshot.last_event
        self.by_id: dict[int, BoardCard] = {}
        self.columns: dict[str, list[BoardCard]] = {p.value: [] for p in lifecycle.PHASES}
        for card in snapshot.rows:
            self.by_id[card.id] = card
            self.columns.setdefault(card.phase, []).append(card)
        for column in self.columns.values():
            column.sort(key=_order)  # the store sorts too; this makes the invariant local
        self._views: dict[str, ColumnView] = {}

    def view(self, phase: str) -> ColumnView:
        """The column of *phase* as a :class:`ColumnView`, made once until it changes
        (at 50,000 cards, making the ids again on every redraw was most of its cost)."""
        view = self._views.get(phase)
        if view is None:
            cards = list(self.column(phase))
            ids = [f"c{card.id}" for card in cards]
            done = sum(1 for card in cards if card.status == "done")
            view = self._views[phase] = ColumnView(ids, cards, done)
        return view

    def column(self, phase: str) -> list[BoardCard]:
        """The cards of one phase column, in rank order (do not modify)."""
        return self.columns.get(phase, [])

    def cards(self) -> list[BoardCard]:
        """Every card, column by column in phase order, each column in rank order."""
        return [card for p in lifecycle.PHASES for card in self.column(p.value)]

    def _remove(self, card: BoardCard) -> None:
        column = self.columns.setdefault(card.phase, [])
        at = bisect_left(column, _order(card), key=_order)
        if at < len(column) and column[at].id == card.id:
            del column[at]
            self._patch_view(card.phase, at, None)
        else:  # not where its rank says (should not happen): find it the slow way
            column[:] = [c for c in column if c.id != card.id]
            self._views.pop(card.phase, None)

    def _insert(self, card: BoardCard) -> None:
        column = self.columns.setdefault(card.phase, [])
        at = bisect_right(column, _order(card), key=_order)
        column.insert(at, card)
        self._patch_view(card.phase, at, card)

    def _patch_view(self, phase: str, at: int, card: BoardCard | None) -> None:
        """The view of *phase* with the card at *at* taken out (*card* None) or *card*
        put in there. A view already handed out is never changed: the lists are copied,
        which at 10,000 cards a column costs a hundredth of making the ids again."""
        view = self._views.get(phase)
        if view is None:
            return
        ids, cards, done = list(view.ids), list(view.cards), view.done
        if card is None:
            done -= cards[at].status == "done"
            del ids[at], cards[at]
        else:
            ids.insert(at, f"c{card.id}")
            cards.insert(at, card)
            done += card.status == "done"
        self._views[phase] = ColumnView(ids, cards, done)

    def apply(self, changes: CardChanges) -> set[str] | None:
        """Patch in *changes*; the phases whose columns changed, or None when the result
        does not add up to the store's card count (the caller then loads afresh)."""
        if len(changes.gone) + len(changes.rows) > PATCHED_VIEWS:
            self._views.clear()  # made again when next shown, once, not copied per card
        touched: set[str] = set()
        for card_id in changes.gone:
            old = self.by_id.pop(card_id, None)
            if old is not None:
                self._remove(old)
                touched.add(old.phase)
        for card in changes.rows:
            old = self.by_id.get(card.id)
            if old is not None:
                if old == card:
                    continue
                self._remove(old)
                touched.add(old.phase)
            self.by_id[card.id] = card
            self._insert(card)
            touched.add(card.phase)
        self.last_event = max(self.last_event, changes.last_event)
        if changes.total is not None and changes.total != len(self.by_id):
            return None
        return touched


@dataclass(frozen=True)
class BoardLoad:
    """A full load: what the board shows plus, in project scope, the card index."""

    data: BoardData
    index: CardIndex | None
    token: int | None = None
    """The database's change token, read just before the cards (see BoardLoading)."""


@dataclass(frozen=True)
class BoardDelta:
    """What changed since the index's last event, with the project's current header data."""

    after: int
    project: Project
    changes: CardChanges | None
    """None: too much changed, load everything."""
    settings: dict[str, ColumnSetting]
    today: date
    token: int | None = None
    """The database's change token, read just before the changes."""


def read_board(store: Store, project_id: int | None) -> BoardLoad:
    """A full load of the board in project scope: project *project_id* (None: the first
    project), its cards indexed and its columns' views made, so the UI thread only
    draws them. Runs in a worker."""
    if project_id is None:
        projects = store.list_projects()
        if not projects:
            return BoardLoad(BoardData(None, [], []), None)
        project_id = projects[0].id
    assert project_id is not None
    today = store.today()
    token = store.db.change_token()  # before the cards: see BoardLoading.reload
    snapshot = store.board_cards(project_id)
    project = store.get_project(project_id)
    data = BoardData(project, [], [], store.column_settings(project_id), today)
    index = CardIndex(project_id, snapshot)
    for phase in lifecycle.PHASES:
        index.view(phase.value)
    return BoardLoad(data, index, token)
