"""Export of whole projects as JSON, with in-file references instead of database ids."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ecpm_tui import __version__, pptf
from ecpm_tui.errors import ValidationError
from ecpm_tui.exchange.schema import (
    ANSWER_FIELDS,
    ASSESSMENT_FIELDS,
    CARD_FIELDS,
    EVENT_FIELDS,
    FORMAT,
    FORMAT_VERSION,
    GATE_FIELDS,
    PROJECT_FIELDS,
    RISK_FIELDS,
    TRANSITION_FIELDS,
)
from ecpm_tui.models import (
    Answer,
    Assessment,
    AuditEvent,
    Card,
    GateCheck,
    PhaseTransition,
    Project,
    Risk,
    utcnow,
)
from ecpm_tui.store import (
    Store,
    jsonable,
)


def _row(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: jsonable(getattr(obj, name)) for name in names}


def export_data(
    store: Store, project_key: str | None = None, include_archived: bool = True
) -> dict[str, Any]:
    """Everything about one project (or all) as a JSON-ready dict."""

    def run(s: Session) -> dict[str, Any]:
        q = select(Project).order_by(Project.key)
        if project_key:
            q = q.where(Project.key == project_key.strip().upper())
        elif not include_archived:
            q = q.where(Project.archived == False)  # noqa: E712
        projects = list(s.execute(q).scalars())
        if project_key and not projects:
            raise ValidationError(f"No project with key {project_key.strip().upper()!r}.")
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": __version__,
            "exported_at": utcnow().isoformat(),
            "projects": [_export_project(s, p, store.bank) for p in projects],
        }

    return store.db.read(run)


def _export_project(s: Session, p: Project, bank: pptf.QuestionBank) -> dict[str, Any]:
    def rows(model: Any, *order: Any) -> list[Any]:
        return list(
            s.execute(select(model).where(model.project_id == p.id).order_by(*order)).scalars()
        )

    cards = rows(Card, Card.phase, Card.rank, Card.id)
    card_n = {c.id: n for n, c in enumerate(cards, 1)}
    risks = rows(Risk, Risk.ref)
    risk_ref = {r.id: r.ref for r in risks}
    assessments = rows(Assessment, Assessment.started_at, Assessment.id)
    assess_n = {a.id: n for n, a in enumerate(assessments, 1)}
    answers: dict[int, list[Answer]] = {a.id: [] for a in assessments}
    if assessments:
        for ans in s.execute(
            select(Answer)
            .where(Answer.assessment_id.in_(list(answers)))
            .order_by(Answer.question_key)
        ).scalars():
            answers[ans.assessment_id].append(ans)
    gate_refs = {}
    gates = rows(GateCheck, GateCheck.phase, GateCheck.position, GateCheck.id)
    for g in gates:
        gate_refs[g.id] = f"{g.phase}/{g.criterion_key}"
    local = {
        "project": {p.id: p.key},
        "card": card_n,
        "risk": risk_ref,
        "assessment": assess_n,
        "gate": gate_refs,
    }
    events = list(
        s.execute(
            select(AuditEvent).where(AuditEvent.project_id == p.id).order_by(AuditEvent.id)
        ).scalars()
    )
    return {
        **_row(p, PROJECT_FIELDS),
        "cards": [{"n": card_n[c.id], **_row(c, CARD_FIELDS)} for c in cards],
        "gate_checks": [_row(g, GATE_FIELDS) for g in gates],
        "transitions": [
            _row(t, TRANSITION_FIELDS) for t in rows(PhaseTransition, PhaseTransition.id)
        ],
        "risks": [
            {
                **_row(r, RISK_FIELDS),
                "occurred_card": card_n.get(r.occurred_card_id) if r.occurred_card_id else None,
            }
            for r in risks
        ],
        "assessments": [
            {
                "n": assess_n[a.id],
                "milestone_card": card_n.get(a.milestone_card_id) if a.milestone_card_id else None,
                **_row(a, ASSESSMENT_FIELDS),
                "answers": [
                    {
                        **_row(x, ANSWER_FIELDS),
                        "created_card": card_n.get(x.created_card_id)
                        if x.created_card_id
                        else None,
                        "created_risk": risk_ref.get(x.created_risk_id)
                        if x.created_risk_id
                        else None,
                    }
                    for x in answers[a.id]
                ],
                # Derived, for readers of the file; an import recomputes them.
                **_interview_scores(bank, answers[a.id]),
            }
            for a in assessments
        ],
        "events": [
            {
                **_row(e, EVENT_FIELDS),
                "entity_ref": local.get(e.entity, {}).get(e.entity_id) if e.entity_id else None,
            }
            for e in events
        ],
    }


def _interview_scores(bank: pptf.QuestionBank, answers: list[Answer]) -> dict[str, Any]:
    values = {x.question_key: pptf.AnswerValue(x.rating, x.na, x.unknown) for x in answers}

    def pct(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "scores": {d.value: pct(pptf.dimension_score(bank, values, d)) for d in pptf.Dimension},
        "overall": pct(pptf.overall_score(bank, values)),
        "gaps": [g.question.key for g in pptf.gaps(bank, values)],
    }


def export_json(store: Store, project_key: str | None = None) -> str:
    """The export as pretty JSON text."""
    return (
        json.dumps(export_data(store, project_key), ensure_ascii=False, indent=2, sort_keys=False)
        + "\n"
    )


# -- import -------------------------------------------------------------------------------
