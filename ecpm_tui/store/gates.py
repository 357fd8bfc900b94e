"""Phase gates: exit-criteria checklists and the transitions that pass through them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ecpm_tui import fields, lifecycle
from ecpm_tui.errors import ValidationError
from ecpm_tui.models import Card, GateCheck, PhaseTransition, Project, utcnow
from ecpm_tui.store.base import (
    StoreBase,
    created,
    detach,
    fetch_rows,
    reads,
    select_rows,
    writes,
)
from ecpm_tui.store.cards import next_rank
from ecpm_tui.store.rows import GateStatus, TransitionRow

NOTE = fields.Spec(fields.string(fields.LONG, multiline=True))
CRITERION = fields.Spec(fields.string(2000), required=True)
REASON = fields.string(2000, multiline=True)
APPROVER = fields.string(fields.SHORT)
CONDITION: dict[str, fields.Spec] = {
    "text": fields.Spec(fields.string(1000), required=True),
    "owner": fields.Spec(fields.string(fields.SHORT), required=True),
    "due_date": fields.Spec(fields.date_field, required=True),
}


@dataclass(frozen=True)
class ConditionSpec:
    """One condition of a go-with-conditions decision, as typed (due date may be ``+2w``)."""

    text: str
    owner: str
    due_date: str | date | None


def seed_gates(s: Session, project_id: int, stamp: dict[str, Any]) -> None:
    """Add the default exit criteria of every phase to a new project."""
    for phase in lifecycle.PHASES:
        for pos, crit in enumerate(lifecycle.DEFAULT_GATE_CRITERIA[phase]):
            s.add(
                GateCheck(
                    project_id=project_id,
                    phase=phase.value,
                    criterion_key=crit.key,
                    text=crit.text,
                    position=pos,
                    mandatory=crit.key in lifecycle.MANDATORY_CRITERIA,
                    **stamp,
                )
            )


class GateOps(StoreBase):
    """Operations on gate checklists and phase transitions."""

    @reads
    def gate_checks(
        self, s: Session, project_id: int, phase: lifecycle.Phase | str | None = None
    ) -> GateStatus:
        """The checklist of a project's phase gate (default: its current phase)."""
        project = self.get(s, Project, project_id, "Project")
        ph = lifecycle.parse_phase(phase) if phase else lifecycle.Phase(project.phase)
        checks = list(
            s.exec(
                select(GateCheck)
                .where(GateCheck.project_id == project_id, GateCheck.phase == ph.value)
                .order_by(GateCheck.position, GateCheck.id)
            ).scalars()
        )
        return GateStatus(project, ph, checks)

    @writes
    def set_gate_check(
        self,
        s: Session,
        check_id: int,
        done: bool,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> GateCheck:
        """Tick or untick one gate criterion (optionally with a note).

        Given the ``expected_version`` the user saw, a criterion someone else changed
        since is refused (Conflict) instead of silently overwritten.
        """
        clean_note = (
            fields.coerce({"note": NOTE}, {"note": note}, partial=True)["note"]
            if note is not None
            else None
        )
        check = self.get(s, GateCheck, check_id, "Gate criterion", lock=True)
        self.check_version(s, check, expected_version, "This gate criterion")
        diff: dict[str, list[Any]] = {}
        if check.done != done:
            diff["done"] = [check.done, done]
            check.done = done
            check.done_by = self.user if done else None
            check.done_at = utcnow() if done else None
        if clean_note is not None and clean_note != check.note:
            diff["note"] = [check.note, clean_note]
            check.note = clean_note
        if diff:
            self.touch(check)
            self.audit(
                s,
                "gate",
                check.id,
                check.project_id,
                "tick" if done else "untick",
                f"{'Ticked' if done else 'Unticked'} gate criterion: {check.text}",
                diff,
            )
        detach(s, check)
        return check

    @writes
    def set_gate_mandatory(
        self, s: Session, check_id: int, mandatory: bool, expected_version: int | None = None
    ) -> GateCheck:
        """Mark a gate criterion mandatory (no decision overrides it while unmet) or not."""
        check = self.get(s, GateCheck, check_id, "Gate criterion", lock=True)
        self.check_version(s, check, expected_version, "Gate criterion")
        if check.mandatory != mandatory:
            diff = {"mandatory": [check.mandatory, mandatory]}
            check.mandatory = mandatory
            self.touch(check)
            self.audit(
                s,
                "gate",
                check.id,
                check.project_id,
                "mandatory" if mandatory else "optional",
                f"{'Made mandatory' if mandatory else 'Made optional'}: {check.text}",
                diff,
            )
        detach(s, check)
        return check

    @writes
    def add_gate_criterion(
        self, s: Session, project_id: int, phase: lifecycle.Phase | str, text: str
    ) -> GateCheck:
        """Add a project-specific exit criterion to a phase gate."""
        ph = lifecycle.parse_phase(phase)
        body = fields.coerce({"text": CRITERION}, {"text": text}, partial=False)["text"]
        self.get(s, Project, project_id, "Project")
        keys = list(
            s.exec(
                select(GateCheck.criterion_key).where(
                    GateCheck.project_id == project_id, GateCheck.phase == ph.value
                )
            ).scalars()
        )
        custom = sum(1 for k in keys if k.startswith("custom_"))
        check = GateCheck(
            project_id=project_id,
            phase=ph.value,
            criterion_key=f"custom_{custom + 1}",
            text=body,
            position=len(keys),
            **self.stamp(),
        )
        s.add(check)
        s.flush()
        self.audit(
            s,
            "gate",
            check.id,
            project_id,
            "add",
            f"Added gate criterion: {body}",
            {"text": [None, body]},
        )
        detach(s, check)
        return check

    @writes
    def transition_project(
        self,
        s: Session,
        project_id: int,
        to_phase: lifecycle.Phase | str,
        reason: str | None = None,
        expected_version: int | None = None,
        conditions: Sequence[ConditionSpec] = (),
        approved_by: str | None = None,
    ) -> PhaseTransition:
        """Move a project to another phase through its gate and record the decision.

        Forward with unmet criteria needs a reason and *conditions* (each with an owner
        and a due date; each becomes a card in the new phase): go_with_conditions, else
        GateBlocked. An unmet mandatory criterion is GateBlocked whatever is given.
        ``to_phase`` equal to the current Closure phase passes the Closure gate and closes
        the project. *approved_by* defaults to the project's sponsor.
        """
        target = lifecycle.parse_phase(to_phase)
        why = REASON(reason, "reason") if reason else ""
        approver = APPROVER(approved_by, "approved_by") if approved_by else ""
        project = self.get(s, Project, project_id, "Project", lock=True)
        self.check_version(s, project, expected_version, f"Project {project.key}")
        self._require_active(project)
        current = lifecycle.Phase(project.phase)
        unmet: list[str] = []
        mandatory: list[str] = []
        closing = current == target == lifecycle.Phase.CLOSURE
        if closing or lifecycle.phase_index(target) > lifecycle.phase_index(current):
            for text, required in s.exec(
                select(GateCheck.text, GateCheck.mandatory)
                .where(
                    GateCheck.project_id == project_id,
                    GateCheck.phase == current.value,
                    GateCheck.done == False,  # noqa: E712
                )
                .order_by(GateCheck.position, GateCheck.id)
            ):
                unmet.append(text)
                if required:
                    mandatory.append(text)
        decision = lifecycle.decide_transition(current, target, unmet, why or None, mandatory)
        recorded: list[dict[str, Any]] = []
        if decision is lifecycle.Decision.GO_WITH_CONDITIONS:
            recorded = self._condition_cards(s, project, target, conditions)
        project.phase = target.value
        if closing:
            project.state = lifecycle.ProjectState.CLOSED.value
        self.touch(project)
        transition = self._record(
            s, project, current, target, decision, why, approver or project.sponsor, unmet, recorded
        )
        summary = f"{project.key}: {current.label} -> {target.label} ({decision.label.lower()})"
        if closing:
            summary = (
                f"{project.key}: passed the Closure gate, project closed ({decision.label.lower()})"
            )
        diff: dict[str, list[Any]] = {
            "phase": [current.value, target.value],
            "decision": [None, decision.value],
        }
        if closing:
            diff["state"] = [lifecycle.ProjectState.ACTIVE.value, project.state]
        self.audit(
            s,
            "project",
            project_id,
            project_id,
            "transition",
            summary + (f": {why}" if why else ""),
            diff,
        )
        detach(s, transition)
        return transition

    def _require_active(self, project: Project) -> None:
        state = lifecycle.ProjectState(project.state)
        if state is lifecycle.ProjectState.ON_HOLD:
            raise ValidationError(f"{project.key} is on hold: resume it before a phase move.")
        if state.read_only:
            raise ValidationError(f"{project.key} is {state.label.lower()}: no more decisions.")

    def _condition_cards(
        self,
        s: Session,
        project: Project,
        target: lifecycle.Phase,
        conditions: Sequence[ConditionSpec],
    ) -> list[dict[str, Any]]:
        """Validate the conditions of a go-with-conditions and add a card for each."""
        if not conditions:
            raise ValidationError.from_fields(
                {"conditions": "at least one condition with an owner and a due date is needed"}
            )
        errors: dict[str, str] = {}
        clean_conditions: list[tuple[str, str, date]] = []
        for n, cond in enumerate(conditions, 1):
            try:
                data = fields.coerce(
                    CONDITION,
                    {"text": cond.text, "owner": cond.owner, "due_date": cond.due_date},
                    partial=False,
                    today=self.today(),
                )
            except ValidationError as exc:
                for name, msg in exc.errors.items():
                    errors[f"condition_{n}_{name}"] = msg
                continue
            clean_conditions.append((data["text"], data["owner"], data["due_date"]))
        if errors:
            raise ValidationError.from_fields(errors)
        assert project.id is not None
        recorded: list[dict[str, Any]] = []
        for text, owner, due in clean_conditions:
            rank = s.exec(next_rank(project.id, target.value)).scalar_one()
            values = {
                "title": f"Condition: {text}"[: fields.TITLE],
                "description": f"Condition of the gate into {target.label}.",
                "phase": target.value,
                "kind": lifecycle.CardKind.REQUIREMENT.value,
                "priority": lifecycle.Priority.HIGH.value,
                "assignee": owner[:64],
                "due_date": due,
                "tags": "condition",
            }
            card = Card(
                project_id=project.id, rank=rank, entered_at=utcnow(), **values, **self.stamp()
            )
            s.add(card)
            s.flush()
            self.audit(
                s,
                "card",
                card.id,
                project.id,
                "create",
                f"Created card {card.title!r}",
                created(values),
            )
            recorded.append(
                {"text": text, "owner": owner, "due_date": due.isoformat(), "card_id": card.id}
            )
        return recorded

    def _record(
        self,
        s: Session,
        project: Project,
        current: lifecycle.Phase,
        target: lifecycle.Phase,
        decision: lifecycle.Decision,
        why: str,
        approver: str,
        unmet: Sequence[str] = (),
        conditions: Sequence[dict[str, Any]] = (),
    ) -> PhaseTransition:
        assert project.id is not None
        transition = PhaseTransition(
            project_id=project.id,
            from_phase=current.value,
            to_phase=target.value,
            by=self.user,
            at=utcnow(),
            decision=decision.value,
            reason=why,
            unmet_criteria=json.dumps(list(unmet), ensure_ascii=False),
            approved_by=approver,
            conditions=json.dumps(list(conditions), ensure_ascii=False),
        )
        s.add(transition)
        s.flush()
        return transition

    @writes
    def decide_project(
        self,
        s: Session,
        project_id: int,
        decision: lifecycle.Decision | str,
        reason: str,
        expected_version: int | None = None,
        approved_by: str | None = None,
    ) -> PhaseTransition:
        """Hold (pause), resume or kill (cancel, read-only afterwards) a project.

        Each needs a reason and is recorded like a phase transition, in the same phase.
        """
        what = lifecycle.parse_enum(lifecycle.Decision, str(decision), "decision")
        states = {
            lifecycle.Decision.HOLD: lifecycle.ProjectState.ON_HOLD,
            lifecycle.Decision.RESUME: lifecycle.ProjectState.ACTIVE,
            lifecycle.Decision.KILL: lifecycle.ProjectState.KILLED,
        }
        if what not in states:
            raise ValidationError.from_fields({"decision": "must be one of: hold, resume, kill"})
        why = REASON(reason, "reason")
        if not why:
            raise ValidationError.from_fields({"reason": f"is required to {what.value} a project"})
        approver = APPROVER(approved_by, "approved_by") if approved_by else ""
        project = self.get(s, Project, project_id, "Project", lock=True)
        self.check_version(s, project, expected_version, f"Project {project.key}")
        old = lifecycle.ProjectState(project.state)
        new = states[what]
        if old.read_only:
            raise ValidationError(f"{project.key} is {old.label.lower()}: no more decisions.")
        if old == new or (
            what is lifecycle.Decision.RESUME and old is not lifecycle.ProjectState.ON_HOLD
        ):
            raise ValidationError(f"{project.key} is already {old.label.lower()}.")
        project.state = new.value
        project.state_reason = why
        self.touch(project)
        phase = lifecycle.Phase(project.phase)
        transition = self._record(s, project, phase, phase, what, why, approver or project.sponsor)
        self.audit(
            s,
            "project",
            project_id,
            project_id,
            what.value,
            f"{project.key}: {what.label} ({new.label}): {why}",
            {"state": [old.value, new.value]},
        )
        detach(s, transition)
        return transition

    @reads
    def transitions(self, s: Session, project_id: int) -> list[TransitionRow]:
        """A project's phase history, oldest first."""
        q = select_rows(TransitionRow, PhaseTransition)
        return fetch_rows(
            s,
            TransitionRow,
            q.where(PhaseTransition.project_id == project_id).order_by(PhaseTransition.id),
        )
