"""Working the risk register: move a risk across the matrix, review it, turn an occurred
risk into a blocked issue card, and read a risk's score history and audit entries."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session

from ecpm_tui import lifecycle, risk
from ecpm_tui.errors import ValidationError
from ecpm_tui.models import AuditEvent, Card, Project, Risk
from ecpm_tui.store.base import created, detach, fetch_rows, reads, select_rows, writes
from ecpm_tui.store.cards import next_rank
from ecpm_tui.store.risks import RiskOps, cadence_review
from ecpm_tui.store.rows import EventRow, ScorePoint

SCORE_FIELDS = ("likelihood", "impact", "residual_likelihood", "residual_impact")


def step(value: int, delta: int) -> int:
    """*value* moved by *delta*, kept on the 1-5 scale."""
    return max(1, min(5, value + delta))


class RiskReviewOps(RiskOps):
    """Operations that work the register week by week."""

    @writes
    def move_risk(
        self,
        s: Session,
        risk_id: int,
        expected_version: int | None,
        d_likelihood: int,
        d_impact: int,
        residual: bool = False,
    ) -> Risk:
        """Move a risk one cell on the matrix (inherent, or residual values); audited.

        The move is validated like an edit: a threat's residual values may not end up
        above its inherent ones, and a risk moved into High or Extreme needs an owner.
        """
        item = self.get(s, Risk, risk_id, "Risk", lock=True)
        self.check_version(s, item, expected_version, f"Risk {item.ref}")
        names = ("residual_likelihood", "residual_impact") if residual else ("likelihood", "impact")
        old_l, old_i = (getattr(item, n) for n in names)
        if old_l is None or old_i is None:
            raise ValidationError(
                f"Risk {item.ref} has no residual values to move: set them in its form (e)."
            )
        new = (step(old_l, d_likelihood), step(old_i, d_impact))
        if new == (old_l, old_i):
            raise ValidationError(f"Risk {item.ref} is already at the edge of the matrix.")
        basis = "residual" if residual else "inherent"
        summary = f"Moved risk {item.ref} ({basis}) L{old_l} x I{old_i} -> L{new[0]} x I{new[1]}"
        return self.apply_risk_change(s, item, dict(zip(names, new, strict=True)), "move", summary)

    @writes
    def review_risk(self, s: Session, risk_id: int, expected_version: int | None) -> Risk:
        """Record a review done today; the next one is due after the level's cadence."""
        item = self.get(s, Risk, risk_id, "Risk", lock=True)
        self.check_version(s, item, expected_version, f"Risk {item.ref}")
        due = cadence_review(item.likelihood, item.impact, self.today())
        old = item.next_review_date
        item.next_review_date = due
        self.touch(item)
        self.audit(
            s,
            "risk",
            item.id,
            item.project_id,
            "review",
            f"Reviewed risk {item.ref}; next review {due.isoformat()}",
            {"next_review_date": [old.isoformat() if old else None, due.isoformat()]},
        )
        detach(s, item)
        return item

    @writes
    def create_issue_card(self, s: Session, risk_id: int) -> Card:
        """Put an occurred risk on the board as a blocked card in the project's phase, linked."""
        item = self.get(s, Risk, risk_id, "Risk", lock=True)
        if item.status != risk.RiskStatus.OCCURRED.value:
            raise ValidationError(f"Risk {item.ref} has not occurred; set its status first.")
        if item.occurred_card_id is not None:
            raise ValidationError(
                f"Risk {item.ref} already has issue card {item.occurred_card_id}."
            )
        project = self.get(s, Project, item.project_id, "Project")
        lvl = risk.level(item.likelihood, item.impact)
        data: dict[str, Any] = {
            "title": f"Issue {item.ref}: {item.title}"[:300],
            "description": item.effect,
            "phase": project.phase,
            "status": lifecycle.CardStatus.BLOCKED.value,
            "kind": lifecycle.CardKind.TASK.value,
            "workstream": item.workstream,
            "assignee": item.owner,
            "priority": "critical" if lvl is risk.Level.EXTREME else "high",
            "blocked_reason": f"Risk {item.ref} occurred. Contingency: {item.contingency or '-'}",
        }
        card = Card(
            project_id=project.id,
            rank=s.exec(next_rank(item.project_id, project.phase)).scalar_one(),
            **data,
            **self.stamp(),
        )
        s.add(card)
        s.flush()
        self.audit(
            s,
            "card",
            card.id,
            item.project_id,
            "create",
            f"Issue card for risk {item.ref}",
            created(data),
        )
        item.occurred_card_id = card.id
        self.touch(item)
        self.audit(
            s,
            "risk",
            item.id,
            item.project_id,
            "issue",
            f"Risk {item.ref} occurred: blocked issue card {card.id} on the board",
            {"occurred_card_id": [None, card.id]},
        )
        detach(s, card)
        return card

    @reads
    def risk_events(self, s: Session, risk_id: int) -> list[EventRow]:
        """A risk's audit entries, newest first."""
        q = (
            select_rows(EventRow, AuditEvent)
            .where(AuditEvent.entity == "risk", AuditEvent.entity_id == risk_id)
            .order_by(AuditEvent.id.desc())
        )
        return fetch_rows(s, EventRow, q)

    @reads
    def risk_history(self, s: Session, risk_id: int) -> list[ScorePoint]:
        """The risk's assessments over time, oldest first, rebuilt from its audit trail.

        Risks added without per-field audit (bulk import, PPTF gaps) start from their
        values at creation as far as the later changes tell them.
        """
        item = self.get(s, Risk, risk_id, "Risk")
        q = (
            select_rows(EventRow, AuditEvent)
            .where(AuditEvent.entity == "risk", AuditEvent.entity_id == risk_id)
            .order_by(AuditEvent.id)
        )
        events = fetch_rows(s, EventRow, q)
        diffs = [(e, parse_changes(e.changes)) for e in events]
        # Walk back from today's values to what the risk was before the first change.
        state: dict[str, Any] = {n: getattr(item, n) for n in SCORE_FIELDS}
        for _event, diff in reversed(diffs):
            for name in SCORE_FIELDS:
                if name in diff:
                    state[name] = diff[name][0]
        points: list[ScorePoint] = []
        if state["likelihood"] is not None and state["impact"] is not None:
            points.append(point(item.created_at, item.created_by, state))
        for event, diff in diffs:
            if not any(name in diff for name in SCORE_FIELDS):
                continue
            for name in SCORE_FIELDS:
                if name in diff:
                    state[name] = diff[name][1]
            if state["likelihood"] is None or state["impact"] is None:
                continue
            points.append(point(event.at, event.user, state))
        return points


def parse_changes(text: str) -> dict[str, list[Any]]:
    """An audit event's ``changes`` JSON as {field: [old, new]} (bad JSON: nothing)."""
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(v, list) and len(v) == 2}


def point(at: datetime, user: str, state: dict[str, Any]) -> ScorePoint:
    """A history point from a {field: value} state of the score fields."""
    return ScorePoint(
        at,
        user,
        int(state["likelihood"]),
        int(state["impact"]),
        state["residual_likelihood"],
        state["residual_impact"],
    )
