"""Risk scales, the NPSA 5x5 grading grid, ordering, review cadence, responses, templates.

Pure domain code: no I/O, no Textual. The grid is an explicit lookup (not thresholds)
so an installation can replace it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from ecpm_tui.errors import ValidationError
from ecpm_tui.lifecycle import LabelledEnum

# The templates live in their own module to keep this one short; re-exported here.
from ecpm_tui.risk_templates import TEMPLATES as TEMPLATES
from ecpm_tui.risk_templates import RiskTemplate as RiskTemplate
from ecpm_tui.risk_templates import template as template

LIKELIHOOD_LABELS: Mapping[int, str] = MappingProxyType(
    {
        1: "Rare (<20%)",
        2: "Unlikely (20-40%)",
        3: "Possible (40-60%)",
        4: "Likely (60-80%)",
        5: "Almost certain (>80%)",
    }
)
IMPACT_LABELS: Mapping[int, str] = MappingProxyType(
    {
        1: "Insignificant",
        2: "Minor",
        3: "Moderate",
        4: "Major",
        5: "Catastrophic",
    }
)

SCALE = range(1, 6)
SCALE_MESSAGE = "must be a whole number from 1 to 5"


class Level(StrEnum):
    """Risk level from the grading grid, lowest first."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    EXTREME = "extreme"

    @property
    def letter(self) -> str:
        """One-letter code used in the grid (L, M, H, E)."""
        return self.value[0].upper()

    @property
    def label(self) -> str:
        """Display name."""
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        """0 for Low up to 3 for Extreme."""
        return list(Level).index(self)


NPSA_GRID_TEXT = """\
L\\I  1 2 3 4 5
5    M H E E E
4    M H H E E
3    L M H H E
2    L M M H H
1    L L L M M
"""

Grid = Mapping[tuple[int, int], Level]


def parse_grid(text: str) -> Grid:
    """Parse a grid written like NPSA_GRID_TEXT into {(likelihood, impact): Level}.

    Lines not starting with a digit (the header) are skipped. Raises ValueError unless
    there is exactly one row of five L/M/H/E cells for each likelihood 1-5.
    """
    by_letter = {lvl.letter: lvl for lvl in Level}
    grid: dict[tuple[int, int], Level] = {}
    rows: set[int] = set()
    for raw in text.splitlines():
        parts = raw.split()
        if not parts or not parts[0].isdigit():
            continue
        likelihood = int(parts[0])
        letters = [p.upper() for p in parts[1:]]
        if likelihood not in SCALE or len(letters) != 5:
            raise ValueError(f"bad grid row (want a likelihood 1-5 and 5 cells): {raw!r}")
        if likelihood in rows:
            raise ValueError(f"grid row for likelihood {likelihood} given twice")
        rows.add(likelihood)
        for impact, letter in enumerate(letters, 1):
            if letter not in by_letter:
                raise ValueError(f"unknown level letter {letter!r} in grid row {raw!r}")
            grid[(likelihood, impact)] = by_letter[letter]
    if len(grid) != 25:
        raise ValueError(f"a grid needs 25 cells (5 rows of 5), got {len(grid)}")
    return MappingProxyType(grid)


NPSA_GRID: Grid = parse_grid(NPSA_GRID_TEXT)


