"""Lifecycle phases, gate criteria, transition decisions, vocabulary and key rules."""

from __future__ import annotations

import re

import pytest

from ecpm_tui import lifecycle
from ecpm_tui.errors import GateBlocked, ValidationError
from ecpm_tui.lifecycle import (
    DEFAULT_GATE_CRITERIA,
    PHASES,
    CardKind,
    CardStatus,
    Channel,
    Decision,
    Health,
    Phase,
    Priority,
    Workstream,
    decide_transition,
    next_phase,
    next_status,
    parse_enum,
    parse_phase,
    phase_index,
    previous_phase,
    validate_project_key,
)

# -- phases ---------------------------------------------------------------------------------


def test_phases_in_order_with_labels_and_purposes() -> None:
    assert [p.value for p in PHASES] == [
        "initiation",
        "planning",
        "execution",
        "monitoring",
        "closure",
    ]
    assert [p.label for p in PHASES] == [
        "Initiation",
        "Planning",
        "Execution",
        "Monitoring & Control",
        "Closure",
    ]
    assert Phase.INITIATION.purpose == "Scope, objectives, initial requirements"
    assert Phase.PLANNING.purpose == "Detailed plan, timelines, resources, risk assessment"
    assert Phase.EXECUTION.purpose == "Implement, coordinate tasks, manage the team"
    assert Phase.MONITORING.purpose == "Track progress, find issues, adjust"
    assert Phase.CLOSURE.purpose == "Finalise deliverables, evaluate, hand over"


def test_phase_navigation() -> None:
    assert [phase_index(p) for p in PHASES] == [0, 1, 2, 3, 4]
    assert next_phase(Phase.INITIATION) is Phase.PLANNING
    assert next_phase(Phase.MONITORING) is Phase.CLOSURE
    assert next_phase(Phase.CLOSURE) is None
    assert previous_phase(Phase.INITIATION) is None
    assert previous_phase(Phase.PLANNING) is Phase.INITIATION
    assert previous_phase(Phase.CLOSURE) is Phase.MONITORING


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("initiation", Phase.INITIATION),
        ("PLANNING", Phase.PLANNING),
        ("  Execution ", Phase.EXECUTION),
        ("monitoring", Phase.MONITORING),
        ("Monitoring & Control", Phase.MONITORING),
        ("monitoring & control", Phase.MONITORING),
        ("Monitoring and Control", Phase.MONITORING),
        ("closure", Phase.CLOSURE),
    ],
)
def test_parse_phase_accepts_values_and_labels(text: str, expected: Phase) -> None:
    assert parse_phase(text) is expected


