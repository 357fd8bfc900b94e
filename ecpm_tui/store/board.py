"""Board reads that let a screen patch what it shows instead of reloading every card.

The audit trail is the change log: every card write appends an event with the card's
id in the same transaction, and writers take turns (BEGIN IMMEDIATE on SQLite, the
change-counter row lock on PostgreSQL), so event ids grow in commit order. A board
remembers the newest event id it has seen and later asks only for the cards named by
newer events.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from ecpm_tui.models import AuditEvent, Card
from ecpm_tui.store.base import StoreBase, fetch_rows, reads, select_rows
from ecpm_tui.store.rows import CardChanges, CardRow, CardSnapshot

MAX_CHANGED = 2000
"""Past this many changed cards a full load is as cheap; ``card_changes`` says so."""


def _last_event(s: Session) -> int:
    # Read before the rows: on PostgreSQL (READ COMMITTED) a commit in between then
    # shows up again next time, which is harmless, instead of being missed.
    return int(s.execute(select(func.max(AuditEvent.id))).scalar() or 0)


class BoardOps(StoreBase):
    """Whole-board and since-last-time reads of a project's cards."""

    @reads
    def board_cards(self, s: Session, project_id: int) -> CardSnapshot:
        """A project's cards in board order (phase, rank, id), with the event id they
        are as of (pass it to :meth:`card_changes` later)."""
        last = _last_event(s)
        q = (
            select_rows(CardRow, Card)
            .where(Card.project_id == project_id)
            .order_by(Card.phase, Card.rank, Card.id)
        )
        return CardSnapshot(last, fetch_rows(s, CardRow, q))

    @reads
    def card_changes(self, s: Session, project_id: int, after: int) -> CardChanges | None:
        """The project's cards changed since audit event *after*; None when so many
        changed (or an event names no card) that loading the board afresh is better."""
        last = _last_event(s)
        if last <= after:
            return CardChanges(after, [], [], self._card_count(s, project_id))
        named = set(
            s.execute(
                select(AuditEvent.entity_id).where(
                    AuditEvent.id > after,
                    AuditEvent.id <= last,
                    AuditEvent.project_id == project_id,
                    AuditEvent.entity == "card",
                )
            ).scalars()
        )
        if None in named or len(named) > MAX_CHANGED:
            return None
        ids = sorted(i for i in named if i is not None)
        rows: list[CardRow] = []
        for start in range(0, len(ids), 500):  # bounded IN lists
            chunk = ids[start : start + 500]
            q = select_rows(CardRow, Card).where(
                Card.id.in_(chunk),
                Card.project_id == project_id,
            )
            rows.extend(fetch_rows(s, CardRow, q))
        found = {r.id for r in rows}
        gone = [i for i in ids if i not in found]
        return CardChanges(last, rows, gone, self._card_count(s, project_id))

    @staticmethod
    def _card_count(s: Session, project_id: int) -> int:
        q = select(func.count()).select_from(Card).where(Card.project_id == project_id)
        return int(s.execute(q).scalar_one())
