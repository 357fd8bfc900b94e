"""Gate decisions as the Projects detail pane shows them: the last one and its conditions.

Split from :mod:`ecpm_tui.store.gates` (which records the decisions) to keep modules small.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from ecpm_tui.models import Card, PhaseTransition
from ecpm_tui.store.base import StoreBase, fetch_rows, reads, select_rows
from ecpm_tui.store.rows import ConditionRow, DecisionRow, TransitionRow


def _conditions(raw: str) -> list[dict[str, object]]:
    """The stored JSON list of conditions (a damaged value reads as none)."""
    try:
        value = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [c for c in value if isinstance(c, dict)] if isinstance(value, list) else []


def _due(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class DecisionOps(StoreBase):
    """Reads of recorded gate decisions."""

    @reads
    def last_decisions(self, s: Session, project_ids: Sequence[int]) -> dict[int, DecisionRow]:
        """The latest phase transition of each of *project_ids* (projects without one are
        left out) with its conditions, each open or done by the status of its card."""
        if not project_ids:
            return {}
        q = select_rows(TransitionRow, PhaseTransition)
        rows = fetch_rows(
            s,
            TransitionRow,
            q.where(PhaseTransition.project_id.in_(list(project_ids))).order_by(PhaseTransition.id),
        )
        last = {row.project_id: row for row in rows}  # ordered by id: the last one wins
        specs = {pid: _conditions(row.conditions) for pid, row in last.items()}
        card_ids = {
            int(c["card_id"])
            for conds in specs.values()
            for c in conds
            if isinstance(c.get("card_id"), int)
        }
        status: dict[int, str] = {}
        if card_ids:
            found = s.execute(select(Card.id, Card.status).where(Card.id.in_(card_ids)))
            status = {cid: st for cid, st in found.all()}
        out: dict[int, DecisionRow] = {}
        for pid, row in last.items():
            conditions = []
            for c in specs[pid]:
                card_id = c.get("card_id")
                card_status = status.get(card_id) if isinstance(card_id, int) else None
                state = (
                    "no card"
                    if card_status is None
                    else ("done" if card_status == "done" else "open")
                )
                conditions.append(
                    ConditionRow(
                        str(c.get("text", "")),
                        str(c.get("owner", "")),
                        _due(c.get("due_date")),
                        card_id if isinstance(card_id, int) else None,
                        state,
                    )
                )
            out[pid] = DecisionRow(row, tuple(conditions))
        return out