@pytest.mark.parametrize("text", ["", "   ", "init", "closing", "phase 2", "monitoring & ctrl"])
def test_parse_phase_rejects_unknown(text: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_phase(text)
    assert set(exc.value.errors) == {"phase"}
    assert "initiation" in exc.value.errors["phase"]


# -- gate criteria --------------------------------------------------------------------------


def test_gate_criteria_counts_per_phase() -> None:
    # One criterion per semicolon item of DESIGN 4.1.
    counts = {p: len(DEFAULT_GATE_CRITERIA[p]) for p in PHASES}
    assert counts == {
        Phase.INITIATION: 7,
        Phase.PLANNING: 9,
        Phase.EXECUTION: 9,
        Phase.MONITORING: 4,
        Phase.CLOSURE: 6,
    }


def test_gate_criteria_keys_are_stable_snake_case_and_unique() -> None:
    assert set(DEFAULT_GATE_CRITERIA) == set(PHASES)
    for phase in PHASES:
        keys = [c.key for c in DEFAULT_GATE_CRITERIA[phase]]
        assert len(keys) == len(set(keys)), phase
        for c in DEFAULT_GATE_CRITERIA[phase]:
            assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", c.key), c.key
            assert len(c.key) <= 60
            assert c.text and c.text == c.text.strip() and c.text[0].isupper()
    initiation = [c.key for c in DEFAULT_GATE_CRITERIA[Phase.INITIATION]]
    assert initiation[:2] == ["charter_agreed", "sponsor_named"]


def test_gate_criteria_cover_design_items() -> None:
    def texts(phase: Phase) -> str:
        return " | ".join(c.text for c in DEFAULT_GATE_CRITERIA[phase]).lower()

    for needle in (
        "smart objectives",
        "sponsor",
        "business case",
        "stakeholder register",
        "pptf",
        "risks",
        "integrations",
    ):
        assert needle in texts(Phase.INITIATION), needle
    for needle in (
        "accessibility",
        "erp/oms/wms/pim/crm",
        "peak-trading",
        "raci",
        "contingency",
        "high/extreme",
        "test strategy",
        "redirect",
        "pci",
    ):
        assert needle in texts(Phase.PLANNING), needle
    for needle in (
        "integration tests",
        "uat",
        "2x forecast peak",
        "penetration",
        "3ds",
        "rehearsal",
        "consent",
        "customer service",
        "go/no-go",
    ):
        assert needle in texts(Phase.EXECUTION), needle
    for needle in ("kpis", "defects", "cadence", "change control"):
        assert needle in texts(Phase.MONITORING), needle
    for needle in (
        "deliverables accepted",
        "runbooks",
        "benefits-tracking",
        "transferred",
        "contracts",
        "lessons learned",
    ):
        assert needle in texts(Phase.CLOSURE), needle


def test_gate_criteria_are_immutable() -> None:
    with pytest.raises(TypeError):
        DEFAULT_GATE_CRITERIA[Phase.CLOSURE] = ()  # type: ignore[index]
    criterion = DEFAULT_GATE_CRITERIA[Phase.CLOSURE][0]
    with pytest.raises(AttributeError):
        criterion.key = "x"  # type: ignore[misc]


# -- transitions ----------------------------------------------------------------------------


def test_forward_with_everything_met_is_go() -> None:
    for phase in PHASES[:-1]:
        nxt = next_phase(phase)
        assert nxt is not None
        assert decide_transition(phase, nxt, [], None) is Decision.GO
    # A reason does not change a clean GO.
    assert decide_transition(Phase.PLANNING, Phase.EXECUTION, [], "why not") is Decision.GO


def test_forward_with_unmet_and_reason_is_go_with_conditions() -> None:
    d = decide_transition(Phase.INITIATION, Phase.PLANNING, ["sponsor_named"], "Sponsor by Fri")
    assert d is Decision.GO_WITH_CONDITIONS
    assert d.value == "go_with_conditions"


@pytest.mark.parametrize("reason", [None, "", "   \n\t"])
def test_forward_with_unmet_and_no_reason_is_blocked(reason: str | None) -> None:
    unmet = ["charter_agreed", "sponsor_named", "business_case_approved"]
    with pytest.raises(GateBlocked) as exc:
        decide_transition(Phase.INITIATION, Phase.PLANNING, unmet, reason)
    assert exc.value.unmet == unmet
    assert exc.value.unmet is not unmet  # a copy, not the caller's list
    assert "3" in exc.value.message


def test_gate_blocked_message_for_a_single_criterion() -> None:
    with pytest.raises(GateBlocked) as exc:
        decide_transition(Phase.EXECUTION, Phase.MONITORING, ("uat_signed_off",), None)
    assert exc.value.unmet == ["uat_signed_off"]
    assert "1 " in exc.value.message and "criterion" in exc.value.message


def test_same_phase_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        decide_transition(Phase.PLANNING, Phase.PLANNING, [], "because")
    assert "phase" in exc.value.errors


@pytest.mark.parametrize(
    ("src", "dst"),
    [
        (Phase.INITIATION, Phase.EXECUTION),
        (Phase.INITIATION, Phase.CLOSURE),
        (Phase.PLANNING, Phase.MONITORING),
    ],
)
def test_skipping_forward_is_rejected_even_with_reason(src: Phase, dst: Phase) -> None:
    with pytest.raises(ValidationError) as exc:
        decide_transition(src, dst, [], "please")
    assert "phase" in exc.value.errors
    assert "one phase at a time" in exc.value.errors["phase"]


@pytest.mark.parametrize(
    ("src", "dst"),
    [
        (Phase.PLANNING, Phase.INITIATION),
        (Phase.CLOSURE, Phase.INITIATION),
        (Phase.MONITORING, Phase.EXECUTION),
    ],
)
def test_backwards_is_recycle_with_reason(src: Phase, dst: Phase) -> None:
    # Backward moves may jump more than one phase and ignore unmet criteria.
    assert decide_transition(src, dst, ["x"], "Scope reopened") is Decision.RECYCLE


@pytest.mark.parametrize("reason", [None, "", "  "])
def test_backwards_without_reason_is_rejected(reason: str | None) -> None:
    with pytest.raises(ValidationError) as exc:
        decide_transition(Phase.EXECUTION, Phase.PLANNING, [], reason)
    assert set(exc.value.errors) == {"reason"}


# -- vocabulary -----------------------------------------------------------------------------


def test_vocabulary_values_and_labels() -> None:
    assert [(c.value, c.label) for c in Channel] == [
        ("b2c", "B2C"),
        ("b2b", "B2B"),
        ("marketplace", "Marketplace"),
        ("multichannel", "Multichannel"),
    ]
    assert [(h.value, h.label) for h in Health] == [
        ("green", "Green"),
        ("amber", "Amber"),
        ("red", "Red"),
    ]
    assert [(s.value, s.label) for s in CardStatus] == [
        ("todo", "To do"),
        ("doing", "Doing"),
        ("blocked", "Blocked"),
        ("done", "Done"),
    ]
    assert [k.value for k in CardKind] == ["task", "deliverable", "requirement", "milestone"]
    assert [p.value for p in Priority] == ["low", "medium", "high", "critical"]
    assert Priority.CRITICAL.label == "Critical"
    assert [w.value for w in Workstream] == [
        "website",
        "marketing",
        "inventory",
        "payments",
        "customer_service",
        "integration",
        "security",
        "data",
        "operations",
    ]
    assert Workstream.CUSTOMER_SERVICE.label == "Customer service"
    assert lifecycle.INTEGRATIONS == (
        "e-commerce platform",
        "payment gateway",
        "inventory system",
        "CRM",
    )
    assert Decision.GO_WITH_CONDITIONS.label == "Go with conditions"


def test_next_status_cycles_through_all_four() -> None:
    assert next_status(CardStatus.TODO) is CardStatus.DOING
    assert next_status(CardStatus.DOING) is CardStatus.BLOCKED
    assert next_status(CardStatus.BLOCKED) is CardStatus.DONE
    assert next_status(CardStatus.DONE) is CardStatus.TODO
    seen = []
    s = CardStatus.TODO
    for _ in range(4):
        seen.append(s)
        s = next_status(s)
    assert s is CardStatus.TODO and set(seen) == set(CardStatus)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("b2c", Channel.B2C),
        ("B2B", Channel.B2B),
        ("Marketplace", Channel.MARKETPLACE),
        (" multichannel ", Channel.MULTICHANNEL),
    ],
)
def test_parse_enum_by_value_or_label(value: str, expected: Channel) -> None:
    assert parse_enum(Channel, value, "channel") is expected


