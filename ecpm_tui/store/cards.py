"""Cards on the lifecycle board: create, edit, delete, move, reorder, status.

Moves, reorders and status changes are atomic UPDATE statements, so concurrent users
never lose each other's changes; form saves carry the version they were based on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select, update
from sqlmodel import Session

from ecpm_tui import fields, lifecycle
from ecpm_tui.errors import ValidationError
from ecpm_tui.models import Answer, Assessment, AuditEvent, Card, utcnow
from ecpm_tui.store.base import (
    changes,
    created,
    detach,
    fetch_rows,
    jsonable,
    reads,
    select_rows,
    writes,
)
from ecpm_tui.store.card_writes import CardWrites, next_rank
from ecpm_tui.store.rows import CardRow
from ecpm_tui.store.wip import check_wip, ensure_writable

BLOCKED = lifecycle.CardStatus.BLOCKED.value
REASON = fields.string(fields.LONG, multiline=True)


def check_blocked(status: str, reason: str) -> None:
    """A blocked card needs the reason it is blocked."""
    if status == BLOCKED and not reason:
        raise ValidationError.from_fields(
            {"blocked_reason": "is required when the status is Blocked"}
        )


class CardOps(CardWrites):
    """Operations on cards (moves and status changes: :mod:`card_writes`)."""

    @reads
    def list_cards(self, s: Session, project_id: int) -> list[CardRow]:
        """A project's cards in board order (phase, rank), as light rows."""
        q = (
            select_rows(CardRow, Card)
            .where(Card.project_id == project_id)
            .order_by(Card.phase, Card.rank, Card.id)
        )
        return fetch_rows(s, CardRow, q)

    @reads
    def get_card(self, s: Session, card_id: int) -> Card:
        """One card by id."""
        return self.get(s, Card, card_id, "Card")

    @writes
    def create_card(
        self, s: Session, project_id: int, values: Mapping[str, Any], force: bool = False
    ) -> Card:
        """Add a card at the bottom of its phase column (default: the project's phase).

        A full column raises WipLimitReached unless *force* (the override is audited).
        """
        data = fields.coerce(fields.CARD, values, partial=False, today=self.today())
        if data.get("status") != BLOCKED:
            data["blocked_reason"] = ""
        check_blocked(data.get("status", "todo"), data.get("blocked_reason", ""))
        project = ensure_writable(s, project_id)
        data.setdefault("phase", project.phase)
        over = check_wip(s, project_id, data["phase"], force)
        rank = s.exec(next_rank(project_id, data["phase"])).scalar_one()
        card = Card(project_id=project_id, rank=rank, entered_at=utcnow(), **data, **self.stamp())
        s.add(card)
        s.flush()
        if over:
            self.audit_wip_override(s, card, over)
        self.audit(
            s,
            "card",
            card.id,
            project_id,
            "create",
            f"Created card {card.title!r} in {lifecycle.Phase(card.phase).label}",
            created(data),
        )
        detach(s, card)
        return card

    @writes
    def update_card(
        self,
        s: Session,
        card_id: int,
        expected_version: int | None,
        values: Mapping[str, Any],
        force: bool = False,
    ) -> Card:
        """Save an edited card; a stale ``expected_version`` raises Conflict.

        Leaving the Blocked status clears the blocked reason; a phase change into a full
        column raises WipLimitReached unless *force*.
        """
        data = fields.coerce(fields.CARD, values, partial=True, today=self.today())
        card = self.get(s, Card, card_id, "Card", lock=True)
        self.check_version(s, card, expected_version, f"Card {card.title!r}")
        ensure_writable(s, card.project_id)
        status = data.get("status", card.status)
        if status != BLOCKED:
            data["blocked_reason"] = ""
        check_blocked(status, data.get("blocked_reason", card.blocked_reason))
        diff = changes(card, data)
        if not diff:
            detach(s, card)
            return card
        if "phase" in diff:
            over = check_wip(s, card.project_id, data["phase"], force)
            if over:
                self.audit_wip_override(s, card, over, data["phase"])
            card.rank = s.exec(next_rank(card.project_id, data["phase"])).scalar_one()
            card.entered_at = utcnow()
        for k, v in data.items():
            setattr(card, k, v)
        self.touch(card)
        self.audit(
            s,
            "card",
            card.id,
            card.project_id,
            "update",
            f"Edited card {card.title!r}: {', '.join(diff)}",
            diff,
        )
        detach(s, card)
        return card

    @writes
    def delete_card(self, s: Session, card_id: int, expected_version: int | None) -> None:
        """Delete a card; links from interviews to it are cleared, not broken."""
        card = self.get(s, Card, card_id, "Card", lock=True)
        self.check_version(s, card, expected_version, f"Card {card.title!r}")
        ensure_writable(s, card.project_id)
        s.exec(update(Answer).where(Answer.created_card_id == card_id).values(created_card_id=None))
        s.exec(
            update(Assessment)
            .where(Assessment.milestone_card_id == card_id)
            .values(milestone_card_id=None)
        )
        # Every field, so the deletion can be undone from the audit trail.
        snapshot = {k: [jsonable(getattr(card, k)), None] for k in (*fields.CARD, "rank")}
        self.audit(
            s, "card", card.id, card.project_id, "delete", f"Deleted card {card.title!r}", snapshot
        )
        s.exec(delete(Card).where(Card.id == card_id))

    def _atomic_update(self, s: Session, card_id: int, **values: Any) -> Card:
        s.exec(
            update(Card)
            .where(Card.id == card_id)
            .values(version=Card.version + 1, updated_at=utcnow(), updated_by=self.user, **values)
        )
        card = (
            s.exec(select(Card).where(Card.id == card_id).execution_options(populate_existing=True))
            .scalars()
            .one()
        )
        s.expunge(card)
        return card

    @writes
    def reorder_card(self, s: Session, card_id: int, offset: int) -> Card:
        """Swap a card with its neighbour above (offset -1) or below (+1) in its column."""
        if offset not in (-1, 1):
            raise ValidationError("A card moves one place up or down at a time.")
        card = self.get(s, Card, card_id, "Card", lock=True)
        ensure_writable(s, card.project_id)
        cond = Card.rank < card.rank if offset < 0 else Card.rank > card.rank
        order = Card.rank.desc() if offset < 0 else Card.rank.asc()
        neighbour = (
            s.exec(
                select(Card)
                .where(
                    Card.project_id == card.project_id,
                    Card.phase == card.phase,
                    cond,
                    Card.id != card.id,
                )
                .order_by(order)
                .limit(1)
                .with_for_update()
            )
            .scalars()
            .first()
        )
        if neighbour is None:
            s.expunge(card)
            return card
        mine, theirs = card.rank, neighbour.rank
        s.exec(
            update(Card).where(Card.id == neighbour.id).values(rank=mine, version=Card.version + 1)
        )
        # The neighbour changed too (rank and version): it gets its own event, so its
        # history explains the new version. (Not undoable on its own: undoing the
        # reorder puts both back.)
        self.audit(
            s,
            "card",
            neighbour.id,
            card.project_id,
            "swap",
            f"Card {neighbour.title!r} moved {'down' if offset < 0 else 'up'} "
            f"(swapped with {card.title!r})",
            {"rank": [theirs, mine]},
        )
        moved = self._atomic_update(s, card_id, rank=theirs)
        self.audit(
            s,
            "card",
            card_id,
            card.project_id,
            "reorder",
            f"Moved card {card.title!r} {'up' if offset < 0 else 'down'}",
            {"rank": [mine, theirs]},
        )
        return moved

    @writes
    def set_blocked(self, s: Session, card_id: int, reason: str | None) -> Card:
        """Block a card with a mandatory *reason*, or unblock it (``None``: back to doing)."""
        why = REASON(reason, "blocked_reason") if reason is not None else None
        if why is not None and not why:
            raise ValidationError.from_fields({"blocked_reason": "is required to block a card"})
        card = self.get(s, Card, card_id, "Card", lock=True)
        ensure_writable(s, card.project_id)
        if why is None:
            if card.status != BLOCKED:
                s.expunge(card)
                return card
            new_status, new_reason, verb = lifecycle.CardStatus.DOING.value, "", "Unblocked"
        else:
            new_status, new_reason, verb = BLOCKED, why, "Blocked"
        diff = changes(card, {"status": new_status, "blocked_reason": new_reason})
        changed = self._atomic_update(s, card_id, status=new_status, blocked_reason=new_reason)
        self.audit(
            s,
            "card",
            card_id,
            card.project_id,
            "block" if why is not None else "unblock",
            f"{verb} card {card.title!r}" + (f": {why}" if why else ""),
            diff,
        )
        return changed

    def audit_wip_override(self, s: Session, card: Card, over: str, phase: str = "") -> None:
        """Record that a card went into a column past its WIP limit, after confirmation."""
        row = self.wip_override_row(card.id, card.project_id, card.title, phase or card.phase, over)
        self.append_events(s, [AuditEvent(**row)])
