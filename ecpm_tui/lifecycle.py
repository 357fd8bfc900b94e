"""Lifecycle phases, gate criteria, transition decisions and the shared vocabulary enums.

Pure domain code: no I/O, no Textual, no side effects at import time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from ecpm_tui.errors import GateBlocked, ValidationError


class LabelledEnum(StrEnum):
    """A string enum whose members have a human label (default: the value, capitalised)."""

    @property
    def label(self) -> str:
        """Human-readable name of the member."""
        return self.value.replace("_", " ").capitalize()


E = TypeVar("E", bound=StrEnum)


def _label_of(member: StrEnum) -> str:
    label = getattr(member, "label", None)
    return label if isinstance(label, str) else member.value


def label_of(enum_cls: type[StrEnum], value: object) -> str:
    """The human label of a stored enum value (``go_with_conditions`` -> ``Go with
    conditions``); an unknown value is returned as it is."""
    try:
        return _label_of(enum_cls(str(value)))
    except ValueError:
        return str(value)


def _norm(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


def parse_enum(enum_cls: type[E], value: str, field: str) -> E:
    """Member of `enum_cls` whose value or label matches `value` (case-insensitive).

    Raises ValidationError({field: "must be one of: ..."}) otherwise.
    """
    if isinstance(value, enum_cls):
        return value
    wanted = _norm(str(value))
    if wanted:
        for member in enum_cls:
            if wanted in (_norm(member.value), _norm(_label_of(member))):
                return member
    choices = ", ".join(m.value for m in enum_cls)
    raise ValidationError.from_fields({field: f"must be one of: {choices}"})


# -- phases ---------------------------------------------------------------------------------


class Phase(StrEnum):
    """The five lifecycle phases, in order."""

    INITIATION = "initiation"
    PLANNING = "planning"
    EXECUTION = "execution"
    MONITORING = "monitoring"
    CLOSURE = "closure"

    @property
    def label(self) -> str:
        """Display name ("Monitoring & Control" for MONITORING)."""
        return _PHASE_LABELS[self.value]

    @property
    def purpose(self) -> str:
        """What the phase is for."""
        return _PHASE_PURPOSES[self.value]


_PHASE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "initiation": "Initiation",
        "planning": "Planning",
        "execution": "Execution",
        "monitoring": "Monitoring & Control",
        "closure": "Closure",
    }
)

_PHASE_PURPOSES: Mapping[str, str] = MappingProxyType(
    {
        "initiation": "Scope, objectives, initial requirements",
        "planning": "Detailed plan, timelines, resources, risk assessment",
        "execution": "Implement, coordinate tasks, manage the team",
        "monitoring": "Track progress, find issues, adjust",
        "closure": "Finalise deliverables, evaluate, hand over",
    }
)

PHASES: tuple[Phase, ...] = tuple(Phase)


def phase_index(p: Phase) -> int:
    """Position of the phase in the lifecycle (0 = initiation)."""
    return PHASES.index(Phase(p))


def next_phase(p: Phase) -> Phase | None:
    """The phase after `p`, or None after closure."""
    i = phase_index(p)
    return PHASES[i + 1] if i + 1 < len(PHASES) else None


def previous_phase(p: Phase) -> Phase | None:
    """The phase before `p`, or None before initiation."""
    i = phase_index(p)
    return PHASES[i - 1] if i > 0 else None


_PHASE_ALIASES: Mapping[str, Phase] = MappingProxyType(
    {
        "monitoring & control": Phase.MONITORING,
        "monitoring and control": Phase.MONITORING,
        "monitoring & controlling": Phase.MONITORING,
        "monitoring and controlling": Phase.MONITORING,
    }
)


def parse_phase(value: str) -> Phase:
    """Phase from its value or label, case-insensitive; ValidationError({"phase": ...}) else."""
    if isinstance(value, Phase):
        return value
    alias = _PHASE_ALIASES.get(_norm(str(value)))
    if alias is not None:
        return alias
    return parse_enum(Phase, value, "phase")


# -- gates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GateCriterion:
    """One default exit criterion of a phase gate."""

    key: str
    text: str


def _criteria(*items: tuple[str, str]) -> tuple[GateCriterion, ...]:
    return tuple(GateCriterion(key, text) for key, text in items)


DEFAULT_GATE_CRITERIA: Mapping[Phase, tuple[GateCriterion, ...]] = MappingProxyType(
    {
        Phase.INITIATION: _criteria(
            ("charter_agreed", "Charter with scope and SMART objectives agreed"),
            ("sponsor_named", "Sponsor named"),
            ("business_case_approved", "Business case approved"),
            ("stakeholder_register_made", "Stakeholder register made"),
            ("pptf_interviews_done", "PPTF interview done with every internal team involved"),
            ("top_risks_logged", "Initial top risks logged"),
            ("workstreams_listed", "Workstreams and integrations listed"),
        ),
        Phase.PLANNING: _criteria(
            (
                "requirements_signed_off",
                "Requirements signed off, including performance, security and accessibility",
            ),
            (
                "integration_map_made",
                "Integration map made (ERP/OMS/WMS/PIM/CRM/payment provider)",
            ),
            ("schedule_baselined", "Schedule baselined clear of peak-trading freezes"),
            ("raci_defined", "Responsibilities (RACI) defined"),
            ("budget_approved", "Budget with contingency approved"),
            (
                "risk_register_baselined",
                "Risk register baselined; every High/Extreme risk has an owner and a response",
            ),
            ("test_strategy_agreed", "Test strategy agreed"),
            ("migration_plans_made", "Data migration and redirect plans made"),
            ("pci_scope_decided", "PCI scope decided"),
        ),
        Phase.EXECUTION: _criteria(
            ("integration_tests_passed", "Integration tests passed"),
            ("uat_signed_off", "UAT signed off with no open critical defects"),
            ("load_test_passed", "Load test at 2x forecast peak passed"),
            ("security_test_passed", "Security/penetration test passed"),
            (
                "payments_tested",
                "Payments tested end to end (3DS, declines, refunds, webhooks)",
            ),
            ("migration_rehearsed", "Migration rehearsal reconciled"),
            ("tracking_live", "Redirects, analytics and consent live"),
            ("customer_service_trained", "Customer service trained"),
            ("go_no_go_held", "Rollback plan and go/no-go meeting held"),
        ),
        Phase.MONITORING: _criteria(
            (
                "kpis_at_baseline",
                "Stabilisation KPIs back to baseline (conversion, payment authorisation rate, "
                "checkout errors, stock accuracy)",
            ),
            ("defects_burned_down", "Defects burned down"),
            ("risks_reviewed", "Risks reviewed on cadence"),
            ("change_control_used", "Changes go through change control"),
        ),
        Phase.CLOSURE: _criteria(
            ("deliverables_accepted", "Deliverables accepted"),
            ("operations_handover", "Runbooks and support handed to operations"),
            ("benefits_owner_named", "Benefits-tracking owner named"),
            ("open_risks_resolved", "Open risks closed or transferred"),
            ("contracts_closed", "Contracts closed"),
            ("lessons_learned_recorded", "Lessons learned recorded"),
        ),
    }
)


MANDATORY_CRITERIA: frozenset[str] = frozenset(
    {
        "business_case_approved",
        "budget_approved",
        "uat_signed_off",
        "security_test_passed",
        "go_no_go_held",  # the rollback plan
    }
)
"""Default criteria whose gate cannot be passed with conditions while they are unmet."""

DEFAULT_AGE_LIMIT_DAYS: Mapping[Phase, int] = MappingProxyType(
    {
        Phase.INITIATION: 21,
        Phase.PLANNING: 21,
        Phase.EXECUTION: 14,
        Phase.MONITORING: 14,
        Phase.CLOSURE: 14,
    }
)
"""Days a card may sit in a column before the board marks it as ageing."""


class Decision(StrEnum):
    """Outcome recorded for a phase transition or a governance decision."""

    GO = "go"
    GO_WITH_CONDITIONS = "go_with_conditions"
    RECYCLE = "recycle"
    HOLD = "hold"
    RESUME = "resume"
    KILL = "kill"

    @property
    def label(self) -> str:
        """Display name."""
        return "Go with conditions" if self is Decision.GO_WITH_CONDITIONS else self.value.title()


class ProjectState(LabelledEnum):
    """Governance state of a project beside its phase."""

    ACTIVE = "active"
    ON_HOLD = "on_hold"
    KILLED = "killed"
    CLOSED = "closed"

    @property
    def read_only(self) -> bool:
        """Killed and closed projects keep their board as a record: no more card changes."""
        return self in (ProjectState.KILLED, ProjectState.CLOSED)


def decide_transition(
    from_phase: Phase,
    to_phase: Phase,
    unmet: Sequence[str],
    reason: str | None,
    mandatory_unmet: Sequence[str] = (),
) -> Decision:
    """Decide a phase move: GO, GO_WITH_CONDITIONS (unmet + reason) or RECYCLE (backwards).

    ``from_phase == to_phase == CLOSURE`` is passing the Closure gate (closing the
    project). Raises ValidationError for a move to the same phase, a skipped phase or a
    backward move without reason, and GateBlocked for a forward move with unmet criteria
    and no reason, or with any unmet *mandatory* criterion (no reason overrides those).
    """
    src, dst = Phase(from_phase), Phase(to_phase)
    has_reason = bool(reason and reason.strip())
    closing = src == dst == Phase.CLOSURE
    if src == dst and not closing:
        raise ValidationError.from_fields({"phase": f"the project is already in {src.label}"})
    i, j = phase_index(src), phase_index(dst)
    if j < i:
        if not has_reason:
            raise ValidationError.from_fields(
                {"reason": f"is required to move back from {src.label} to {dst.label}"}
            )
        return Decision.RECYCLE
    if j != i + 1 and not closing:
        nxt = next_phase(src)
        assert nxt is not None  # j > i + 1 implies a next phase exists
        raise ValidationError.from_fields(
            {"phase": f"can only move forward one phase at a time (next is {nxt.label})"}
        )
    if mandatory_unmet:
        n = len(mandatory_unmet)
        noun = "criterion is" if n == 1 else "criteria are"
        raise GateBlocked(
            f"{n} mandatory {src.label} gate {noun} unmet; no decision can override "
            "a mandatory criterion.",
            unmet=list(unmet),
            mandatory=list(mandatory_unmet),
        )
    if not unmet:
        return Decision.GO
    if has_reason:
        return Decision.GO_WITH_CONDITIONS
    n = len(unmet)
    noun = "criterion is" if n == 1 else "criteria are"
    raise GateBlocked(
        f"{n} {src.label} gate {noun} unmet; give a reason to proceed with conditions.",
        unmet=list(unmet),
    )


# -- vocabulary -----------------------------------------------------------------------------


class Channel(LabelledEnum):
    """Sales channel of a project."""

    B2C = "b2c"
    B2B = "b2b"
    MARKETPLACE = "marketplace"
    MULTICHANNEL = "multichannel"

    @property
    def label(self) -> str:
        """Display name."""
        return self.value.upper() if self.value in ("b2c", "b2b") else super().label


class Health(LabelledEnum):
    """Project health (RAG)."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class CardStatus(LabelledEnum):
    """Status of a board card."""

    TODO = "todo"
    DOING = "doing"
    BLOCKED = "blocked"
    DONE = "done"

    @property
    def label(self) -> str:
        """Display name."""
        return "To do" if self.value == "todo" else super().label


