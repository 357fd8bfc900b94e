"""Phase gates: exit-criteria checklists and the transitions that pass through them."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ecpm_tui import fields, lifecycle
from ecpm_tui.models import GateCheck, PhaseTransition, Project, utcnow
from ecpm_tui.store.base import (
    StoreBase,
    detach,
    fetch_rows,
    reads,
    select_rows,
    writes,
)
from ecpm_tui.store.rows import GateStatus, TransitionRow

NOTE = fields.Spec(fields.string(fields.LONG, multiline=True))
CRITERION = fields.Spec(fields.string(2000), required=True)
REASON = fields.string(2000, multiline=True)


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
        self, s: Session, check_id: int, done: bool, note: str | None = None
    ) -> GateCheck:
        """Tick or untick one gate criterion (optionally with a note)."""
        clean_note = (
            fields.coerce({"note": NOTE}, {"note": note}, partial=True)["note"]
            if note is not None
            else None
        )
        check = self.get(s, GateCheck, check_id, "Gate criterion", lock=True)
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
    ) -> PhaseTransition:
        """Move a project to another phase through its gate and record the decision.

        Forward with unmet criteria needs a reason (go_with_conditions), else GateBlocked.
        """
        target = lifecycle.parse_phase(to_phase)
        why = REASON(reason, "reason") if reason else ""
        project = self.get(s, Project, project_id, "Project", lock=True)
        self.check_version(s, project, expected_version, f"Project {project.key}")
        current = lifecycle.Phase(project.phase)
        unmet: list[str] = []
        if lifecycle.phase_index(target) > lifecycle.phase_index(current):
            unmet = list(
                s.exec(
                    select(GateCheck.text)
                    .where(
                        GateCheck.project_id == project_id,
                        GateCheck.phase == current.value,
                        GateCheck.done == False,  # noqa: E712
                    )
                    .order_by(GateCheck.position, GateCheck.id)
                ).scalars()
            )
        decision = lifecycle.decide_transition(current, target, unmet, why or None)
        project.phase = target.value
        self.touch(project)
        transition = PhaseTransition(
            project_id=project_id,
            from_phase=current.value,
            to_phase=target.value,
            by=self.user,
            at=utcnow(),
            decision=decision.value,
            reason=why,
            unmet_criteria=json.dumps(unmet, ensure_ascii=False),
        )
        s.add(transition)
        s.flush()
        self.audit(
            s,
            "project",
            project_id,
            project_id,
            "transition",
            f"{project.key}: {current.label} -> {target.label} ({decision.value})"
            + (f": {why}" if why else ""),
            {"phase": [current.value, target.value], "decision": [None, decision.value]},
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
