"""Board reads that let a screen patch what it shows instead of reloading every card.

The audit trail is the change log: every card write appends an event with the card's
id in the same transaction, and writers take turns (BEGIN IMMEDIATE on SQLite, the
change-counter row lock on PostgreSQL), so event ids grow in commit order. A board
remembers the newest event id it has seen and later asks only for the cards named by
newer events.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from sys import intern
from typing import Any

from sqlalchemy import String, bindparam, column, func, select, type_coerce
from sqlmodel import Session

from ecpm_tui.models import AuditEvent, Card, Project
from ecpm_tui.store.base import StoreBase, reads
from ecpm_tui.store.prepared import Prepared
from ecpm_tui.store.rows import (
    SUMMARY_CHARS,
    BoardCard,
    BoardDeltaRead,
    CardChanges,
    CardSnapshot,
)
from ecpm_tui.store.wip import read_settings

MAX_CHANGED = 2000
"""Past this many changed cards a full load is as cheap; ``card_changes`` says so."""

SAME_COUNT = frozenset(
    {"move", "status", "wip_override", "reorder", "swap", "block", "unblock", "tick", "update"}
)
"""Card events that never change how many cards a project has (a card never changes
project); after others (create, delete, an undo's) the change read counts them."""


_LAST = Prepared(select(func.max(AuditEvent.id).label("last")))


def _last_event(s: Session) -> int:
    # Read before the rows: on PostgreSQL (READ COMMITTED) a commit in between then
    # shows up again next time, which is harmless, instead of being missed.
    return int(_LAST.scalar(s.connection(), {}) or 0)


def _board_columns() -> list[Any]:
    # BoardCard's fields in order: the description cut in SQL, so a long one never
    # leaves the database for the board.
    c = Card
    return [
        c.id,
        c.project_id,
        c.title,
        func.substr(c.description, 1, SUMMARY_CHARS),
        func.length(c.description) > SUMMARY_CHARS,
        c.phase,
        c.rank,
        c.status,
        c.kind,
        c.workstream,
        c.assignee,
        c.department,
        c.priority,
        # Raw values, parsed below: SQLAlchemy's date parsing was half the cost of a read
        # of 50,000 cards on SQLite (PostgreSQL's driver hands back dates already).
        type_coerce(c.due_date, String),
        c.estimate,
        c.tags,
        c.blocked_reason,
        c.version,
        c.updated_by,
        type_coerce(c.entered_at, String),
    ]


def _board_select() -> Any:
    return select(*_board_columns())


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _utc(value: Any) -> datetime | None:
    # As SQLModel's aware DateTime gives it: UTC, an offset-less value taken as UTC.
    if value is None:
        return None
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.replace(tzinfo=UTC) if when.utcoffset() is None else when.astimezone(UTC)


_SHARED = (5, 7, 8, 9, 10, 11, 12, 15, 16, 18)
"""Fields whose few values repeat over thousands of cards (phase, status, kind, stream,
assignee, department, priority, tags, blocked reason, author): one string each."""


def _packed_columns() -> Any:
    """SQLite: the selected cards packed by the database into one JSON array per field,
    the arrays in one JSON array, read in one step.

    Row by row, the driver lets go of the GIL at every row and waits to get it back while
    the app paints: a 1,000-card read took 0.7 s of wall time instead of 20 ms. Packed by
    field rather than by card, the JSON parses faster and needs no transposing (see
    :func:`_unpack`). Every aggregate sees the rows in the same order.
    """
    return select(func.json_array(*(func.json_group_array(c) for c in _board_columns())))


def _unpack(packed: str | None) -> list[BoardCard]:
    """Board rows from what :func:`_packed_columns` read."""
    return _from_columns(json.loads(packed) if packed else [])


def _from_columns(columns: list[Any]) -> list[BoardCard]:
    """Board rows from their fields' values, one list per field (empty: no rows).

    A field at a time: each distinct value is parsed (or interned) once and the field
    mapped through a dict, in C. Card by card, this cost more than SQLite's whole read.
    """
    if not columns or not columns[0]:
        return []
    columns[4] = list(map(bool, columns[4]))  # "more": 0/1 from the database
    # Each field replaced at once, so its duplicate strings go before the next is made.
    for i, parse in ((13, _day), (19, _utc)):
        parsed = {v: parse(v) for v in set(columns[i])}
        columns[i] = list(map(parsed.__getitem__, columns[i]))
    for i in _SHARED:
        shared = {v: intern(v) if v else v for v in set(columns[i])}
        columns[i] = list(map(shared.__getitem__, columns[i]))
    return list(map(BoardCard._make, zip(*columns, strict=True)))


def _board_rows(s: Session, query: Any) -> list[BoardCard]:
    # .all() fetches in one call; iterating a result fetched row by row (twice the time).
    rows = s.connection().execute(query).all()
    return _from_columns([list(field) for field in zip(*rows, strict=True)])


def _packed_board_rows(s: Session, project_id: int) -> list[BoardCard]:
    q = _packed_columns().where(Card.project_id == project_id)
    cards = _unpack(s.connection().execute(q).scalar())
    cards.sort(key=lambda card: (card.phase, card.rank, card.id))
    return cards


# The delta read runs after every card write of every board open on the project: its
# statements run on SQLite's cursor (see prepared.py), where through the ORM session each
# cost several times what SQLite spent on it.
_NAMED = Prepared(
    select(AuditEvent.entity_id, AuditEvent.action).where(
        AuditEvent.id > bindparam("p_after"),
        AuditEvent.id <= bindparam("p_last"),
        AuditEvent.project_id == bindparam("p_project"),
        AuditEvent.entity == "card",
    )
)
_COUNT = Prepared(
    select(func.count().label("total"))
    .select_from(Card)
    .where(Card.project_id == bindparam("p_project"))
)
# SQLite: the changed cards packed (see _packed_columns), their ids passed as one JSON
# array (any number of them, one statement).
_PACKED_CHANGED = Prepared(
    _packed_columns().where(
        Card.project_id == bindparam("p_project"),
        Card.id.in_(select(column("value")).select_from(func.json_each(bindparam("p_ids")))),
    )
)


def _changes(s: Session, project_id: int, after: int) -> CardChanges | None:
    conn = s.connection()
    project = {"p_project": project_id}
    last = _last_event(s)
    if last <= after:
        return CardChanges(after, [], [], int(_COUNT.scalar(conn, project)))
    events = _NAMED.rows(conn, {"p_after": after, "p_last": last, **project})
    named = {row["entity_id"] for row in events}
    if None in named or len(named) > MAX_CHANGED:
        return None
    ids = sorted(i for i in named if i is not None)
    rows: list[BoardCard] = []
    if conn.dialect.name == "sqlite":
        rows = _unpack(_PACKED_CHANGED.scalar(conn, {"p_ids": json.dumps(ids), **project}))
    else:
        for start in range(0, len(ids), 500):  # bounded IN lists
            chunk = ids[start : start + 500]
            q = _board_select().where(
                Card.id.in_(chunk),
                Card.project_id == project_id,
            )
            rows.extend(_board_rows(s, q))
    found = {r.id for r in rows}
    gone = [i for i in ids if i not in found]
    # Counting a project's cards reads its whole index (4 ms at 50,000 cards, on every
    # move): done when the events may have changed how many there are.
    counted = not all(row["action"] in SAME_COUNT for row in events)
    total = int(_COUNT.scalar(conn, project)) if counted else None
    return CardChanges(last, rows, gone, total)


class BoardOps(StoreBase):
    """Whole-board and since-last-time reads of a project's cards."""

    @reads
    def board_cards(self, s: Session, project_id: int) -> CardSnapshot:
        """A project's cards in board order (phase, rank, id), with the event id they
        are as of (pass it to :meth:`card_changes` later)."""
        last = _last_event(s)
        if self.db.is_sqlite:
            return CardSnapshot(last, _packed_board_rows(s, project_id))
        q = (
            _board_select()
            .where(Card.project_id == project_id)
            .order_by(Card.phase, Card.rank, Card.id)
        )
        return CardSnapshot(last, _board_rows(s, q))

    @reads
    def card_changes(self, s: Session, project_id: int, after: int) -> CardChanges | None:
        """The project's cards changed since audit event *after*; None when so many
        changed (or an event names no card) that loading the board afresh is better."""
        return _changes(s, project_id, after)

    @reads
    def board_delta(self, s: Session, project_id: int, after: int) -> BoardDeltaRead:
        """What a board patching itself after event *after* needs, in one read: the
        project, :meth:`card_changes` and the column settings (three reads cost three
        transactions after every card move)."""
        return BoardDeltaRead(
            self.get(s, Project, project_id, "Project"),
            _changes(s, project_id, after),
            read_settings(s, project_id),
        )

    @reads
    def long_text_matches(
        self, s: Session, project_id: int, words: Sequence[str]
    ) -> frozenset[int]:
        """Ids of the project's cards whose description goes past the board's summary and
        whose title, whole description and department hold every one of *words*
        (lower case; matched as the board's filter matches the cards it holds in full)."""
        q = select(Card.id, Card.title, Card.description, Card.department).where(
            Card.project_id == project_id,
            func.length(Card.description) > SUMMARY_CHARS,
        )
        return frozenset(
            card_id
            for card_id, title, description, department in s.connection().execute(q)
            if all(w in f"{title}\n{description}\n{department}".lower() for w in words)
        )
