"""Plain results of store reads: light rows for lists, small dataclasses for views.

List reads select columns into these slotted, frozen dataclasses (no ORM objects, no
session to detach from), which is what keeps a 10,000-card board cheap to load.
Edit forms still get model instances, which carry the ``version`` a save is based on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from ecpm_tui import lifecycle, pptf, risk
from ecpm_tui.health import HealthSuggestion
from ecpm_tui.models import Answer, Assessment, Card, GateCheck, Project


def age_in_days(entered_at: datetime | None, today: date) -> int | None:
    """Whole days since a card entered its current column (None if unknown)."""
    if entered_at is None:
        return None
    return max(0, (today - entered_at.date()).days)


class Aging:
    """What a card row knows of its age (its ``entered_at`` field)."""

    __slots__ = ()
    entered_at: datetime | None

    def age_days(self, today: date) -> int | None:
        """Whole days since the card entered its current column (None if unknown)."""
        return age_in_days(self.entered_at, today)


@dataclass(frozen=True, slots=True)
class CardRow(Aging):
    """One card with every field (reports, charts and exports list these)."""

    id: int
    project_id: int
    title: str
    description: str
    phase: str
    rank: int
    status: str
    kind: str
    workstream: str
    assignee: str
    department: str
    priority: str
    due_date: date | None
    estimate: int | None
    tags: str
    acceptance_criteria: str
    blocked_reason: str
    version: int
    updated_by: str
    entered_at: datetime | None = None

    def values(self) -> dict[str, Any]:
        """The card's fields by name (what an edit form starts from)."""
        return asdict(self)


SUMMARY_CHARS = 240
"""How much of a description the board holds per card (its detail line shows at most
about this much); the rest, and the acceptance criteria, are read when a card is opened."""


class BoardCard(NamedTuple):
    """One card as the board holds it: every field a card line, the detail line, the
    filter and the card keys need, but of the large texts only the start of the
    description (``summary``; ``more`` when it goes on) and no acceptance criteria.

    Thousands of these stay in memory; the editor reads the whole card
    (``Store.get_card``) when it opens. A named tuple: made from a result row in one
    step, 50,000 of them in a tenth of the time a frozen dataclass took.
    """

    id: int
    project_id: int
    title: str
    summary: str
    more: bool
    phase: str
    rank: int
    status: str
    kind: str
    workstream: str
    assignee: str
    department: str
    priority: str
    due_date: date | None
    estimate: int | None
    tags: str
    blocked_reason: str
    version: int
    updated_by: str
    entered_at: datetime | None = None

    def age_days(self, today: date) -> int | None:
        """Whole days since the card entered its current column (None if unknown)."""
        return age_in_days(self.entered_at, today)


@dataclass(frozen=True, slots=True)
class CardChanges:
    """A project's cards changed since an audit event id (for incremental board updates).

    Pass ``last_event`` back as *after* next time. ``rows`` are the current rows of the
    changed cards still in the project; ``gone`` the ids of changed cards that are not.
    ``total`` is how many cards the project holds now, so a caller can check that its
    patched copy adds up (and load everything if it does not); None when only events
    that keep the number of cards (moves, status changes, edits) happened since.
    """

    last_event: int
    rows: list[BoardCard]
    gone: list[int]
    total: int | None


@dataclass(frozen=True, slots=True)
class BoardDeltaRead:
    """A project, its cards changed since an event (None: load them all) and its column
    settings, read in one transaction (``Store.board_delta``)."""

    project: Project
    changes: CardChanges | None
    settings: dict[str, ColumnSetting]


@dataclass(frozen=True, slots=True)
class CardSnapshot:
    """All of a project's cards in board order, with the audit event id they are as of."""

    last_event: int
    rows: list[BoardCard]


@dataclass(frozen=True, slots=True)
class RiskRow:
    """One risk as the register lists it."""

    id: int
    project_id: int
    ref: str
    title: str
    cause: str
    effect: str
    kind: str
    category: str
    pptf_dimension: str
    workstream: str
    owner: str
    status: str
    response: str | None
    likelihood: int
    impact: int
    residual_likelihood: int | None
    residual_impact: int | None
    trigger: str
    mitigation: str
    contingency: str
    next_review_date: date | None
    proximity_date: date | None
    closed_reason: str
    acceptance_justification: str
    accepted_by: str
    occurred_card_id: int | None
    version: int
    updated_by: str

    def values(self) -> dict[str, Any]:
        """The risk's fields by name (what an edit form starts from)."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ScorePoint:
    """A risk's assessment at one moment of its history (from the audit trail)."""

    at: datetime
    user: str
    likelihood: int
    impact: int
    residual_likelihood: int | None
    residual_impact: int | None

    @property
    def level(self) -> risk.Level:
        """The inherent level at that moment."""
        return risk.level(self.likelihood, self.impact)


