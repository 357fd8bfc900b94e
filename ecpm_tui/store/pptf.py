"""PPTF interviews: start, answer, complete, score, and turn gaps into cards and risks."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlmodel import Session

from ecpm_tui import fields, lifecycle, pptf, risk
from ecpm_tui.errors import ValidationError
from ecpm_tui.models import Answer, Assessment, Card, Project, Risk, utcnow
from ecpm_tui.store.base import (
    StoreBase,
    changes,
    created,
    detach,
    fetch_rows,
    reads,
    select_rows,
    writes,
)
from ecpm_tui.store.cards import next_rank
from ecpm_tui.store.risks import next_risk_ref
from ecpm_tui.store.rows import AssessmentDetail, AssessmentRow, AssessmentSummary

LANGUAGES = ("en", "es")
DEPARTMENT = fields.string(100)
PERSON = fields.string(64)
ANSWER_TEXT = fields.string(fields.LONG, multiline=True)

Scores = dict[pptf.Dimension, float | None]


def answer_values(s: Session, assessment_ids: list[int]) -> dict[int, dict[str, pptf.AnswerValue]]:
    """The answers of several interviews, keyed by interview id and question key."""
    out: dict[int, dict[str, pptf.AnswerValue]] = defaultdict(dict)
    if assessment_ids:
        for aid, key, rating, na, unknown in s.execute(
            select(
                Answer.assessment_id, Answer.question_key, Answer.rating, Answer.na, Answer.unknown
            ).where(Answer.assessment_id.in_(assessment_ids))
        ):
            out[aid][key] = pptf.AnswerValue(rating, na=na, unknown=unknown)
    return out


def readiness_by_project(
    s: Session, bank: pptf.QuestionBank, project_ids: list[int]
) -> dict[int, float]:
    """Overall PPTF score of each project's latest interviews, one per team."""
    latest: dict[tuple[int, str], int] = {}
    for aid, pid, dept in s.execute(
        select(Assessment.id, Assessment.project_id, Assessment.department)
        .where(Assessment.project_id.in_(project_ids))
        .order_by(Assessment.started_at, Assessment.id)
    ):
        latest[(pid, dept.lower())] = aid
    if not latest:
        return {}
    answers = answer_values(s, list(latest.values()))
    scores: dict[int, list[float]] = defaultdict(list)
    for (pid, _dept), aid in latest.items():
        value = pptf.overall_score(bank, answers.get(aid, {}))
        if value is not None:
            scores[pid].append(value)
    return {pid: sum(v) / len(v) for pid, v in scores.items() if v}


