"""SQLModel tables (DESIGN section 3).

Every editable table carries who/when columns and an integer ``version`` used as
SQLAlchemy's ``version_id_col``: an UPDATE based on a stale row matches nothing and
raises, so a save never silently overwrites another user's work.
Enumerated fields are stored as their lowercase string values.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index, Integer, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Current time, timezone-aware UTC (SQLModel stores aware datetimes)."""
    return datetime.now(UTC)


def _version_column() -> Column[int]:
    return Column("version", Integer, nullable=False, default=1)


def _text() -> Any:
    return Field(default="", sa_type=Text)


class Tracked(SQLModel):
    """Columns shared by every editable table."""

    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = Field(default="", max_length=64)


_project_version = _version_column()


class Project(Tracked, table=True):
    """A project in the portfolio."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=10, unique=True, index=True)
    name: str = Field(max_length=200)
    description: str = _text()
    channel: str = Field(default="b2c", max_length=20)
    objectives: str = _text()
    scope: str = _text()
    sponsor: str = Field(default="", max_length=200)
    manager: str = Field(default="", max_length=200)
    phase: str = Field(default="initiation", max_length=20, index=True)
    health: str = Field(default="green", max_length=10)
    start_date: date | None = None
    target_date: date | None = None
    budget: Decimal | None = Field(default=None, sa_type=Numeric(14, 2))
    currency: str = Field(default="EUR", max_length=3)
    archived: bool = Field(default=False, index=True)
    # Governance state beside the phase: active, on_hold, killed (read-only) or closed.
    state: str = Field(default="active", max_length=12)
    state_reason: str = _text()
    # Why the manual health differs from the suggested one (required when it does).
    health_note: str = _text()
    # Atomic per-project counter for risk refs (R-001...), bumped by UPDATE ... RETURNING.
    risk_seq: int = Field(default=0)
    version: int = Field(default=1, sa_column=_project_version)

    __mapper_args__ = {"version_id_col": _project_version}


_card_version = _version_column()


class Card(Tracked, table=True):
    """A work item on the lifecycle board."""

    __table_args__ = (Index("ix_card_column", "project_id", "phase", "rank"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    title: str = Field(max_length=300)
    description: str = _text()
    phase: str = Field(default="initiation", max_length=20)
    rank: int = Field(default=0)
    status: str = Field(default="todo", max_length=10)
    kind: str = Field(default="task", max_length=20)
    workstream: str = Field(default="", max_length=30)
    assignee: str = Field(default="", max_length=64)
    department: str = Field(default="", max_length=100)
    priority: str = Field(default="medium", max_length=10)
    due_date: date | None = None
    estimate: int | None = None
    tags: str = Field(default="", max_length=500)
    acceptance_criteria: str = _text()
    blocked_reason: str = _text()
    # When the card entered its current column (phase): what card aging counts from.
    entered_at: datetime | None = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_card_version)

    __mapper_args__ = {"version_id_col": _card_version}


_gate_version = _version_column()


class GateCheck(Tracked, table=True):
    """One exit criterion of a phase gate for one project."""

    __table_args__ = (UniqueConstraint("project_id", "phase", "criterion_key"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    phase: str = Field(max_length=20)
    criterion_key: str = Field(max_length=60)
    text: str = Field(sa_type=Text)
    position: int = Field(default=0)
    done: bool = Field(default=False)
    done_by: str | None = Field(default=None, max_length=64)
    done_at: datetime | None = None
    note: str = _text()
    # An unmet mandatory criterion blocks the phase move; conditions cannot override it.
    mandatory: bool = Field(default=False)
    version: int = Field(default=1, sa_column=_gate_version)

    __mapper_args__ = {"version_id_col": _gate_version}


class PhaseTransition(SQLModel, table=True):
    """A recorded move of a project between lifecycle phases (append-only)."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    from_phase: str = Field(max_length=20)
    to_phase: str = Field(max_length=20)
    by: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow)
    decision: str = Field(max_length=20)
    reason: str = _text()
    unmet_criteria: str = _text()  # JSON list of criterion texts
    # Who approved the decision (typed; defaults to the sponsor), besides ``by`` who entered it.
    approved_by: str = Field(default="", max_length=200)
    conditions: str = _text()  # JSON list of {"text", "owner", "due_date", "card_id"}


