"""Suggested project health, read from risks, cards and completed PPTF interviews.

The signals are gathered in the caller's transaction, so :meth:`ProjectOps.update_project`
can require a note when a manual health differs from the suggestion it sees.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from ecpm_tui import pptf, risk
from ecpm_tui.health import HealthSignals, HealthSuggestion, suggest_health
from ecpm_tui.models import Assessment, Card, Risk
from ecpm_tui.store.base import StoreBase, reads
from ecpm_tui.store.pptf import answer_values
from ecpm_tui.store.risks import NOT_OPEN


def threat_levels(s: Session, project_id: int) -> tuple[int, int]:
    """Open threats at Extreme and High, by residual values where a response set them."""
    extreme = high = 0
    for lk, im, rlk, rim in s.execute(
        select(Risk.likelihood, Risk.impact, Risk.residual_likelihood, Risk.residual_impact).where(
            Risk.project_id == project_id,
            Risk.kind == risk.RiskKind.THREAT.value,
            Risk.status.not_in(NOT_OPEN),
        )
    ):
        level = risk.level(rlk, rim) if rlk and rim else risk.level(lk, im)
        extreme += level is risk.Level.EXTREME
        high += level is risk.Level.HIGH
    return extreme, high


def overdue_cards(s: Session, project_id: int, today: date) -> tuple[int, int]:
    """Overdue milestones and other overdue cards (not done, due before today)."""
    milestones = others = 0
    for kind, n in s.execute(
        select(Card.kind, func.count())
        .where(Card.project_id == project_id, Card.status != "done", Card.due_date < today)
        .group_by(Card.kind)
    ):
        if kind == "milestone":
            milestones += n
        else:
            others += n
    return milestones, others


def pptf_bands(
    s: Session, bank: pptf.QuestionBank, project_id: int
) -> dict[pptf.Dimension, pptf.Rag]:
    """RAG of each dimension, averaged over the latest completed interview of each team."""
    latest: dict[str, int] = {}
    for aid, dept in s.execute(
        select(Assessment.id, Assessment.department)
        .where(Assessment.project_id == project_id, Assessment.status == "completed")
        .order_by(Assessment.started_at, Assessment.id)
    ):
        latest[dept.lower()] = aid
    answers = answer_values(s, list(latest.values()))
    scores: dict[pptf.Dimension, list[float]] = defaultdict(list)
    for aid in latest.values():
        for dim in pptf.Dimension:
            value = pptf.dimension_score(bank, answers.get(aid, {}), dim)
            if value is not None:
                scores[dim].append(value)
    return {dim: pptf.rag(sum(v) / len(v)) for dim, v in scores.items() if v}


def suggestion_for(
    s: Session, bank: pptf.QuestionBank, project_id: int, today: date
) -> HealthSuggestion:
    """The suggested health of one project, inside the caller's transaction."""
    extreme, high = threat_levels(s, project_id)
    milestones, others = overdue_cards(s, project_id, today)
    bands = pptf_bands(s, bank, project_id)
    return suggest_health(
        HealthSignals(
            extreme_threats=extreme,
            high_threats=high,
            overdue_milestones=milestones,
            overdue_cards=others,
            red_dimensions=tuple(d.label for d, b in bands.items() if b is pptf.Rag.RED),
            amber_dimensions=tuple(d.label for d, b in bands.items() if b is pptf.Rag.AMBER),
        )
    )


class HealthOps(StoreBase):
    """The derived health shown beside the manual one."""

    @reads
    def suggested_health(self, s: Session, project_id: int) -> HealthSuggestion:
        """Red / amber / green from threats, overdue dates and PPTF, with the reasons."""
        return suggestion_for(s, self.bank, project_id, self.today())
