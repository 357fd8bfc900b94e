"""The hot card writes (move to another column, status change) in Core SQL.

Several people moving cards at once on one SQLite file queue for its write lock, so what
a write does while holding it decides the throughput. These writes run prebuilt Core
statements on a plain connection (no ORM session, nothing to flush or expunge): one
SELECT of the card with its project's state, the target column's WIP limit and the last
audit hash; one ``UPDATE ... RETURNING``; one INSERT of the audit event(s), hash chained
in Python. Validation, audit events and results are those of the ORM versions they
replace (the tests compare them); the returned Card is built after the commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import configure_mappers, make_transient_to_detached

from ecpm_tui import lifecycle
from ecpm_tui.errors import NotFound, ValidationError
from ecpm_tui.models import Card, Project, utcnow
from ecpm_tui.store.base import LAST_HASH, StoreBase, insert_events, jsonable, writes_core
from ecpm_tui.store.prepared import LazyRow, Prepared
from ecpm_tui.store.wip import refuse_read_only, wip_count_query, wip_limit_query, wip_verdict

CARD = Card.__table__
PROJECT = Project.__table__


def next_rank(project_id: Any, phase: Any) -> Any:
    """SELECT of the rank one below the bottom card of a phase column (*project_id* and
    *phase*: values, bound parameters or columns)."""
    return select(func.coalesce(func.max(Card.rank), 0) + 1).where(
        Card.project_id == project_id, Card.phase == phase
    )


# Bound names differ from column names: SQLAlchemy keeps those for the SET clause.
_LIMIT = wip_limit_query(CARD.c.project_id, bindparam("p_target")).scalar_subquery()
_LOAD = (
    select(
        CARD,
        PROJECT.c.key.label("p_key"),
        PROJECT.c.state.label("p_state"),
        _LIMIT.label("p_limit"),
        LAST_HASH.label("p_hash"),
    )
    .join_from(CARD, PROJECT, CARD.c.project_id == PROJECT.c.id)
    .where(CARD.c.id == bindparam("p_id"))
    .with_for_update(of=CARD)
)
_WIP_COUNT = wip_count_query(bindparam("p_project"), bindparam("p_target"))
_NEXT_RANK = (
    next_rank(bindparam("p_project"), bindparam("p_target")).correlate(None).scalar_subquery()
)
_STAMP = {"version": CARD.c.version + 1, "updated_at": bindparam("p_now")}
_MOVE = (
    update(CARD)
    .where(CARD.c.id == bindparam("p_id"))
    .values(
        **_STAMP,
        updated_by=bindparam("p_user"),
        phase=bindparam("p_target"),
        rank=_NEXT_RANK,
        entered_at=bindparam("p_now"),
    )
    .returning(*CARD.c)
)
_STATUS = (
    update(CARD)
    .where(CARD.c.id == bindparam("p_id"))
    .values(
        **_STAMP,
        updated_by=bindparam("p_user"),
        status=bindparam("p_status"),
        blocked_reason="",
    )
    .returning(*CARD.c)
)
# Lazy: under the write lock only the columns the write needs are converted.
LOAD, MOVE, STATUS = (Prepared(q, lazy=True) for q in (_LOAD, _MOVE, _STATUS))
WIP_COUNT = Prepared(_WIP_COUNT)
CARD_FIELDS = tuple(c.name for c in CARD.c)
MANAGER = Card.__mapper__.class_manager
Pick = Callable[[lifecycle.CardStatus], lifecycle.CardStatus]


def card_of(row: Mapping[str, Any]) -> Card:
    """A detached Card holding the card columns of *row*, as the ORM hands back a loaded
    and expunged one (``Card(**row)`` costs 25 times as much: it goes through pydantic)."""
    if not Card.__mapper__.configured:
        # A process that has only run Core statements has not set up the ORM attributes yet.
        configure_mappers()
    values = row.to_dict() if isinstance(row, LazyRow) else row
    card: Card = MANAGER.new_instance()
    card.__dict__.update({name: values[name] for name in CARD_FIELDS})
    make_transient_to_detached(card)
    return card


def one(rows: list[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The only row of an ``UPDATE ... RETURNING`` of a card locked by :func:`_load`."""
    if len(rows) != 1:
        raise AssertionError(f"expected one updated card, got {len(rows)}")
    return rows[0]


