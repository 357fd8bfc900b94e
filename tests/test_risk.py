"""Risk scales, NPSA grid, ordering, review cadence, responses, validation and templates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ecpm_tui import risk
from ecpm_tui.errors import ValidationError
from ecpm_tui.lifecycle import Workstream
from ecpm_tui.risk import (
    NPSA_GRID,
    Level,
    Response,
    RiskKind,
    check_scale,
    level,
    parse_grid,
    score,
    sort_key,
    validate_risk_assessment,
)

# DESIGN 4.3, rows likelihood 5..1, columns impact 1..5, transcribed independently.
DESIGN_ROWS = {
    5: "MHEEE",
    4: "MHHEE",
    3: "LMHHE",
    2: "LMMHH",
    1: "LLLMM",
}
LETTER = {"L": Level.LOW, "M": Level.MODERATE, "H": Level.HIGH, "E": Level.EXTREME}
ALL_CELLS = [(lk, im) for lk in range(1, 6) for im in range(1, 6)]


def test_scale_labels() -> None:
    assert dict(risk.LIKELIHOOD_LABELS) == {
        1: "Rare (<20%)",
        2: "Unlikely (20-40%)",
        3: "Possible (40-60%)",
        4: "Likely (60-80%)",
        5: "Almost certain (>80%)",
    }
    assert dict(risk.IMPACT_LABELS) == {
        1: "Insignificant",
        2: "Minor",
        3: "Moderate",
        4: "Major",
        5: "Catastrophic",
    }


def test_level_properties() -> None:
    assert [(lv.value, lv.letter, lv.label, lv.rank) for lv in Level] == [
        ("low", "L", "Low", 0),
        ("moderate", "M", "Moderate", 1),
        ("high", "H", "High", 2),
        ("extreme", "E", "Extreme", 3),
    ]


@pytest.mark.parametrize(("lk", "im"), ALL_CELLS)
def test_every_grid_cell_matches_design(lk: int, im: int) -> None:
    expected = LETTER[DESIGN_ROWS[lk][im - 1]]
    assert NPSA_GRID[(lk, im)] is expected
    assert level(lk, im) is expected


def test_grid_has_exactly_25_cells_and_text_is_the_design_grid() -> None:
    assert sorted(NPSA_GRID) == sorted(ALL_CELLS)
    rows = [line.split() for line in risk.NPSA_GRID_TEXT.strip().splitlines()]
    assert rows[0] == ["L\\I", "1", "2", "3", "4", "5"]
    assert [r[0] for r in rows[1:]] == ["5", "4", "3", "2", "1"]
    assert {int(r[0]): "".join(r[1:]) for r in rows[1:]} == DESIGN_ROWS


def test_levels_are_consistent_with_score_bands() -> None:
    # Low 1-3, Moderate 4-6, High 8-12, Extreme 15-25.
    bands = {
        Level.LOW: range(1, 4),
        Level.MODERATE: range(4, 7),
        Level.HIGH: range(8, 13),
        Level.EXTREME: range(15, 26),
    }
    for lk, im in ALL_CELLS:
        assert score(lk, im) == lk * im
        assert score(lk, im) in bands[level(lk, im)], (lk, im)
    counts = {lv: sum(1 for c in ALL_CELLS if level(*c) is lv) for lv in Level}
    assert counts == {Level.LOW: 5, Level.MODERATE: 7, Level.HIGH: 7, Level.EXTREME: 6}


def test_parse_grid_custom_and_level_uses_it() -> None:
    text = "\n".join(f"{lk} " + " ".join("L" * 5) for lk in range(5, 0, -1))
    text = text.replace("5 L L L L L", "5 L L L L E")
    grid = parse_grid(text)
    assert level(5, 5, grid) is Level.EXTREME
    assert level(5, 4, grid) is Level.LOW
    assert level(5, 4) is Level.EXTREME  # default grid untouched


@pytest.mark.parametrize(
    "text",
    [
        "",
        "L\\I 1 2 3 4 5\n5 M H E E E",  # one row only
        risk.NPSA_GRID_TEXT.replace("3    L M H H E", "3    L M H H"),  # short row
        risk.NPSA_GRID_TEXT.replace("3    L M H H E", "3    L M H H X"),  # unknown letter
        risk.NPSA_GRID_TEXT.replace("3    L M H H E", "6    L M H H E"),  # likelihood 6
        risk.NPSA_GRID_TEXT.replace("3    L M H H E", "4    L M H H E"),  # row 4 twice
    ],
)
def test_parse_grid_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError):
        parse_grid(text)


@pytest.mark.parametrize("value", [1, 3, 5])
def test_check_scale_accepts(value: int) -> None:
    assert check_scale(value, "likelihood") == value


@pytest.mark.parametrize("value", [0, 6, -1, True, False, 2.0, "3", None, 3.5])
def test_check_scale_rejects(value: object) -> None:
    with pytest.raises(ValidationError) as exc:
        check_scale(value, "impact")
    assert exc.value.errors == {"impact": "must be a whole number from 1 to 5"}


def test_score_and_level_reject_out_of_range() -> None:
    with pytest.raises(ValidationError):
        score(0, 3)
    with pytest.raises(ValidationError):
        level(3, 6)


# -- ordering -------------------------------------------------------------------------------


def test_sort_orders_by_level_score_impact_then_proximity() -> None:
    soon, later = date(2026, 1, 10), date(2026, 3, 1)
    risks = {
        "low": (1, 3, None),  # 3 Low
        "moderate_hi_score": (3, 2, None),  # 6 Moderate
        "moderate_impact5": (1, 5, None),  # 5 Moderate
        "high_12_i3": (4, 3, None),  # 12 High
        "high_12_i4": (3, 4, None),  # 12 High, more impact
        "high_8": (2, 4, None),  # 8 High
        "extreme_15_far": (3, 5, later),
        "extreme_15_near": (5, 3, soon),  # same score, lower impact
        "extreme_15_i5_near": (3, 5, soon),
        "extreme_15_i5_none": (3, 5, None),
        "extreme_25": (5, 5, None),
    }
    ordered = sorted(risks, key=lambda k: sort_key(*risks[k]))
    assert ordered == [
        "extreme_25",
        "extreme_15_i5_near",
        "extreme_15_far",
        "extreme_15_i5_none",
        "extreme_15_near",
        "high_12_i4",
        "high_12_i3",
        "high_8",
        "moderate_hi_score",
        "moderate_impact5",
        "low",
    ]


def test_sort_level_outranks_score_with_custom_grid() -> None:
    # A grid where the 1x5 cell is Extreme: it sorts before a 4x4 marked High.
    rows = {lk: ["L"] * 5 for lk in range(1, 6)}
    rows[1][4] = "E"
    rows[4][3] = "H"
    grid = parse_grid("\n".join(f"{lk} {' '.join(r)}" for lk, r in rows.items()))
    assert sort_key(1, 5, None, grid) < sort_key(4, 4, None, grid)
    assert sort_key(1, 5, None) > sort_key(4, 4, None)  # NPSA: Moderate vs Extreme


# -- review cadence -------------------------------------------------------------------------


def test_review_cadence_and_default_next_review() -> None:
    assert dict(risk.REVIEW_CADENCE_DAYS) == {
        Level.EXTREME: 7,
        Level.HIGH: 14,
        Level.MODERATE: 30,
        Level.LOW: 90,
    }
    today = date(2026, 12, 28)
    assert risk.default_next_review(Level.EXTREME, today) == date(2027, 1, 4)
    assert risk.default_next_review(Level.HIGH, today) == date(2027, 1, 11)
    assert risk.default_next_review(Level.MODERATE, today) == date(2027, 1, 27)
    assert risk.default_next_review(Level.LOW, today) == date(2027, 3, 28)


def test_review_overdue_is_strictly_before_today() -> None:
    today = date(2026, 6, 15)
    assert risk.is_review_overdue(today - timedelta(days=1), today) is True
    assert risk.is_review_overdue(today, today) is False
    assert risk.is_review_overdue(today + timedelta(days=1), today) is False
    assert risk.is_review_overdue(None, today) is False


# -- kinds, statuses, responses, categories -------------------------------------------------


def test_responses_by_kind() -> None:
    assert risk.responses_for(RiskKind.THREAT) == (
        Response.AVOID,
        Response.MITIGATE,
        Response.TRANSFER,
        Response.ACCEPT,
        Response.ESCALATE,
    )
    assert risk.responses_for(RiskKind.OPPORTUNITY) == (
        Response.EXPLOIT,
        Response.ENHANCE,
        Response.SHARE,
        Response.ACCEPT,
        Response.ESCALATE,
    )
    assert risk.responses_for(RiskKind.THREAT) == risk.THREAT_RESPONSES
    assert risk.responses_for(RiskKind.OPPORTUNITY) == risk.OPPORTUNITY_RESPONSES
    assert set(risk.THREAT_RESPONSES) | set(risk.OPPORTUNITY_RESPONSES) == set(Response)


def test_enum_values_and_labels() -> None:
    assert [k.value for k in RiskKind] == ["threat", "opportunity"]
    assert RiskKind.OPPORTUNITY.label == "Opportunity"
    assert [(s.value, s.label) for s in risk.RiskStatus] == [
        ("identified", "Identified"),
        ("assessed", "Assessed"),
        ("response_planned", "Response planned"),
        ("monitoring", "Monitoring"),
        ("closed", "Closed"),
        ("occurred", "Occurred"),
    ]
    assert Response.MITIGATE.label == "Mitigate"


def test_categories() -> None:
    assert risk.CATEGORIES == (
        "payments",
        "security",
        "compliance",
        "performance",
        "vendor",
        "data",
        "marketing",
        "scope",
        "people",
        "finance",
        "schedule",
        "supplier",
    )


# -- assessment validation ------------------------------------------------------------------


def _validate(**overrides: object) -> None:
    values: dict[str, object] = {
        "kind": RiskKind.THREAT,
        "likelihood": 4,
        "impact": 4,
        "response": None,
        "residual_likelihood": None,
        "residual_impact": None,
    }
    values.update(overrides)
    validate_risk_assessment(**values)  # type: ignore[arg-type]


def _errors(**overrides: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as exc:
        _validate(**overrides)
    return exc.value.errors


def test_valid_assessments_pass() -> None:
    _validate()
    _validate(response=Response.MITIGATE)
    _validate(response=Response.MITIGATE, residual_likelihood=2, residual_impact=3)
    _validate(response=Response.ACCEPT, residual_likelihood=4, residual_impact=4)  # equal ok
    _validate(kind=RiskKind.OPPORTUNITY, response=Response.EXPLOIT)
    _validate(kind=RiskKind.OPPORTUNITY, response=Response.ESCALATE)


def test_scale_errors_for_both_fields_at_once() -> None:
    assert _errors(likelihood=0, impact=True) == {
        "likelihood": "must be a whole number from 1 to 5",
        "impact": "must be a whole number from 1 to 5",
    }


def test_response_must_suit_kind() -> None:
    errors = _errors(response=Response.EXPLOIT)
    assert set(errors) == {"response"}
    assert "threat" in errors["response"] and "mitigate" in errors["response"]
    errors = _errors(kind=RiskKind.OPPORTUNITY, response=Response.AVOID)
    assert set(errors) == {"response"}
    assert "opportunity" in errors["response"] and "exploit" in errors["response"]


def test_residual_needs_a_response() -> None:
    errors = _errors(residual_likelihood=2, residual_impact=2)
    assert errors == {
        "residual_likelihood": "set a response before residual values",
        "residual_impact": "set a response before residual values",
    }
    assert _errors(residual_impact=1) == {
        "residual_impact": "set a response before residual values"
    }


def test_residual_must_be_a_pair() -> None:
    errors = _errors(response=Response.MITIGATE, residual_likelihood=2)
    assert set(errors) == {"residual_impact"}
    errors = _errors(response=Response.MITIGATE, residual_impact=2)
    assert set(errors) == {"residual_likelihood"}


def test_residual_may_not_exceed_inherent() -> None:
    errors = _errors(
        likelihood=2,
        impact=3,
        response=Response.MITIGATE,
        residual_likelihood=3,
        residual_impact=3,
    )
    assert set(errors) == {"residual_likelihood"}
    assert "inherent" in errors["residual_likelihood"] and "2" in errors["residual_likelihood"]
    errors = _errors(
        likelihood=2,
        impact=3,
        response=Response.MITIGATE,
        residual_likelihood=1,
        residual_impact=5,
    )
    assert set(errors) == {"residual_impact"}


def test_residual_scale_checked() -> None:
    errors = _errors(response=Response.MITIGATE, residual_likelihood=0, residual_impact=9)
    assert errors == {
        "residual_likelihood": "must be a whole number from 1 to 5",
        "residual_impact": "must be a whole number from 1 to 5",
    }


def test_all_errors_collected_in_one_exception() -> None:
    with pytest.raises(ValidationError) as exc:
        _validate(
            likelihood=9, kind=RiskKind.OPPORTUNITY, response=Response.AVOID, residual_impact=1
        )
    assert set(exc.value.errors) == {"likelihood", "response", "residual_likelihood"}
    assert "likelihood:" in exc.value.message and "response:" in exc.value.message


# -- templates ------------------------------------------------------------------------------

EXPECTED_TEMPLATES = [
    ("payment gateway integration fails", "payments", 3, 5),
    ("pci dss non-compliance", "compliance", 3, 4),
    ("data breach or card skimming", "security", 2, 5),
    ("gdpr/consent non-compliance", "compliance", 3, 4),
    ("site fails under peak traffic", "performance", 3, 5),
    ("platform vendor lock-in or vendor failure", "vendor", 3, 4),
    ("inventory sync errors cause overselling", "data", 4, 4),
    ("data migration errors", "data", 4, 4),
    ("seo traffic lost on migration", "marketing", 4, 4),
    ("scope creep", "scope", 4, 3),
    ("departments resist the change", "people", 3, 4),
    ("key-person dependency or skills gap", "people", 3, 3),
    ("hidden running costs exceed budget", "finance", 3, 3),
    ("agency or third-party delay", "supplier", 3, 3),
    ("go-live collides with peak trading", "schedule", 2, 5),
]


def test_exactly_the_fifteen_design_templates() -> None:
    got = [(t.title.lower(), t.category, t.likelihood, t.impact) for t in risk.TEMPLATES]
    assert got == EXPECTED_TEMPLATES


def test_templates_are_complete_and_lookupable() -> None:
    keys = [t.key for t in risk.TEMPLATES]
    assert len(set(keys)) == 15
    workstreams = {w.value for w in Workstream}
    for t in risk.TEMPLATES:
        assert t.category in risk.CATEGORIES
        assert t.workstream in workstreams, t.key
        assert len(t.cause) > 20 and len(t.effect) > 20 and len(t.mitigation) > 20
        assert risk.template(t.key) is t
    assert risk.template("peak_traffic").title == "Site fails under peak traffic"
    peak = risk.template("peak_traffic")
    assert level(peak.likelihood, peak.impact) is Level.EXTREME


def test_unknown_template() -> None:
    with pytest.raises(ValidationError) as exc:
        risk.template("alien_invasion")
    assert set(exc.value.errors) == {"template"}
    assert "peak_traffic" in exc.value.errors["template"]
