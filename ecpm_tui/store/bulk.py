"""Bulk creation of whole projects (import, demo data) in one audited transaction.

Callers build a :class:`ProjectBundle` of unsaved model instances first, outside any
transaction, so the write lock is held only for the inserts. Records inside a bundle
refer to each other by object (an answer's action card, an event's subject), never by
database id; ids are resolved here after the inserts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, SQLModel

from ecpm_tui import lifecycle
from ecpm_tui.errors import ValidationError
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
from ecpm_tui.store.base import StoreBase, writes


@dataclass
class AnswerSpec:
    """An answer and the card or risk made from its gap, if any."""

    answer: Answer
    card: Card | None = None
    risk: Risk | None = None


@dataclass
class InterviewSpec:
    """An interview, the milestone card it prepares (if any) and its answers."""

    assessment: Assessment
    milestone: Card | None = None
    answers: list[AnswerSpec] = field(default_factory=list)


@dataclass
class EventSpec:
    """A historic audit event and the bundle record it is about (if any)."""

    event: AuditEvent
    subject: SQLModel | None = None


@dataclass
class ProjectBundle:
    """A whole project to create: every list may be empty."""

    project: Project
    cards: list[Card] = field(default_factory=list)
    gate_checks: list[GateCheck] = field(default_factory=list)
    transitions: list[PhaseTransition] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    interviews: list[InterviewSpec] = field(default_factory=list)
    events: list[EventSpec] = field(default_factory=list)
    issue_cards: list[tuple[Risk, Card]] = field(default_factory=list)
    """Occurred risks and the issue cards made for them (both in the lists above)."""


@dataclass(frozen=True)
class BulkResult:
    """What a bulk creation added (or would add, on a dry run)."""

    projects: list[str]
    cards: int
    risks: int
    assessments: int
    dry_run: bool


def default_gate_checks(stamp: dict[str, Any]) -> list[GateCheck]:
    """Unsaved gate checks with the default exit criteria of every phase."""
    return [
        GateCheck(
            phase=phase.value,
            criterion_key=crit.key,
            text=crit.text,
            position=pos,
            mandatory=crit.key in lifecycle.MANDATORY_CRITERIA,
            **stamp,
        )
        for phase in lifecycle.PHASES
        for pos, crit in enumerate(lifecycle.DEFAULT_GATE_CRITERIA[phase])
    ]


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def _entity_id(subject: SQLModel | None) -> int | None:
    return getattr(subject, "id", None) if subject is not None else None


class BulkOps(StoreBase):
    """Creation of whole projects at once."""

    def create_bundles(
        self,
        bundles: Sequence[ProjectBundle],
        action: str,
        summary: str,
        dry_run: bool = False,
    ) -> BulkResult:
        """Insert every bundle in one transaction, audited as one *action* event.

        A key already in the database, or twice in *bundles*, changes nothing. A dry run
        does every insert and check, then rolls back.
        """
        keys = [b.project.key for b in bundles]
        doubled = sorted({k for k in keys if keys.count(k) > 1})
        if doubled:
            raise ValidationError(f"The same project key appears twice: {', '.join(doubled)}.")
        result = BulkResult(
            keys,
            sum(len(b.cards) for b in bundles),
            sum(len(b.risks) for b in bundles),
            sum(len(b.interviews) for b in bundles),
            dry_run,
        )
        with contextlib.suppress(_DryRun):
            self._insert_bundles(bundles, action, summary, dry_run)
        return result

    @writes
    def _insert_bundles(
        self,
        s: Session,
        bundles: Sequence[ProjectBundle],
        action: str,
        summary: str,
        dry_run: bool,
    ) -> None:
        keys = [b.project.key for b in bundles]
        taken = sorted(s.execute(select(Project.key).where(Project.key.in_(keys))).scalars())
        if taken:
            raise ValidationError(
                f"project {taken[0]}: a project with this key already exists in the database."
            )
        now = utcnow()
        for bundle in bundles:
            history = _insert_bundle(s, bundle)
            # Events from a file (or made up by the demo) did not happen here: they are
            # kept as history, marked with who brought them in and when.
            for event in history:
                event.imported_by = self.user
                event.imported_at = now
            self.append_events(s, history)
        if dry_run:
            raise _DryRun
        self.audit(s, action, None, None, action, summary)


def _insert_bundle(s: Session, b: ProjectBundle) -> list[AuditEvent]:
    s.add(b.project)
    s.flush()
    pid = b.project.id
    assert pid is not None
    children: list[SQLModel] = [*b.cards, *b.gate_checks, *b.transitions, *b.risks]
    for child in children:
        child.project_id = pid
    s.add_all(children)
    s.flush()
    for item, card in b.issue_cards:
        item.occurred_card_id = card.id
    for spec in b.interviews:
        spec.assessment.project_id = pid
        spec.assessment.milestone_card_id = _entity_id(spec.milestone)
    s.add_all([spec.assessment for spec in b.interviews])
    s.flush()
    for spec in b.interviews:
        assert spec.assessment.id is not None
        for a in spec.answers:
            a.answer.assessment_id = spec.assessment.id
            a.answer.created_card_id = _entity_id(a.card)
            a.answer.created_risk_id = _entity_id(a.risk)
            s.add(a.answer)
    for e in b.events:
        e.event.project_id = pid
        e.event.entity_id = _entity_id(e.subject)
    return [e.event for e in b.events]
