"""Undo on the board: write the inverse of this user's last change as a new change.

Nothing is rolled back in place: the audit trail says what the last change was (its
``changes`` hold every old value), the inverse is applied in one transaction and
audited as ``undo`` with ``undo_of`` naming the event, so a second ``ctrl+z`` undoes
the change before. If anyone else touched the same item since, the undo is refused:
their work is never silently reverted.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlmodel import Session

from ecpm_tui import fields
from ecpm_tui.errors import ValidationError
from ecpm_tui.models import AuditEvent, Card, GateCheck, utcnow
from ecpm_tui.store.base import StoreBase, jsonable, writes
from ecpm_tui.store.cards import next_rank
from ecpm_tui.store.wip import ensure_writable

UNDOABLE: dict[str, frozenset[str]] = {
    "card": frozenset(
        {"create", "update", "delete", "move", "reorder", "status", "block", "unblock"}
    ),
    "gate": frozenset({"tick", "untick"}),
}
CARD_VALUES = (*fields.CARD, "rank")


def _olds(changes: dict[str, list[Any]], names: tuple[str, ...] | None = None) -> dict[str, Any]:
    return {k: v[0] for k, v in changes.items() if names is None or k in names}


class UndoOps(StoreBase):
    """Undo of this user's board changes."""

    def _undone_ids(self, s: Session, project_id: int) -> set[int]:
        done: set[int] = set()
        for raw in s.exec(
            select(AuditEvent.changes).where(
                AuditEvent.project_id == project_id,
                AuditEvent.user == self.user,
                AuditEvent.action == "undo",
            )
        ).scalars():
            of = json.loads(raw or "{}").get("undo_of")
            if of:
                done.add(int(of[1]))
        return done

    def _last_change(self, s: Session, project_id: int) -> AuditEvent:
        undone = self._undone_ids(s, project_id)
        q = (
            select(AuditEvent)
            .where(
                AuditEvent.project_id == project_id,
                AuditEvent.user == self.user,
                AuditEvent.entity.in_(tuple(UNDOABLE)),
            )
            .order_by(AuditEvent.id.desc())
            .limit(200)
        )
        for event in s.exec(q).scalars():
            if event.action in UNDOABLE[event.entity] and event.id not in undone:
                return event
        raise ValidationError("Nothing of yours to undo on this board.")

    def _refuse_if_changed_by_others(self, s: Session, event: AuditEvent) -> None:
        other = (
            s.exec(
                select(AuditEvent)
                .where(
                    AuditEvent.entity == event.entity,
                    AuditEvent.entity_id == event.entity_id,
                    AuditEvent.id > event.id,
                    AuditEvent.user != self.user,
                )
                .order_by(AuditEvent.id.desc())
                .limit(1)
            )
            .scalars()
            .first()
        )
        if other is not None:
            raise ValidationError(
                f"Cannot undo: {other.user} changed this item since ({other.summary}). "
                "Their change was kept."
            )

    @writes
    def undo_last(self, s: Session, project_id: int) -> str:
        """Undo this user's last board change in a project; returns what was undone."""
        ensure_writable(s, project_id)
        event = self._last_change(s, project_id)
        self._refuse_if_changed_by_others(s, event)
        diff: dict[str, Any] = json.loads(event.changes or "{}")
        entity_id = event.entity_id
        if event.entity == "gate":
            inverse = self._undo_gate(s, event, diff)
        elif event.action == "delete":
            inverse, entity_id = self._undo_delete(s, project_id, event.entity_id, diff)
        else:
            inverse = self._undo_card(s, event, diff)
        self.audit(
            s,
            event.entity,
            entity_id,
            project_id,
            "undo",
            f"Undid: {event.summary}",
            {**inverse, "undo_of": [None, event.id]},
        )
        return event.summary

    def _card(self, s: Session, event: AuditEvent) -> Card:
        assert event.entity_id is not None
        card = s.get(Card, event.entity_id)
        if card is None:
            raise ValidationError("Cannot undo: the card no longer exists.")
        return card

    def _undo_card(self, s: Session, event: AuditEvent, diff: dict[str, Any]) -> dict[str, Any]:
        card = self._card(s, event)
        if event.action == "create":
            s.exec(delete(Card).where(Card.id == card.id))
            return {"title": [card.title, None]}
        if event.action == "reorder":
            mine, _theirs = diff["rank"]
            neighbour = (
                s.exec(
                    select(Card).where(
                        Card.project_id == card.project_id,
                        Card.phase == card.phase,
                        Card.rank == mine,
                    )
                )
                .scalars()
                .first()
            )
            if neighbour is not None:
                neighbour.rank = card.rank
                self.touch(neighbour)
            back = {"rank": [card.rank, mine]}
            card.rank = mine
            self.touch(card)
            return back
        olds = {k: v for k, v in _olds(diff, CARD_VALUES).items() if k != "rank"}
        values = fields.coerce(fields.CARD, olds, partial=True)
        out = {k: [jsonable(getattr(card, k)), jsonable(v)] for k, v in values.items()}
        if "phase" in values and values["phase"] != card.phase:
            card.rank = s.exec(next_rank(card.project_id, values["phase"])).scalar_one()
            old_entry = diff.get("entered_at", [None])[0]
            card.entered_at = datetime.fromisoformat(old_entry) if old_entry else utcnow()
        for k, v in values.items():
            setattr(card, k, v)
        self.touch(card)
        return out

    def _undo_delete(
        self, s: Session, project_id: int, card_id: int | None, diff: dict[str, Any]
    ) -> tuple[dict[str, Any], int | None]:
        olds = {k: v for k, v in _olds(diff, CARD_VALUES).items() if k != "rank"}
        values = fields.coerce(fields.CARD, olds, partial=True)
        if "title" not in values:
            raise ValidationError("Cannot undo: this deletion did not record the card.")
        phase = values.setdefault("phase", "initiation")
        rank = s.exec(next_rank(project_id, phase)).scalar_one()
        # The same id again unless another card took it meanwhile, so the card's history
        # (and an undo of its creation) still refer to it.
        free = card_id is not None and s.get(Card, card_id) is None
        card = Card(
            id=card_id if free else None,
            project_id=project_id,
            rank=rank,
            entered_at=utcnow(),
            **values,
            **self.stamp(),
        )
        s.add(card)
        s.flush()
        return {"title": [None, card.title]}, card.id

    def _undo_gate(self, s: Session, event: AuditEvent, diff: dict[str, Any]) -> dict[str, Any]:
        assert event.entity_id is not None
        check = s.get(GateCheck, event.entity_id)
        if check is None:
            raise ValidationError("Cannot undo: the gate criterion no longer exists.")
        out: dict[str, Any] = {}
        if "done" in diff:
            done = bool(diff["done"][0])
            out["done"] = [check.done, done]
            s.exec(
                update(GateCheck)
                .where(GateCheck.id == check.id)
                .values(
                    done=done,
                    done_by=self.user if done else None,
                    done_at=utcnow() if done else None,
                    version=GateCheck.version + 1,
                    updated_at=utcnow(),
                    updated_by=self.user,
                )
            )
        if "note" in diff:
            out["note"] = [check.note, diff["note"][0]]
            s.exec(update(GateCheck).where(GateCheck.id == check.id).values(note=diff["note"][0]))
        s.expire(check)
        return out
