"""The 15 built-in e-commerce risk templates (DESIGN 4.3): category, default L x I, text.

Pure domain data; :mod:`ecpm_tui.risk` re-exports it, so ``risk.TEMPLATES`` and
``risk.template(key)`` keep working.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ecpm_tui.errors import ValidationError


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
