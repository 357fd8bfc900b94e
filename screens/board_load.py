"""How the board gets its data: a full load once, then only what changed.

A base of :class:`~ecpm_tui.screens.board.BoardScreen`. The first load (and a change
of project) reads every card into a :class:`CardIndex`; after that a write of this
user, another user's change, a return from another screen or a scope toggle reads
only the cards named by newer audit events and redraws the columns they touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from textual import on, work
from textual.content import Content
from textual.widgets import Static

from ecpm_tui import lifecycle
from ecpm_tui.errors import EcpmError
from ecpm_tui.filters import CardFilter, parse_filter
from ecpm_tui.screens.board_cards import BoardCards
from ecpm_tui.screens.board_prefetch import WAIT, BoardPrefetched
from ecpm_tui.screens.board_render import (
    BoardData,
    BoardItem,
    ColumnHead,
    HeadInfo,
    with_lanes,
)
from ecpm_tui.screens.board_state import BoardDelta, BoardLoad, CardIndex, read_board
from ecpm_tui.text import one_line


class BoardLoading(BoardCards):
    """Loading, patching and drawing the board's columns."""

    query_text: str
    only_mine: bool
    lane: str | None
    follow: str | None
    follow_column: int | None
    index: CardIndex | None
    read_token: int | None
    columns_scope: str
    long_key: tuple[int, tuple[str, ...]] | None
    long_matches: frozenset[int]

    def show_detail(self) -> None:
        """Describe the selected card (defined by the board)."""

    def fetch(self) -> BoardLoad:
        if self.portfolio:
            today = self.store.today()
            return BoardLoad(BoardData(None, [], self.store.project_summaries(), today=today), None)
        return read_board(self.store, self.ecpm.current_project_id)

    def reload(self) -> None:
        """Apply what changed since the last load when the same project's cards are
        loaded (a few rows, a column or two redrawn); load everything otherwise."""
        index = self.index
        pid = self.ecpm.current_project_id
        if not self.portfolio and index is None and self._take_prefetch(pid):
            return
        if self.portfolio or index is None or pid != index.project_id:
            self._load()
        else:
            # Only when the columns show this index's cards (not the portfolio's projects,
            # which a toggle back redraws from the delta's project data).
            seen = self.read_token if self.columns_scope == "cards" else None
            self._load_changes(index.project_id, index.last_event, seen, self.data.today)

    def _take_prefetch(self, project_id: int | None) -> bool:
        """Show the app's background read of the board, the first time the board loads
        (then catch up with what changed since); False when there is none to show."""
        load = self.ecpm.prefetch_board().take(self, project_id)
        if load == WAIT:
            return True  # shown when it arrives (BoardPrefetched)
        if not isinstance(load, BoardLoad):
            return False
        self.show(load)
        self.reload()
        return True

    @on(BoardPrefetched)
    def _prefetched(self, event: BoardPrefetched) -> None:
        event.stop()
        self.reload()

    @work(thread=True, exclusive=True, group="load")
    def _load_changes(
        self, project_id: int, after: int, seen: int | None, seen_today: date | None
    ) -> None:
        try:
            # Nobody committed anything since the last read (coming back to the board, the
            # scope toggled back), and the day is the same: nothing to read or redraw.
            # The token is read before the changes, so a commit in between is read twice
            # at worst, never missed.
            token = self.store.db.change_token()
            today = self.store.today()
            if seen is not None and token == seen and today == seen_today:
                return
            read = self.store.board_delta(project_id, after)
            delta = BoardDelta(after, read.project, read.changes, read.settings, today, token)
        except EcpmError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error", timeout=8)
            return
        self.app.call_from_thread(self.show, delta)

    def current_filter(self) -> CardFilter:
        return parse_filter(self.query_text, self.store.user if self.only_mine else None)

    def text_matches(self, flt: CardFilter) -> frozenset[int]:
        """Ids of the cards with a description longer than the board holds that match
        the filter's words: read by a worker the first time (the columns are drawn again
        when they arrive; until then those cards are left out)."""
        index = self.index
        if not flt.words or index is None:
            return frozenset()
        key = (index.project_id, flt.words)
        if key != self.long_key:
            self.long_key = key
            self.long_matches = frozenset()
            self._load_long_matches(*key)
        return self.long_matches

    @work(thread=True, exclusive=True, group="long-text")
    def _load_long_matches(self, project_id: int, words: tuple[str, ...]) -> None:
        try:
            found = self.store.long_text_matches(project_id, words)
        except EcpmError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error", timeout=8)
            return
        self.app.call_from_thread(self._long_matches_loaded, (project_id, words), found)

    def _long_matches_loaded(self, key: tuple[int, tuple[str, ...]], found: frozenset[int]) -> None:
        if key == self.long_key and found != self.long_matches:
            self.long_matches = found
            self.show_columns(lifecycle.PHASES)

    def show(self, data: BoardData | BoardLoad | BoardDelta) -> None:
        """Show a full load, patch in a delta, or redraw from what is loaded (BoardData:
        after a filter, scope or swimlane change)."""
        if isinstance(data, BoardDelta):
            self.apply_delta(data)
            return
        if isinstance(data, BoardLoad):
            index = data.index
            if (
                index is not None
                and self.index is not None
                and index.project_id == self.index.project_id
                and index.last_event < self.index.last_event
            ):
                return  # an older load finished after a newer delta: keep the newer
            if index is not None or not self.portfolio:
                # The portfolio has no cards: the project's stay loaded for the way back.
                self.index = index
                self.read_token = data.token
            data = data.data
        self.data = data
        self.refresh_bindings()  # card actions depend on scope and data
        if data.project is not None:
            self.ecpm.current_project_id = data.project.id
        self.show_columns(lifecycle.PHASES)

    def apply_delta(self, delta: BoardDelta) -> None:
        """Patch the loaded cards with *delta* and redraw only the columns it touched."""
        index = self.index
        if self.portfolio or index is None or index.project_id != delta.project.id:
            return  # scope or project changed while it was read; a full load follows
        if delta.after != index.last_event:
            # Another delta got here first; this one is stale, or newer: ask again.
            if delta.changes is None or delta.changes.last_event > index.last_event:
                self.reload()
            return
        touched = index.apply(delta.changes) if delta.changes is not None else None
        if delta.changes is not None and any(card.more for card in delta.changes.rows):
            self.long_key = None  # a long description changed: the filter asks again
        if touched is None:
            self.index = None
            self.read_token = None
            self._load()
            return
        self.read_token = delta.token
        old = self.data
        self.data = BoardData(delta.project, [], [], delta.settings, delta.today)
        if (
            self.columns_scope != "cards"
            or old.settings != delta.settings
            or old.today != delta.today
        ):
            touched = {p.value for p in lifecycle.PHASES}
        if old.project is None or old.project.state != delta.project.state:
            self.refresh_bindings()
        self.show_columns([p for p in lifecycle.PHASES if p.value in touched])

    def show_columns(self, phases: Sequence[lifecycle.Phase]) -> None:
        """Redraw the given columns (items and head), the title and the detail line."""
        data = self.data
        flt = self.current_filter()
        long_matches = self.text_matches(flt)
        lists = {col.phase: col for col in self.lists()}
        for phase in phases:
            col = lists[phase]
            ids: Sequence[str] = ()
            items: Sequence[BoardItem] = ()
            total = done = shown = 0
            if self.portfolio:
                projects = [s for s in data.portfolio if s.project.phase == phase.value]
                ids, items = [f"p{s.project.id}" for s in projects], projects
                total = len(items)
            elif self.index is not None:
                view = self.index.view(phase.value)
                total, done = len(view.cards), view.done
                ids, cards = view.ids, view.cards
                if flt.active:
                    kept = [i for i, c in enumerate(cards) if flt.matches(c, long_matches)]
                    ids, cards = [ids[i] for i in kept], [cards[i] for i in kept]
                shown = len(cards)
                items = cards
                if self.lane is not None:
                    grouped = with_lanes(list(zip(ids, cards, strict=True)), self.lane, phase.value)
                    ids, items = [i for i, _ in grouped], [item for _, item in grouped]
                # Card lines show ages against today and the column's age limit (project
                # lines depend on nothing else: their cached card lines stay for the way back).
                col.set_context((data.today, data.settings.get(phase.value)))
            if self.follow is not None and self.follow in ids:
                col.set_lists(ids, items, keep=self.follow)
                self.follow = None
            else:
                col.set_lists(ids, items, keep=col.highlighted_id)
            head = self.query_one(f"#head-{phase.value}", ColumnHead)
            # Heads have a fixed height: set_info repaints without a relayout.
            if self.portfolio:
                head.set_info(HeadInfo(phase, projects=total))
            else:
                setting = data.settings.get(phase.value)
                limit = setting.wip_limit if setting else None
                head.set_info(HeadInfo(phase, shown, total, total - done, done, limit))
        if len(phases) == len(lifecycle.PHASES):
            self.columns_scope = "portfolio" if self.portfolio else "cards"
        if self.follow_column is not None:
            index, self.follow_column = self.follow_column, None
            self.focus_column(index)
        self.show_title()
        self.show_detail()

    def show_title(self) -> None:
        """The line above the columns: project, phase, state, filter, lanes."""
        data = self.data
        title = self.query_one("#board-title", Static)
        if self.portfolio:
            title.update(
                Content(f"Portfolio: {len(data.portfolio)} projects (p: project view)"),
                layout=False,
            )
        elif data.project is None:
            title.update("No projects yet: press 1 and n to create one.", layout=False)
        else:
            p = data.project
            extra = []
            if p.state != lifecycle.ProjectState.ACTIVE.value:
                extra.append(lifecycle.ProjectState(p.state).label.upper())
            # The filter is shown in its box beside the title.
            if self.only_mine:
                extra.append(f"only @{self.store.user}")
            if self.lane:
                extra.append(f"lanes: {self.lane}")
            title.update(
                Content(
                    f"{one_line(p.key)} {one_line(p.name, 60)} | phase "
                    f"{lifecycle.Phase(p.phase).label}"
                    + (" | " + ", ".join(extra) if extra else "")
                ),
                layout=False,
            )