def test_parse_enum_other_enums() -> None:
    assert parse_enum(CardStatus, "To do", "status") is CardStatus.TODO
    assert parse_enum(CardStatus, "TODO", "status") is CardStatus.TODO
    assert parse_enum(Workstream, "Customer service", "ws") is Workstream.CUSTOMER_SERVICE
    assert parse_enum(Workstream, "customer_service", "ws") is Workstream.CUSTOMER_SERVICE
    assert parse_enum(Decision, "go_with_conditions", "d") is Decision.GO_WITH_CONDITIONS


@pytest.mark.parametrize("value", ["", "retail", "to-do", "b2"])
def test_parse_enum_rejects_with_choices(value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_enum(Channel, value, "channel")
    assert exc.value.errors == {"channel": "must be one of: b2c, b2b, marketplace, multichannel"}


# -- project keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("shop", "SHOP"),
        ("  ab ", "AB"),
        ("Web2025", "WEB2025"),
        ("ABCDEFGHIJ", "ABCDEFGHIJ"),
        ("ab\n", "AB"),
    ],
)
def test_project_key_normalised(raw: str, expected: str) -> None:
    assert validate_project_key(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "A", " a ", "ABCDEFGHIJK", "AB-1", "AB 1", "ÄB", "ab_c", "[/]", "A\tB"]
)
def test_project_key_rejected(raw: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_project_key(raw)
    assert set(exc.value.errors) == {"key"}


def test_project_key_regex() -> None:
    assert lifecycle.PROJECT_KEY_RE.pattern == r"^[A-Z0-9]{2,10}$"
