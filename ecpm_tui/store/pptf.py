"""PPTF interviews: start, list, answer, complete, delete and score (gaps: pptf_gaps)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlmodel import Session

from ecpm_tui import fields, lifecycle, pptf
from ecpm_tui.errors import Conflict, ValidationError
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
from ecpm_tui.store.rows import (
    AssessmentDetail,
    AssessmentRow,
    AssessmentSummary,
    InterviewChoices,
    InterviewListRow,
)

LANGUAGES = pptf.LANGUAGES
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
) -> tuple[dict[int, float], dict[int, int]]:
    """Each project's PPTF readiness and its number of interviews in progress.

    Readiness averages the overall scores of completed interviews only, the latest per
    team and phase (:func:`pptf.readiness_interviews`); interviews in progress are
    counted separately and never averaged in.
    """
    keys: dict[int, list[pptf.InterviewKey]] = defaultdict(list)
    in_progress: dict[int, int] = defaultdict(int)
    for aid, pid, dept, phase, status, done_at in s.execute(
        select(
            Assessment.id,
            Assessment.project_id,
            Assessment.department,
            Assessment.phase,
            Assessment.status,
            Assessment.completed_at,
        ).where(Assessment.project_id.in_(project_ids))
    ):
        keys[pid].append(pptf.InterviewKey(aid, dept, phase, status, done_at))
        if status != "completed":
            in_progress[pid] += 1
    counted = {pid: pptf.readiness_interviews(items) for pid, items in keys.items()}
    answers = answer_values(s, [aid for ids in counted.values() for aid in ids])
    readiness: dict[int, float] = {}
    for pid, ids in counted.items():
        values = [pptf.overall_score(bank, answers.get(aid, {})) for aid in ids]
        scores = [v for v in values if v is not None]
        if scores:
            readiness[pid] = sum(scores) / len(scores)
    return readiness, dict(in_progress)


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
    def list_interviews(self, s: Session, project_id: int | None = None) -> list[InterviewListRow]:
        """Interviews (newest first) with project key, milestone, scores and progress."""
        q = select_rows(AssessmentRow, Assessment).order_by(
            Assessment.started_at.desc(), Assessment.id.desc()
        )
        if project_id is not None:
            q = q.where(Assessment.project_id == project_id)
        items = fetch_rows(s, AssessmentRow, q)
        keys: dict[int, str] = dict(s.execute(select(Project.id, Project.key)).all())
        milestone_ids = [i.milestone_card_id for i in items if i.milestone_card_id]
        titles: dict[int, str] = (
            dict(s.execute(select(Card.id, Card.title).where(Card.id.in_(milestone_ids))).all())
            if milestone_ids
            else {}
        )
        answers = answer_values(s, [i.id for i in items])
        known = set(self.bank.keys())
        total = len(known)
        out: list[InterviewListRow] = []
        for i in items:
            values = answers.get(i.id, {})
            scores = {d: pptf.dimension_score(self.bank, values, d) for d in pptf.Dimension}
            answered = sum(1 for k in values if k in known)
            out.append(
                InterviewListRow(
                    i,
                    keys.get(i.project_id, "?"),
                    titles.get(i.milestone_card_id) if i.milestone_card_id else None,
                    scores,
                    pptf.overall_score(self.bank, values),
                    answered,
                    total,
                )
            )
        return out

    @reads
    def interview_choices(self, s: Session) -> InterviewChoices:
        """What the start-interview form offers: active projects, open milestone cards and
        the teams already interviewed (for completion)."""
        projects = [
            (pid, key, name, phase)
            for pid, key, name, phase in s.execute(
                select(Project.id, Project.key, Project.name, Project.phase)
                .where(Project.archived.is_(False))
                .order_by(Project.key)
            )
        ]
        milestones = [
            (cid, pid, title, phase)
            for cid, pid, title, phase in s.execute(
                select(Card.id, Card.project_id, Card.title, Card.phase)
                .where(Card.kind == "milestone", Card.status != "done")
                .order_by(Card.due_date, Card.id)
            )
        ]
        teams = sorted(
            {t for (t,) in s.execute(select(Assessment.department).distinct()) if t},
            key=str.lower,
        )
        return InterviewChoices(projects, milestones, teams)

    @reads
    def assessment_detail(self, s: Session, assessment_id: int) -> AssessmentDetail:
        """An interview with its project and answers."""
        a = self.get(s, Assessment, assessment_id, "Interview")
        project = self.get(s, Project, a.project_id, "Project")
        answers = {
            x.question_key: x
            for x in s.exec(select(Answer).where(Answer.assessment_id == assessment_id)).scalars()
        }
        card_ids = [x.created_card_id for x in answers.values() if x.created_card_id]
        risk_ids = [x.created_risk_id for x in answers.values() if x.created_risk_id]
        cards: dict[int, str] = (
            dict(s.execute(select(Card.id, Card.title).where(Card.id.in_(card_ids))).all())
            if card_ids
            else {}
        )
        risks: dict[int, str] = (
            dict(s.execute(select(Risk.id, Risk.ref).where(Risk.id.in_(risk_ids))).all())
            if risk_ids
            else {}
        )
        return AssessmentDetail(a, project, answers, cards, risks)

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
        expected_version: int | None = None,
    ) -> Answer:
        """Record (or replace) one answer at once, so a closed terminal loses nothing.

        Given the ``expected_version`` of the answer the user saw (0: no answer yet), an
        answer someone else saved since is refused (Conflict) instead of overwritten.
        """
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
        if not inserted and expected_version is not None:
            if expected_version == 0:
                # The user saw no answer; another person's first answer wins, reloaded.
                s.expunge(ans)
                raise Conflict(
                    f"{question_key} was answered by {ans.updated_by or 'someone'} since you "
                    "opened it; nothing was overwritten.",
                    current=ans,
                )
            self.check_version(s, ans, expected_version, f"The answer to {question_key}")
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
            # Never before the start, even if the clock moved back or the start came
            # from an import written on a machine with a clock ahead of this one.
            a.completed_at = max(utcnow(), _aware(a.started_at))
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

    @writes
    def delete_assessment(
        self, s: Session, assessment_id: int, expected_version: int | None = None
    ) -> None:
        """Delete an interview and its answers (cards and risks made from gaps stay)."""
        a = self.get(s, Assessment, assessment_id, "Interview", lock=True)
        self.check_version(s, a, expected_version, "Interview")
        answered = s.exec(
            select(func.count()).select_from(Answer).where(Answer.assessment_id == assessment_id)
        ).scalar_one()
        s.exec(delete(Answer).where(Answer.assessment_id == assessment_id))
        s.delete(a)
        self.audit(
            s,
            "assessment",
            assessment_id,
            a.project_id,
            "delete",
            f"Deleted PPTF interview of {a.department} ({answered} answers)",
            {"department": [a.department, None], "status": [a.status, None]},
        )


def _aware(when: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