class CardKind(LabelledEnum):
    """Kind of board card."""

    TASK = "task"
    DELIVERABLE = "deliverable"
    REQUIREMENT = "requirement"
    MILESTONE = "milestone"


class Priority(LabelledEnum):
    """Card priority."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Workstream(LabelledEnum):
    """E-commerce workstreams."""

    WEBSITE = "website"
    MARKETING = "marketing"
    INVENTORY = "inventory"
    PAYMENTS = "payments"
    CUSTOMER_SERVICE = "customer_service"
    INTEGRATION = "integration"
    SECURITY = "security"
    DATA = "data"
    OPERATIONS = "operations"


INTEGRATIONS: tuple[str, ...] = (
    "e-commerce platform",
    "payment gateway",
    "inventory system",
    "CRM",
)

_STATUS_CYCLE: Mapping[CardStatus, CardStatus] = MappingProxyType(
    {
        CardStatus.TODO: CardStatus.DOING,
        CardStatus.DOING: CardStatus.BLOCKED,
        CardStatus.BLOCKED: CardStatus.DONE,
        CardStatus.DONE: CardStatus.TODO,
    }
)


def next_status(s: CardStatus) -> CardStatus:
    """Next status in the cycle todo -> doing -> blocked -> done -> todo."""
    return _STATUS_CYCLE[CardStatus(s)]


# -- project keys ---------------------------------------------------------------------------

PROJECT_KEY_RE = re.compile(r"^[A-Z0-9]{2,10}$")


def validate_project_key(key: str) -> str:
    """Normalised project key (stripped, upper case, 2-10 letters/digits) or ValidationError."""
    out = str(key if key is not None else "").strip().upper()
    if not PROJECT_KEY_RE.fullmatch(out):
        raise ValidationError.from_fields(
            {"key": "must be 2 to 10 letters or digits (A-Z, 0-9), no spaces"}
        )
    return out
