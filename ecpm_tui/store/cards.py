"""Cards on the lifecycle board: create, edit, delete, move, reorder, status.

Moves, reorders and status changes are atomic UPDATE statements, so concurrent users
never lose each other's changes; form saves carry the version they were based on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlmodel import Session

from ecpm_tui import fields, lifecycle
from ecpm_tui.errors import ValidationError
from ecpm_tui.models import Answer, Assessment, Card, Project, utcnow
from ecpm_tui.store.base import (
    StoreBase,
    changes,
    created,
    detach,
    fetch_rows,
    jsonable,
    reads,
    select_rows,
    writes,
)
from ecpm_tui.store.rows import CardRow


def next_rank(project_id: int, phase: str) -> Any:
    """SELECT of the rank one below the bottom card of a phase column."""
    return select(func.coalesce(func.max(Card.rank), 0) + 1).where(
        Card.project_id == project_id, Card.phase == phase
    )


class CardOps(StoreBase):
    """Operations on cards."""

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
    def create_card(self, s: Session, project_id: int, values: Mapping[str, Any]) -> Card:
        """Add a card at the bottom of its phase column (default: the project's phase)."""
        data = fields.coerce(fields.CARD, values, partial=False, today=self.today())
        project = self.get(s, Project, project_id, "Project")
        data.setdefault("phase", project.phase)
        rank = s.exec(next_rank(project_id, data["phase"])).scalar_one()
        card = Card(project_id=project_id, rank=rank, **data, **self.stamp())
        s.add(card)
        s.flush()
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
        self, s: Session, card_id: int, expected_version: int | None, values: Mapping[str, Any]
    ) -> Card:
        """Save an edited card; a stale ``expected_version`` raises Conflict."""
        data = fields.coerce(fields.CARD, values, partial=True, today=self.today())
        card = self.get(s, Card, card_id, "Card", lock=True)
        self.check_version(s, card, expected_version, f"Card {card.title!r}")
        diff = changes(card, data)
        if not diff:
            detach(s, card)
            return card
        if "phase" in diff:
            card.rank = s.exec(next_rank(card.project_id, data["phase"])).scalar_one()
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
        s.exec(update(Answer).where(Answer.created_card_id == card_id).values(created_card_id=None))
        s.exec(
            update(Assessment)
            .where(Assessment.milestone_card_id == card_id)
            .values(milestone_card_id=None)
        )
        snapshot = {k: [jsonable(getattr(card, k)), None] for k in ("title", "phase", "status")}
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
    def move_card(self, s: Session, card_id: int, phase: lifecycle.Phase | str) -> Card:
        """Move a card to the bottom of another phase column (one atomic UPDATE)."""
        target = lifecycle.parse_phase(phase)
        card = self.get(s, Card, card_id, "Card", lock=True)
        old = card.phase
        if old == target.value:
            s.expunge(card)
            return card
        moved = self._atomic_update(
            s,
            card_id,
            phase=target.value,
            rank=next_rank(card.project_id, target.value).scalar_subquery(),
        )
        self.audit(
            s,
            "card",
            card_id,
            card.project_id,
            "move",
            f"Moved card {card.title!r} {lifecycle.Phase(old).label} -> {target.label}",
            {"phase": [old, target.value]},
        )
        return moved

    @writes
    def reorder_card(self, s: Session, card_id: int, offset: int) -> Card:
        """Swap a card with its neighbour above (offset -1) or below (+1) in its column."""
        if offset not in (-1, 1):
            raise ValidationError("A card moves one place up or down at a time.")
        card = self.get(s, Card, card_id, "Card", lock=True)
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

    def set_card_status(self, card_id: int, status: lifecycle.CardStatus | str) -> Card:
        """Set a card's status (atomic)."""
        new = lifecycle.parse_enum(lifecycle.CardStatus, str(status), "status")
        return self._change_status(card_id, lambda _old: new)

    def cycle_card_status(self, card_id: int) -> Card:
        """Advance a card to its next status (todo -> doing -> blocked -> done -> todo)."""
        return self._change_status(card_id, lifecycle.next_status)

    @writes
    def _change_status(
        self,
        s: Session,
        card_id: int,
        pick: Callable[[lifecycle.CardStatus], lifecycle.CardStatus],
    ) -> Card:
        card = self.get(s, Card, card_id, "Card", lock=True)
        old = lifecycle.CardStatus(card.status)
        new = pick(old)
        if new == old:
            s.expunge(card)
            return card
        changed = self._atomic_update(s, card_id, status=new.value)
        self.audit(
            s,
            "card",
            card_id,
            card.project_id,
            "status",
            f"Card {card.title!r}: {old.label} -> {new.label}",
            {"status": [old.value, new.value]},
        )
        return changed