_setting_version = _version_column()


class PhaseSetting(Tracked, table=True):
    """Board settings of one phase column of one project: WIP limit and aging threshold."""

    __table_args__ = (UniqueConstraint("project_id", "phase"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    phase: str = Field(max_length=20)
    wip_limit: int | None = None
    age_limit_days: int | None = None
    version: int = Field(default=1, sa_column=_setting_version)

    __mapper_args__ = {"version_id_col": _setting_version}


_risk_version = _version_column()


class Risk(Tracked, table=True):
    """A threat or opportunity in a project's risk register."""

    __table_args__ = (UniqueConstraint("project_id", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    ref: str = Field(max_length=12)
    title: str = Field(max_length=300)
    cause: str = _text()
    effect: str = _text()
    kind: str = Field(default="threat", max_length=12)
    category: str = Field(default="scope", max_length=20)
    pptf_dimension: str = Field(default="", max_length=12)
    workstream: str = Field(default="", max_length=30)
    owner: str = Field(default="", max_length=64)
    status: str = Field(default="identified", max_length=20)
    response: str | None = Field(default=None, max_length=12)
    likelihood: int = 3
    impact: int = 3
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    trigger: str = _text()
    mitigation: str = _text()
    contingency: str = _text()
    next_review_date: date | None = None
    proximity_date: date | None = None
    closed_reason: str = _text()
    # Accepting a High or Extreme threat is a decision someone owns (revision 0002).
    acceptance_justification: str = _text()
    accepted_by: str = Field(default="", max_length=64)
    # The blocked issue card made when the risk occurred (revision 0002).
    occurred_card_id: int | None = Field(default=None, foreign_key="card.id")
    version: int = Field(default=1, sa_column=_risk_version)

    __mapper_args__ = {"version_id_col": _risk_version}


_assessment_version = _version_column()


class Assessment(Tracked, table=True):
    """One PPTF interview of one team for one project milestone or phase."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    phase: str | None = Field(default=None, max_length=20)
    milestone_card_id: int | None = Field(default=None, foreign_key="card.id")
    department: str = Field(max_length=100)
    interviewer: str = Field(default="", max_length=64)
    language: str = Field(default="en", max_length=5)
    status: str = Field(default="in_progress", max_length=12)
    started_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None
    version: int = Field(default=1, sa_column=_assessment_version)

    __mapper_args__ = {"version_id_col": _assessment_version}


_answer_version = _version_column()


class Answer(Tracked, table=True):
    """The answer to one question of one interview."""

    __table_args__ = (UniqueConstraint("assessment_id", "question_key"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    question_key: str = Field(max_length=20)
    rating: int | None = None
    na: bool = False
    unknown: bool = False
    note: str = _text()
    action: str = _text()
    created_card_id: int | None = Field(default=None, foreign_key="card.id")
    created_risk_id: int | None = Field(default=None, foreign_key="risk.id")
    version: int = Field(default=1, sa_column=_answer_version)

    __mapper_args__ = {"version_id_col": _answer_version}


class AuditEvent(SQLModel, table=True):
    """Append-only record of one change made by one user."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user: str = Field(max_length=64, index=True)
    entity: str = Field(max_length=20)
    entity_id: int | None = None
    project_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=30)
    summary: str = _text()
    changes: str = _text()  # JSON object {field: [old, new]}
    db_role: str = Field(default="", max_length=64)  # PostgreSQL role of the session
    imported_by: str = Field(default="", max_length=64)  # set on events from an import file
    imported_at: datetime | None = None
    hash: str = Field(default="", max_length=64)  # chained to the previous event (audit_chain)


class ChangeCounter(SQLModel, table=True):
    """One row bumped by every write; lets PostgreSQL clients detect changes cheaply."""

    __tablename__ = "ecpm_changes"

    id: int = Field(default=1, primary_key=True)
    seq: int = Field(default=0)


TABLES: tuple[type[SQLModel], ...] = (
    Project,
    Card,
    GateCheck,
    PhaseTransition,
    PhaseSetting,
    Risk,
    Assessment,
    Answer,
    AuditEvent,
)