@dataclass(frozen=True, slots=True)
class AssessmentRow:
    """One PPTF interview as the interview list shows it."""

    id: int
    project_id: int
    phase: str | None
    milestone_card_id: int | None
    department: str
    interviewer: str
    language: str
    status: str
    started_at: datetime
    completed_at: datetime | None
    version: int


@dataclass(frozen=True, slots=True)
class InterviewListRow:
    """One interview as the PPTF list shows it: with its project, scores and progress."""

    assessment: AssessmentRow
    project_key: str
    milestone_title: str | None
    scores: dict[pptf.Dimension, float | None]
    overall: float | None
    answered: int
    total: int


@dataclass(frozen=True)
class InterviewChoices:
    """What the start-interview form offers."""

    projects: list[tuple[int, str, str, str]]
    """(id, key, name, current phase) of each active project."""
    milestones: list[tuple[int, int, str, str]]
    """(card id, project id, title, phase) of each open milestone card."""
    teams: list[str]
    """Teams already interviewed, for completion."""


@dataclass(frozen=True, slots=True)
class TransitionRow:
    """One recorded phase transition."""

    id: int
    project_id: int
    from_phase: str
    to_phase: str
    by: str
    at: datetime
    decision: str
    reason: str
    unmet_criteria: str
    approved_by: str = ""
    conditions: str = ""


@dataclass(frozen=True, slots=True)
class ConditionRow:
    """One condition of a go-with-conditions decision; *state* is ``open``, ``done``
    (its card is done) or ``no card`` (the card was deleted)."""

    text: str
    owner: str
    due_date: date | None
    card_id: int | None
    state: str


@dataclass(frozen=True, slots=True)
class DecisionRow:
    """A project's last gate decision and its conditions."""

    transition: TransitionRow
    conditions: tuple[ConditionRow, ...] = ()


@dataclass(frozen=True, slots=True)
class EventRow:
    """One audit event."""

    id: int
    at: datetime
    user: str
    entity: str
    entity_id: int | None
    project_id: int | None
    action: str
    summary: str
    changes: str


@dataclass(frozen=True)
class ProjectSummary:
    """One row of the Projects table."""

    project: Project
    cards_total: int = 0
    cards_done: int = 0
    extreme_risks: int = 0
    high_risks: int = 0
    readiness: float | None = None
    """Average of completed PPTF interviews only (latest per team and phase)."""
    pptf_in_progress: int = 0
    """Interviews still in progress (shown as such, never averaged in)."""
    next_milestone: Card | None = None
    overdue: int = 0
    overdue_reviews: int = 0
    suggested: HealthSuggestion | None = None

    @property
    def progress(self) -> float | None:
        """Share of cards done, 0-100 (None with no cards)."""
        return None if not self.cards_total else 100.0 * self.cards_done / self.cards_total


@dataclass(frozen=True)
class GateStatus:
    """The gate of a project's current phase."""

    project: Project
    phase: lifecycle.Phase
    checks: list[GateCheck]

    @property
    def unmet(self) -> list[GateCheck]:
        return [c for c in self.checks if not c.done]

    @property
    def mandatory_unmet(self) -> list[GateCheck]:
        """Unmet criteria that no decision can override."""
        return [c for c in self.checks if not c.done and c.mandatory]


@dataclass(frozen=True, slots=True)
class ColumnSetting:
    """WIP limit and aging threshold of one phase column (None: no limit)."""

    phase: str
    wip_limit: int | None
    age_limit_days: int
    version: int | None = None


@dataclass(frozen=True)
class AssessmentDetail:
    """One interview with its answers keyed by question key."""

    assessment: Assessment
    project: Project
    answers: dict[str, Answer]
    card_titles: dict[int, str] = field(default_factory=dict)
    """Titles of the cards made from gaps, by card id."""
    risk_refs: dict[int, str] = field(default_factory=dict)
    """Refs (R-001) of the risks made from gaps, by risk id."""

    def values(self) -> dict[str, pptf.AnswerValue]:
        """Answers in the form the PPTF scoring functions take."""
        return {
            key: pptf.AnswerValue(a.rating, na=a.na, unknown=a.unknown)
            for key, a in self.answers.items()
        }


@dataclass(frozen=True)
class AssessmentSummary:
    """Scores, readiness and gaps of one interview."""

    detail: AssessmentDetail
    scores: dict[pptf.Dimension, float | None]
    overall: float | None
    gaps: list[pptf.Gap] = field(default_factory=list)
