"""The operations the UI and the CLI call: one user action = one transaction.

Every write records an AuditEvent with the OS user in the same transaction. Results
are light rows (lists), detached model instances (what edit forms need) or small
dataclasses; failures are typed errors (NotFound, Conflict, ValidationError,
GateBlocked, StorageError) fit to show a person. Form saves pass the
``expected_version`` they were based on: a stale one raises Conflict carrying the
current record.

One module per aggregate; :class:`Store` combines them so screens and the CLI have a
single entry point: ``Store(db, user=..., today=...)``.
"""

from __future__ import annotations

from ecpm_tui.store.activity import ActivityOps
from ecpm_tui.store.base import jsonable
from ecpm_tui.store.board import BoardOps
from ecpm_tui.store.bulk import (
    AnswerSpec,
    BulkOps,
    BulkResult,
    EventSpec,
    InterviewSpec,
    ProjectBundle,
    default_gate_checks,
)
from ecpm_tui.store.cards import CardOps
from ecpm_tui.store.decisions import DecisionOps
from ecpm_tui.store.gates import ConditionSpec, GateOps
from ecpm_tui.store.health import HealthOps
from ecpm_tui.store.pptf import PptfOps
from ecpm_tui.store.pptf_gaps import PptfGapOps
from ecpm_tui.store.projects import ProjectOps
from ecpm_tui.store.risk_review import RiskReviewOps
from ecpm_tui.store.risks import RiskOps, validate_risk
from ecpm_tui.store.rows import (
    AssessmentDetail,
    AssessmentRow,
    AssessmentSummary,
    BoardCard,
    BoardDeltaRead,
    CardChanges,
    CardRow,
    CardSnapshot,
    ColumnSetting,
    ConditionRow,
    DecisionRow,
    EventRow,
    GateStatus,
    InterviewChoices,
    InterviewListRow,
    ProjectSummary,
    RiskRow,
    ScorePoint,
    TransitionRow,
)
from ecpm_tui.store.undo import UndoOps
from ecpm_tui.store.wip import WipOps


class Store(
    ProjectOps,
    CardOps,
    BoardOps,
    GateOps,
    DecisionOps,
    RiskReviewOps,
    RiskOps,
    PptfOps,
    PptfGapOps,
    WipOps,
    UndoOps,
    HealthOps,
    ActivityOps,
    BulkOps,
):
    """Every user action on the database, each in one transaction."""


__all__ = [
    "AnswerSpec",
    "AssessmentDetail",
    "AssessmentRow",
    "AssessmentSummary",
    "BoardCard",
    "BoardDeltaRead",
    "BulkResult",
    "CardChanges",
    "CardRow",
    "CardSnapshot",
    "ColumnSetting",
    "ConditionRow",
    "ConditionSpec",
    "DecisionRow",
    "EventRow",
    "EventSpec",
    "GateStatus",
    "InterviewChoices",
    "InterviewListRow",
    "InterviewSpec",
    "ProjectBundle",
    "ProjectSummary",
    "RiskRow",
    "ScorePoint",
    "Store",
    "TransitionRow",
    "default_gate_checks",
    "jsonable",
    "validate_risk",
]