def check_scale(value: object, field: str) -> int:
    """`value` as a 1-5 scale value, else ValidationError({field: ...}); bools are rejected."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
        raise ValidationError.from_fields({field: SCALE_MESSAGE})
    return value


def score(likelihood: int, impact: int) -> int:
    """Likelihood x impact (1-25)."""
    return check_scale(likelihood, "likelihood") * check_scale(impact, "impact")


def level(likelihood: int, impact: int, grid: Grid = NPSA_GRID) -> Level:
    """The grid level of a (likelihood, impact) cell."""
    return grid[(check_scale(likelihood, "likelihood"), check_scale(impact, "impact"))]


def sort_key(
    likelihood: int, impact: int, proximity: date | None, grid: Grid = NPSA_GRID
) -> tuple[int, int, int, bool, date]:
    """Ascending sort key: higher level, then score, then impact, then nearest proximity.

    Risks without a proximity date sort after those with one.
    """
    return (
        -level(likelihood, impact, grid).rank,
        -score(likelihood, impact),
        -impact,
        proximity is None,
        proximity or date.max,
    )


REVIEW_CADENCE_DAYS: Mapping[Level, int] = MappingProxyType(
    {
        Level.EXTREME: 7,
        Level.HIGH: 14,
        Level.MODERATE: 30,
        Level.LOW: 90,
    }
)


def default_next_review(lvl: Level, today: date) -> date:
    """When a risk of level `lvl` is next due for review, counted from `today`."""
    return today + timedelta(days=REVIEW_CADENCE_DAYS[Level(lvl)])


def is_review_overdue(next_review: date | None, today: date) -> bool:
    """True when the review date is strictly before `today`."""
    return next_review is not None and next_review < today


class RiskKind(LabelledEnum):
    """Threats hurt objectives; opportunities help them."""

    THREAT = "threat"
    OPPORTUNITY = "opportunity"


class RiskStatus(LabelledEnum):
    """Where a risk is in its life."""

    IDENTIFIED = "identified"
    ASSESSED = "assessed"
    RESPONSE_PLANNED = "response_planned"
    MONITORING = "monitoring"
    CLOSED = "closed"
    OCCURRED = "occurred"


class Response(LabelledEnum):
    """Risk response strategies (threats and opportunities)."""

    AVOID = "avoid"
    MITIGATE = "mitigate"
    TRANSFER = "transfer"
    ACCEPT = "accept"
    ESCALATE = "escalate"
    EXPLOIT = "exploit"
    ENHANCE = "enhance"
    SHARE = "share"


THREAT_RESPONSES: tuple[Response, ...] = (
    Response.AVOID,
    Response.MITIGATE,
    Response.TRANSFER,
    Response.ACCEPT,
    Response.ESCALATE,
)
OPPORTUNITY_RESPONSES: tuple[Response, ...] = (
    Response.EXPLOIT,
    Response.ENHANCE,
    Response.SHARE,
    Response.ACCEPT,
    Response.ESCALATE,
)


def responses_for(kind: RiskKind) -> tuple[Response, ...]:
    """The responses allowed for a threat or an opportunity."""
    return THREAT_RESPONSES if RiskKind(kind) is RiskKind.THREAT else OPPORTUNITY_RESPONSES


CATEGORIES: tuple[str, ...] = (
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


def validate_risk_assessment(
    *,
    kind: RiskKind,
    likelihood: object,
    impact: object,
    response: Response | None,
    residual_likelihood: object | None,
    residual_impact: object | None,
) -> None:
    """Check scales, response and residual values together; one ValidationError lists all.

    Residual values need a response and come as a pair (or not at all). They may not
    exceed the inherent ones, except for an opportunity being exploited or enhanced,
    whose point is to raise its likelihood or impact.
    """
    errors: dict[str, str] = {}
    inherent: dict[str, int] = {}
    for name, value in (("likelihood", likelihood), ("impact", impact)):
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            errors[name] = SCALE_MESSAGE
        else:
            inherent[name] = value
    allowed = responses_for(kind)
    if response is not None and response not in allowed:
        choices = ", ".join(r.value for r in allowed)
        what = "a threat" if kind == RiskKind.THREAT else "an opportunity"
        errors["response"] = f"for {what} must be one of: {choices}"
    residual = {"residual_likelihood": residual_likelihood, "residual_impact": residual_impact}
    given = {k: v for k, v in residual.items() if v is not None}
    if given and response is None:
        for name in given:
            errors[name] = "set a response before residual values"
    elif given:
        for name in residual:
            if name not in given:
                errors[name] = "give residual likelihood and impact together, or neither"
        for name, value in given.items():
            base = name.removeprefix("residual_")
            if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
                errors[name] = SCALE_MESSAGE
            elif (
                base in inherent
                and value > inherent[base]
                and not residual_may_exceed(kind, response)
            ):
                errors[name] = f"may not exceed the inherent {base} ({inherent[base]})"
    if errors:
        raise ValidationError.from_fields(errors)


def residual_may_exceed(kind: RiskKind, response: Response | None) -> bool:
    """Whether residual values may be above the inherent ones (exploit/enhance an opportunity)."""
    return RiskKind(kind) is RiskKind.OPPORTUNITY and response in (
        Response.EXPLOIT,
        Response.ENHANCE,
    )


SERIOUS_LEVELS: tuple[Level, ...] = (Level.HIGH, Level.EXTREME)
NOT_OPEN_STATUSES: tuple[RiskStatus, ...] = (RiskStatus.CLOSED, RiskStatus.OCCURRED)
"""Statuses that take a risk out of the open-risk counts (an occurred risk is an issue)."""


def is_open(status: str) -> bool:
    """True while a risk still counts as an open risk (not closed, not occurred)."""
    return status not in {s.value for s in NOT_OPEN_STATUSES}


def accountability_errors(
    *,
    kind: RiskKind,
    lvl: Level,
    response: Response | None,
    owner: str,
    acceptance_justification: str,
    accepted_by: str,
) -> dict[str, str]:
    """Field messages for the accountability rules of High and Extreme risks.

    Such a risk needs an owner; accepting such a threat needs a written justification
    and the name of who accepted it. An empty result means the rules hold.
    """
    errors: dict[str, str] = {}
    if Level(lvl) not in SERIOUS_LEVELS:
        return errors
    a_level = "an Extreme" if Level(lvl) is Level.EXTREME else "a High"
    if not owner.strip():
        errors["owner"] = f"is required for {a_level} risk"
    if RiskKind(kind) is RiskKind.THREAT and response is Response.ACCEPT:
        if not acceptance_justification.strip():
            errors["acceptance_justification"] = f"is required to accept {a_level} threat"
        if not accepted_by.strip():
            errors["accepted_by"] = f"name who accepted this {Level(lvl).label} threat"
    return errors


def matrix_cell(
    likelihood: int,
    impact: int,
    residual_likelihood: int | None,
    residual_impact: int | None,
    residual: bool,
) -> tuple[tuple[int, int], bool]:
    """The (likelihood, impact) cell a risk is shown in, and whether it fell back.

    In the residual view a risk without residual values stays at its inherent cell;
    the flag is True then, so the view can say how many did.
    """
    if not residual:
        return (likelihood, impact), False
    if residual_likelihood is None or residual_impact is None:
        return (likelihood, impact), True
    return (residual_likelihood, residual_impact), False


LIKELIHOOD_SHORT: Mapping[int, str] = MappingProxyType(
    {k: v.split(" (")[0] for k, v in LIKELIHOOD_LABELS.items()}
)
IMPACT_SHORT: Mapping[int, str] = MappingProxyType(
    {1: "Insignif", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Catastr"}
)
ROW_LABEL_WIDTH = 17
CELL_WIDTH = 11


def grid_header() -> str:
    """The impact axis line of a text grid (same columns as :func:`text_grid` rows)."""
    corner = "L \\ I".ljust(ROW_LABEL_WIDTH)
    return corner + "".join(f"{i} {IMPACT_SHORT[i]}".ljust(CELL_WIDTH) for i in SCALE)


def grid_row_label(likelihood: int) -> str:
    """The likelihood label of one grid row, padded to the row label width."""
    return f"{likelihood} {LIKELIHOOD_SHORT[likelihood]}".ljust(ROW_LABEL_WIDTH)


def grid_cell_text(lvl: Level, count: int) -> str:
    """One cell: its level letter and count, padded to the cell width."""
    return f"{lvl.letter} {count:>3}".ljust(CELL_WIDTH)


def text_grid(counts: Mapping[tuple[int, int], int], grid: Grid = NPSA_GRID) -> str:
    """A plain-text 5x5 matrix: likelihood rows 5..1, impact columns 1..5.

    Each cell shows its level letter and its count, so the grid reads the same without
    colour (reports, e-mail, a 16-colour terminal).
    """
    lines = [grid_header().rstrip()]
    for lk in range(5, 0, -1):
        cells = "".join(grid_cell_text(grid[(lk, im)], counts.get((lk, im), 0)) for im in SCALE)
        lines.append((grid_row_label(lk) + cells).rstrip())
    return "\n".join(lines) + "\n"
