"""PPTF gaps turned into action cards and risks (each at most once), and team comparison."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session

from ecpm_tui import fields, lifecycle, pptf, risk
from ecpm_tui.errors import ValidationError
from ecpm_tui.models import Answer, Assessment, Card, Risk
from ecpm_tui.store.base import StoreBase, detach, fetch_rows, reads, select_rows, writes
from ecpm_tui.store.cards import next_rank
from ecpm_tui.store.pptf import Scores, answer_values
from ecpm_tui.store.risks import cadence_review, next_risk_ref, validate_risk
from ecpm_tui.store.rows import AssessmentRow


class PptfGapOps(StoreBase):
    """Operations on the gaps of PPTF interviews."""

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
        """Turn a PPTF gap into an action card in the interview's phase, linked back.

        Workstream from the question itself; title in the interview's language."""
        ans, a, q, _value = self._gap(s, answer_id)
        if ans.created_card_id is not None:
            raise ValidationError(f"Gap {q.key} already has action card {ans.created_card_id}.")
        phase = a.phase or lifecycle.Phase.INITIATION.value
        card = Card(
            project_id=a.project_id,
            title=pptf.gap_card_title(q, a.language),
            description="\n".join(x for x in (q.text(a.language), ans.note, ans.action) if x),
            phase=phase,
            rank=s.exec(next_rank(a.project_id, phase)).scalar_one(),
            kind="task",
            workstream=q.card_workstream,
            department=a.department,
            priority="high" if q.weight >= 3 else "medium",
            tags=f"pptf, {q.primary_dimension.value}",
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

    def gap_risk_proposal(
        self, answer: Answer, language: str, team: str, owner: str = ""
    ) -> dict[str, str]:
        """The values the gap -> risk dialog starts from (the user confirms or adjusts).

        The proposed owner is the interviewer: High and Extreme risks need one."""
        q = self.bank.get(answer.question_key)
        value = pptf.AnswerValue(answer.rating, na=answer.na, unknown=answer.unknown)
        category, lk, im = pptf.gap_risk_defaults(q, value)
        return {
            "title": pptf.gap_risk_title(q, team, language),
            "category": category,
            "likelihood": str(lk),
            "impact": str(im),
            "owner": owner,
        }

    def gap_risk_values(
        self, answer: Answer, language: str, team: str, owner: str = ""
    ) -> dict[str, str]:
        """Every risk-form value a gap starts from: the proposal plus what the answer says
        (its note as the cause, its action as the mitigation) and the question's own
        workstream and dimension."""
        q = self.bank.get(answer.question_key)
        return {
            **self.gap_risk_proposal(answer, language, team, owner),
            "kind": risk.RiskKind.THREAT.value,
            "status": risk.RiskStatus.IDENTIFIED.value,
            "cause": answer.note,
            "mitigation": answer.action,
            "workstream": q.card_workstream,
            "pptf_dimension": q.primary_dimension.value,
        }

    @writes
    def gap_to_risk(
        self, s: Session, answer_id: int, values: Mapping[str, str] | None = None
    ) -> Risk:
        """Turn a PPTF gap into a risk, linked back, in one transaction.

        *values* are the risk-form fields the user confirmed or adjusted (any Risk field),
        laid over :meth:`gap_risk_values`; they are validated as any new risk is. A gap's
        risk is a new, open threat or opportunity: closed or occurred is refused."""
        ans, a, q, _value = self._gap(s, answer_id)
        if ans.created_risk_id is not None:
            raise ValidationError(f"Gap {q.key} already has risk {ans.created_risk_id}.")
        start = self.gap_risk_values(ans, a.language, a.department, a.interviewer)
        chosen = fields.coerce(
            fields.RISK, {**start, **(values or {})}, partial=False, today=self.today()
        )
        if not risk.is_open(chosen["status"]):
            raise ValidationError.from_fields(
                {"status": "a risk from a gap starts open (not closed or occurred)"}
            )
        validate_risk(chosen)  # scales, responses, residuals, owners, acceptance
        lk, im = chosen["likelihood"], chosen["impact"]
        if chosen.get("next_review_date") is None:
            chosen["next_review_date"] = cadence_review(lk, im, self.today())
        item = Risk(
            project_id=a.project_id,
            ref=next_risk_ref(s, a.project_id),
            **chosen,
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
            {"title": [None, item.title], "likelihood": [None, lk], "impact": [None, im]},
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
