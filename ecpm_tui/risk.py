"""Risk scales, the NPSA 5x5 grading grid, ordering, review cadence, responses, templates.

Pure domain code: no I/O, no Textual. The grid is an explicit lookup (not thresholds)
so an installation can replace it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from ecpm_tui.errors import ValidationError
from ecpm_tui.lifecycle import LabelledEnum

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

    Residual values need a response, come as a pair (or not at all) and may not exceed
    the inherent ones.
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
            elif base in inherent and value > inherent[base]:
                errors[name] = f"may not exceed the inherent {base} ({inherent[base]})"
    if errors:
        raise ValidationError.from_fields(errors)


@dataclass(frozen=True)
class RiskTemplate:
    """A built-in e-commerce risk with default category, scores and text."""

    key: str
    title: str
    category: str
    likelihood: int
    impact: int
    cause: str
    effect: str
    mitigation: str
    workstream: str


def _t(
    key: str,
    title: str,
    category: str,
    li: tuple[int, int],
    workstream: str,
    cause: str,
    effect: str,
    mitigation: str,
) -> RiskTemplate:
    return RiskTemplate(key, title, category, li[0], li[1], cause, effect, mitigation, workstream)


TEMPLATES: tuple[RiskTemplate, ...] = (
    _t(
        "payment_gateway",
        "Payment gateway integration fails",
        "payments",
        (3, 5),
        "payments",
        "Complex payment provider API, 3DS2 flows and webhooks are tested late or only in part.",
        "Customers cannot pay at launch or orders stay unpaid; lost revenue and support load.",
        "Use the provider sandbox from the first sprint; end-to-end payment tests covering "
        "3DS, declines, refunds and webhooks; monitor authorisation rate after go-live.",
    ),
    _t(
        "pci_dss",
        "PCI DSS non-compliance",
        "compliance",
        (3, 4),
        "security",
        "Card data scope is unclear; payment fields or scripts are self-hosted.",
        "Fines, higher transaction fees or loss of card acceptance.",
        "Decide PCI scope early; use hosted payment fields or redirect; complete the SAQ "
        "with the acquirer and keep the evidence.",
    ),
    _t(
        "data_breach",
        "Data breach or card skimming",
        "security",
        (2, 5),
        "security",
        "Vulnerable third-party scripts, weak admin access or an unpatched platform.",
        "Customer and card data exposed; regulatory fines, chargebacks and lost trust.",
        "Content security policy and script inventory, MFA on admin, penetration test "
        "before go-live, patching routine.",
    ),
    _t(
        "gdpr_consent",
        "GDPR/consent non-compliance",
        "compliance",
        (3, 4),
        "marketing",
        "Tracking tags fire before consent; data retention and processor contracts unclear.",
        "Complaints and fines from the regulator; analytics and marketing data unusable.",
        "Consent management platform, tag audit, records of processing, retention policy "
        "and data processing agreements with vendors.",
    ),
    _t(
        "peak_traffic",
        "Site fails under peak traffic",
        "performance",
        (3, 5),
        "website",
        "Capacity not tested against campaign and seasonal peaks; heavy pages and plugins.",
        "Outage or slow checkout during peak; lost sales and marketing spend wasted.",
        "Load test at 2x forecast peak; autoscaling, CDN and caching; queue page; "
        "performance budget per page.",
    ),
    _t(
        "vendor_lock_in",
        "Platform vendor lock-in or vendor failure",
        "vendor",
        (3, 4),
        "operations",
        "Proprietary extensions and data formats; a single vendor for platform and hosting.",
        "Costly exit, unplanned price rises or loss of service if the vendor fails.",
        "Exit clauses and data export tested, standard APIs, escrow where needed, "
        "regular vendor health checks.",
    ),
    _t(
        "overselling",
        "Inventory sync errors cause overselling",
        "data",
        (4, 4),
        "inventory",
        "Batch stock sync between ERP/WMS and the shop; no stock reservation at checkout.",
        "Orders for items out of stock; cancellations, complaints and marketplace penalties.",
        "Near-real-time stock sync with reservation, safety stock buffers, reconciliation "
        "report and alerts on sync failures.",
    ),
    _t(
        "data_migration",
        "Data migration errors",
        "data",
        (4, 4),
        "data",
        "Poor source data quality; complex mappings for customers, orders and products.",
        "Wrong prices, lost order history or customer accounts at launch.",
        "Data profiling, migration rehearsals reconciled against the source, sign-off by "
        "data owners before cut-over.",
    ),
    _t(
        "seo_loss",
        "SEO traffic lost on migration",
        "marketing",
        (4, 4),
        "marketing",
        "URL structure, metadata or content change without a complete redirect map.",
        "Organic traffic and revenue drop for months after go-live.",
        "Full 301 redirect map, crawl before and after launch, Search Console monitoring, "
        "keep metadata and structured data.",
    ),
    _t(
        "scope_creep",
        "Scope creep",
        "scope",
        (4, 3),
        "operations",
        "Stakeholders add features and integrations without change control.",
        "Delays, budget overrun and a later, riskier go-live.",
        "MVP scope agreed in the charter, change control board, backlog triage with "
        "impact on time and cost shown.",
    ),
    _t(
        "change_resistance",
        "Departments resist the change",
        "people",
        (3, 4),
        "operations",
        "New processes and tools imposed on teams without involving them.",
        "Low adoption, manual workarounds, benefits not realised.",
        "Involve every team through PPTF interviews, change champions, training plan and "
        "regular communication.",
    ),
    _t(
        "key_person",
        "Key-person dependency or skills gap",
        "people",
        (3, 3),
        "operations",
        "Critical knowledge held by one person; missing platform, SEO or payments skills.",
        "Delays or wrong decisions when that person is absent or leaves.",
        "Pairing and documentation, named backups, training or hiring plan.",
    ),
    _t(
        "hidden_costs",
        "Hidden running costs exceed budget",
        "finance",
        (3, 3),
        "operations",
        "Licences, GMV fees, payment fees, hosting and agency retainers underestimated.",
        "The business case fails; budget overrun after go-live.",
        "Total cost of ownership model; recurring costs approved in the budget and "
        "reviewed each quarter.",
    ),
    _t(
        "supplier_delay",
        "Agency or third-party delay",
        "supplier",
        (3, 3),
        "integration",
        "External partners are over-committed or depend on each other's deliveries.",
        "Milestones slip and the critical path is blocked.",
        "Contracted milestones, weekly supplier check-ins, dependencies on the plan, "
        "schedule buffers.",
    ),
    _t(
        "peak_collision",
        "Go-live collides with peak trading",
        "schedule",
        (2, 5),
        "operations",
        "The schedule slips into a trading freeze (Black Friday, Christmas, sales season).",
        "Launching during peak risks outages on the most valuable trading days.",
        "Baseline the schedule clear of freezes; go/no-go meeting with a fallback date.",
    ),
)

_TEMPLATES_BY_KEY: Mapping[str, RiskTemplate] = MappingProxyType({t.key: t for t in TEMPLATES})


def template(key: str) -> RiskTemplate:
    """A built-in template by key; ValidationError({"template": ...}) if unknown."""
    try:
        return _TEMPLATES_BY_KEY[key]
    except KeyError:
        raise ValidationError.from_fields(
            {"template": "must be one of: " + ", ".join(_TEMPLATES_BY_KEY)}
        ) from None