def _load(c: Connection, card_id: int, target: str = "") -> Mapping[str, Any]:
    row = LOAD.first(c, {"p_id": card_id, "p_target": target})
    if row is None:
        raise NotFound(f"Card {card_id} does not exist (it may have been deleted).")
    refuse_read_only(row["p_key"], row["p_state"])
    return row


class CardWrites(StoreBase):
    """Moves and status changes of cards."""

    def move_card(self, card_id: int, phase: lifecycle.Phase | str, force: bool = False) -> Card:
        """Move a card to the bottom of another phase column (one atomic UPDATE).

        A full column raises WipLimitReached unless *force* (the override is audited).
        """
        target = lifecycle.parse_phase(phase)
        return card_of(self._move(card_id, target, force))

    @writes_core
    def _move(
        self, c: Connection, card_id: int, target: lifecycle.Phase, force: bool
    ) -> Mapping[str, Any]:
        card = _load(c, card_id, target.value)
        old = card["phase"]
        if old == target.value:
            return card
        project_id, title = card["project_id"], card["title"]
        events = []
        limit = card["p_limit"]
        if limit is not None:
            count = WIP_COUNT.scalar(c, {"p_project": project_id, "p_target": target.value})
            over = wip_verdict(target.value, int(count), limit, force)
            if over:
                events.append(self.wip_override_row(card_id, project_id, title, target.value, over))
        values = {"p_id": card_id, "p_target": target.value, "p_project": project_id}
        row = one(MOVE.rows(c, {**values, "p_now": utcnow(), "p_user": self.user}))
        events.append(
            self.event_row(
                "card",
                card_id,
                project_id,
                "move",
                f"Moved card {title!r} {lifecycle.Phase(old).label} -> {target.label}",
                # The old entry time lets an undo give the card back its age.
                {"phase": [old, target.value], "entered_at": [jsonable(card["entered_at"]), None]},
            )
        )
        insert_events(c, card["p_hash"], events)
        return row

    def wip_override_row(
        self, card_id: int | None, project_id: int, title: str, phase: str, over: str
    ) -> dict[str, Any]:
        """The audit event of a card taken into column *phase* past its WIP limit, after
        confirmation (*over*: the ``"count/limit"`` overridden)."""
        return self.event_row(
            "card",
            card_id,
            project_id,
            "wip_override",
            f"WIP limit overridden in {lifecycle.Phase(phase).label} ({over}) for card {title!r}",
            {"wip": [None, over]},
        )

    def set_card_status(self, card_id: int, status: lifecycle.CardStatus | str) -> Card:
        """Set a card's status (atomic); Blocked goes through :meth:`set_blocked`."""
        new = lifecycle.parse_enum(lifecycle.CardStatus, str(status), "status")
        if new is lifecycle.CardStatus.BLOCKED:
            raise ValidationError.from_fields(
                {"blocked_reason": "is required to block a card (use set_blocked / b)"}
            )
        return card_of(self._change_status(card_id, lambda _old: new))

    def cycle_card_status(self, card_id: int) -> Card:
        """Advance a card to its next status (todo -> doing -> done -> todo).

        Blocked is skipped: it needs a reason, so it is set with ``b`` (:meth:`set_blocked`).
        """

        def pick(old: lifecycle.CardStatus) -> lifecycle.CardStatus:
            new = lifecycle.next_status(old)
            return lifecycle.next_status(new) if new is lifecycle.CardStatus.BLOCKED else new

        return card_of(self._change_status(card_id, pick))

    @writes_core
    def _change_status(self, c: Connection, card_id: int, pick: Pick) -> Mapping[str, Any]:
        card = _load(c, card_id)
        old = lifecycle.CardStatus(card["status"])
        new = pick(old)
        if new == old:
            return card
        diff: dict[str, list[Any]] = {"status": [old.value, new.value]}
        if card["blocked_reason"]:
            diff["blocked_reason"] = [card["blocked_reason"], ""]
        params = {"p_id": card_id, "p_status": new.value, "p_now": utcnow(), "p_user": self.user}
        row = one(STATUS.rows(c, params))
        event = self.event_row(
            "card",
            card_id,
            card["project_id"],
            "status",
            f"Card {card['title']!r}: {old.label} -> {new.label}",
            diff,
        )
        insert_events(c, card["p_hash"], [event])
        return row