class PptfOps(StoreBase):
    """Operations on PPTF interviews and their answers."""

    @writes
    def start_assessment(
        self,
        s: Session,
        project_id: int,
        department: str,
        phase: lifecycle.Phase | str | None = None,
        milestone_card_id: int | None = None,
        interviewer: str | None = None,
        language: str = "en",
    ) -> Assessment:
        """Start a PPTF interview of one team for a phase or a milestone card."""
        errors: dict[str, str] = {}
        dept = DEPARTMENT(department, "department")
        if not dept:
            errors["department"] = "is required (the team interviewed)"
        lang = (language or "en").strip().lower()
        if lang not in LANGUAGES:
            errors["language"] = f"must be {' or '.join(LANGUAGES)}"
        ph: lifecycle.Phase | None = None
        if phase:
            try:
                ph = lifecycle.parse_phase(phase)
            except ValidationError as exc:
                errors.update(exc.errors)
        if ph is None and milestone_card_id is None:
            errors["phase"] = "choose the phase or milestone this interview prepares"
        if errors:
            raise ValidationError.from_fields(errors)
        who = PERSON(interviewer, "interviewer") or self.user
        project = self.get(s, Project, project_id, "Project")
        phase_value = ph.value if ph else None
        if milestone_card_id is not None:
            card = self.get(s, Card, milestone_card_id, "Milestone card")
            if card.project_id != project_id:
                raise ValidationError.from_fields(
                    {"milestone_card_id": "belongs to another project"}
                )
            phase_value = phase_value or card.phase
        a = Assessment(
            project_id=project_id,
            phase=phase_value,
            milestone_card_id=milestone_card_id,
            department=dept,
            interviewer=who,
            language=lang,
            status="in_progress",
            started_at=utcnow(),
            **self.stamp(),
        )
        s.add(a)
        s.flush()
        self.audit(
            s,
            "assessment",
            a.id,
            project_id,
            "start",
            f"Started PPTF interview of {dept} for {project.key}",
            {"department": [None, dept]},
        )
        detach(s, a)
        return a

    @reads
    def list_assessments(self, s: Session, project_id: int | None = None) -> list[AssessmentRow]:
        """Interviews, newest first, as light rows."""
        q = select_rows(AssessmentRow, Assessment).order_by(
            Assessment.started_at.desc(), Assessment.id.desc()
        )
        if project_id is not None:
            q = q.where(Assessment.project_id == project_id)
        return fetch_rows(s, AssessmentRow, q)

    @reads
    def assessment_detail(self, s: Session, assessment_id: int) -> AssessmentDetail:
        """An interview with its project and answers."""
        a = self.get(s, Assessment, assessment_id, "Interview")
        project = self.get(s, Project, a.project_id, "Project")
        answers = {
            x.question_key: x
            for x in s.exec(select(Answer).where(Answer.assessment_id == assessment_id)).scalars()
        }
        return AssessmentDetail(a, project, answers)

    def assessment_summary(self, assessment_id: int) -> AssessmentSummary:
        """Per-dimension scores, overall readiness and gaps of one interview."""
        detail = self.assessment_detail(assessment_id)
        values = detail.values()
        scores = {d: pptf.dimension_score(self.bank, values, d) for d in pptf.Dimension}
        return AssessmentSummary(
            detail, scores, pptf.overall_score(self.bank, values), pptf.gaps(self.bank, values)
        )

    @writes
    def save_answer(
        self,
        s: Session,
        assessment_id: int,
        question_key: str,
        rating: int | None,
        na: bool = False,
        unknown: bool = False,
        note: str = "",
        action: str = "",
    ) -> Answer:
        """Record (or replace) one answer at once, so a closed terminal loses nothing."""
        self.bank.get(question_key)
        pptf.validate_answer(rating, na, unknown)
        new = {
            "rating": rating,
            "na": na,
            "unknown": unknown,
            "note": ANSWER_TEXT(note, "note"),
            "action": ANSWER_TEXT(action, "action"),
        }
        a = self.get(s, Assessment, assessment_id, "Interview")
        dialect = sqlite_dialect if self.db.is_sqlite else pg_dialect
        # Atomic upsert: two people saving the first answer to a question never collide.
        inserted = (
            s.exec(
                dialect.insert(Answer)
                .values(
                    assessment_id=assessment_id,
                    question_key=question_key,
                    version=1,
                    **new,
                    **self.stamp(),
                )
                .on_conflict_do_nothing(index_elements=["assessment_id", "question_key"])
                .returning(Answer.id)
            ).first()
            is not None
        )
        ans = (
            s.exec(
                select(Answer)
                .where(Answer.assessment_id == assessment_id, Answer.question_key == question_key)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            .scalars()
            .one()
        )
        diff = created(new) if inserted else changes(ans, new)
        if diff and not inserted:
            for k, v in new.items():
                setattr(ans, k, v)
            self.touch(ans)
        if diff:
            self.audit(
                s,
                "answer",
                ans.id,
                a.project_id,
                "answer",
                f"PPTF {a.department}: answered {question_key}",
                diff,
            )
        detach(s, ans)
        return ans

    @writes
    def complete_assessment(self, s: Session, assessment_id: int) -> Assessment:
        """Mark an interview completed (at least one answer needed)."""
        a = self.get(s, Assessment, assessment_id, "Interview", lock=True)
        answered = s.exec(
            select(func.count()).select_from(Answer).where(Answer.assessment_id == assessment_id)
        ).scalar_one()
        if not answered:
            raise ValidationError("Answer at least one question before completing the interview.")
        if a.status != "completed":
            a.status = "completed"
            a.completed_at = utcnow()
            self.touch(a)
            self.audit(
                s,
                "assessment",
                a.id,
                a.project_id,
                "complete",
                f"Completed PPTF interview of {a.department}",
                {"status": ["in_progress", "completed"]},
            )
        detach(s, a)
        return a

    def _gap(
        self, s: Session, answer_id: int
    ) -> tuple[Answer, Assessment, pptf.Question, pptf.AnswerValue]:
        ans = self.get(s, Answer, answer_id, "Answer", lock=True)
        a = self.get(s, Assessment, ans.assessment_id, "Interview")
        q = self.bank.get(ans.question_key)
        value = pptf.AnswerValue(ans.rating, na=ans.na, unknown=ans.unknown)
        if not pptf.is_gap(q, value):
            raise ValidationError(f"{q.key} is not a gap (rating above 1 or low weight).")
        return ans, a, q, value

    @writes
    def gap_to_card(self, s: Session, answer_id: int) -> Card:
        """Turn a PPTF gap into an action card in the interview's phase, linked back."""
        ans, a, q, _value = self._gap(s, answer_id)
        if ans.created_card_id is not None:
            raise ValidationError(f"Gap {q.key} already has action card {ans.created_card_id}.")
        phase = a.phase or lifecycle.Phase.INITIATION.value
        dim = q.primary_dimension
        card = Card(
            project_id=a.project_id,
            title=pptf.gap_card_title(q),
            description="\n".join(x for x in (q.text_en, ans.note, ans.action) if x),
            phase=phase,
            rank=s.exec(next_rank(a.project_id, phase)).scalar_one(),
            kind="task",
            workstream=pptf.DIMENSION_WORKSTREAM[dim],
            department=a.department,
            priority="high" if q.weight >= 3 else "medium",
            tags=f"pptf, {dim.value}",
            **self.stamp(),
        )
        s.add(card)
        s.flush()
        ans.created_card_id = card.id
        self.touch(ans)
        self.audit(
            s,
            "card",
            card.id,
            a.project_id,
            "create",
            f"Action card from PPTF gap {q.key} ({a.department})",
            {"title": [None, card.title]},
        )
        detach(s, card)
        return card

    @writes
    def gap_to_risk(self, s: Session, answer_id: int) -> Risk:
        """Turn a PPTF gap into a risk with defaults from the rating and weight, linked back."""
        ans, a, q, value = self._gap(s, answer_id)
        if ans.created_risk_id is not None:
            raise ValidationError(f"Gap {q.key} already has risk {ans.created_risk_id}.")
        category, lk, im = pptf.gap_risk_defaults(q, value)
        dim = q.primary_dimension
        item = Risk(
            project_id=a.project_id,
            ref=next_risk_ref(s, a.project_id),
            title=f"{a.department}: {q.text_en}"[:300],
            cause=ans.note,
            category=category,
            pptf_dimension=dim.value,
            workstream=pptf.DIMENSION_WORKSTREAM[dim],
            likelihood=lk,
            impact=im,
            next_review_date=risk.default_next_review(risk.level(lk, im), self.today()),
            mitigation=ans.action,
            **self.stamp(),
        )
        s.add(item)
        s.flush()
        ans.created_risk_id = item.id
        self.touch(ans)
        self.audit(
            s,
            "risk",
            item.id,
            a.project_id,
            "create",
            f"Risk {item.ref} from PPTF gap {q.key} ({a.department})",
            {"title": [None, item.title]},
        )
        detach(s, item)
        return item

    @reads
    def team_comparison(self, s: Session, project_id: int) -> list[tuple[AssessmentRow, Scores]]:
        """Each interview of a project with its dimension scores (team x dimension, over time)."""
        items = fetch_rows(
            s,
            AssessmentRow,
            select_rows(AssessmentRow, Assessment)
            .where(Assessment.project_id == project_id)
            .order_by(Assessment.department, Assessment.started_at),
        )
        answers = answer_values(s, [i.id for i in items])
        return [
            (i, {d: pptf.dimension_score(self.bank, answers[i.id], d) for d in pptf.Dimension})
            for i in items
        ]
