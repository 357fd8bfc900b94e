"""The board's cards, read in the background before the board first opens.

Reading and indexing 50,000 cards takes half a second; done while the first screen sits
on screen, it no longer comes after the key that opens the board. The board takes the
read once, then asks only for what changed since it (as after any load), so a read that
is out of date by then costs a few rows, never a wrong board.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from textual.message import Message

from ecpm_tui.screens.board_state import BoardLoad, read_board

if TYPE_CHECKING:
    from textual.screen import Screen

    from ecpm_tui.app import EcpmApp


class BoardPrefetched(Message):
    """The read a board was waiting for has finished (see :meth:`BoardPrefetch.take`)."""


WAIT: Literal["wait"] = "wait"
"""From :meth:`BoardPrefetch.take`: the read is under way; a message follows."""


class BoardPrefetch:
    """One background read of the board, started once, taken once."""

    def __init__(self) -> None:
        self.state: Literal["idle", "running", "ready", "used"] = "idle"
        self.load: BoardLoad | None = None
        self.waiter: Screen[None] | None = None

    def start(self, app: EcpmApp) -> None:
        """Read the current project's board in a worker, unless a read was already
        started or a board has already asked for one."""
        if self.state != "idle":
            return
        self.state = "running"
        project_id = app.current_project_id

        def read() -> None:
            try:
                load: BoardLoad | None = read_board(app.store, project_id)
            except Exception:  # the board then reads (and reports) itself
                load = None
            app.call_from_thread(self._done, load)

        app.run_worker(read, thread=True, group="board-prefetch", exit_on_error=False)

    def _done(self, load: BoardLoad | None) -> None:
        if self.state != "running":
            return
        self.state = "ready"
        self.load = load
        if self.waiter is not None:
            self.waiter.post_message(BoardPrefetched())
            self.waiter = None

    def take(
        self, board: Screen[None], project_id: int | None
    ) -> BoardLoad | Literal["wait"] | None:
        """The read for *board*, once: :data:`WAIT` while it runs (*board* gets a
        :class:`BoardPrefetched` when it ends), None when there is none for *project_id*
        (None: any project) and the board reads for itself."""
        if self.state == "running":
            self.waiter = board
            return WAIT
        load, self.load = self.load, None
        self.state = "used"
        if load is None or load.index is None:
            return None
        if project_id is not None and load.index.project_id != project_id:
            return None
        return load
