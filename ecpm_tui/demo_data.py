"""The vocabulary of the demo data: projects, card titles per workstream, people, teams.

Kept apart from the generator so each reads on its own; every table is plain data.
"""

from __future__ import annotations

from typing import Any

PROJECTS: tuple[dict[str, Any], ...] = (
    {
        "key": "SHOP",
        "health_note": "Load test at 2x peak still open; sponsor accepts amber until the rerun.",
        "name": "Storefront replatforming",
        "channel": "b2c",
        "phase": "execution",
        "health": "amber",
        "sponsor": "Marta Ruiz (COO)",
        "budget": "480000",
        "objectives": (
            "Move the B2C shop to a headless platform by Q3; +8% conversion; checkout p95 < 2 s."
        ),
        "scope": "Storefront, checkout, payments, PIM and ERP integrations, SEO redirects.",
    },
    {
        "key": "B2BX",
        "health_note": "Extreme threats have mitigations under way; sponsor keeps green.",
        "name": "B2B ordering portal",
        "channel": "b2b",
        "phase": "planning",
        "health": "green",
        "sponsor": "Luis Ortega (Sales Director)",
        "budget": "220000",
        "objectives": "Self-service reorders for 1,200 trade accounts; 30% fewer phone orders.",
        "scope": "Customer-specific price lists, quick order, invoices, ERP credit limits.",
    },
    {
        "key": "MKTP",
        "health_note": "Early days: threats logged, responses being planned; green for now.",
        "name": "Marketplace expansion",
        "channel": "marketplace",
        "phase": "initiation",
        "health": "green",
        "sponsor": "Ana Gil (CMO)",
        "budget": "90000",
        "objectives": "List 3,000 SKUs on two marketplaces with synced stock by peak season.",
        "scope": "Feed management, order import into OMS, returns handling.",
    },
    {
        "key": "OMNI",
        "health_note": "Stock accuracy at 94% in the pilot stores, below the 98% target.",
        "name": "Click & collect rollout",
        "channel": "multichannel",
        "phase": "monitoring",
        "health": "red",
        "sponsor": "Marta Ruiz (COO)",
        "budget": "150000",
        "objectives": "Click & collect in 40 stores; stock accuracy >= 98%.",
        "scope": "Store stock feed, pick lists, customer notifications.",
    },
    {
        "key": "PAYX",
        "health_note": "Closed; fee savings tracked by finance.",
        "name": "Payment provider switch",
        "channel": "b2c",
        "phase": "closure",
        "health": "green",
        "sponsor": "Jorge Vidal (CFO)",
        "budget": "60000",
        "objectives": "Cut payment fees by 0.2 pp; authorisation rate >= 92%.",
        "scope": "Gateway migration, 3DS2, refunds, webhooks, reconciliation.",
    },
)

CARD_TITLES: dict[str, tuple[str, ...]] = {
    "website": (
        "Build product listing page",
        "Implement faceted search",
        "Checkout address step",
        "Accessibility audit fixes",
        "Set up 301 redirect map",
    ),
    "marketing": (
        "Migrate tracking to server-side tags",
        "Launch email welcome flow",
        "SEO meta templates",
        "Consent banner copy",
    ),
    "inventory": (
        "Nightly stock reconciliation",
        "Safety stock rules per channel",
        "Warehouse slotting for fast movers",
    ),
    "payments": (
        "3DS2 challenge flow test",
        "Refund webhook handling",
        "Settlement reconciliation report",
    ),
    "customer_service": (
        "Train agents on new order view",
        "Returns macro templates",
        "Update FAQ for delivery options",
    ),
    "integration": ("ERP order export", "PIM product feed", "OMS status sync", "CRM customer sync"),
    "security": ("Penetration test remediation", "WAF rules for checkout", "PCI SAQ review"),
    "data": (
        "Customer data migration rehearsal",
        "Order history import",
        "Analytics KPI dashboard",
    ),
    "operations": ("Hypercare rota", "Runbook for peak weekend", "Go/no-go checklist"),
}
# Which workstreams each kind of project has: a payments switch has no warehouse cards.
WORKSTREAMS_BY_PROJECT: dict[str, tuple[str, ...]] = {
    "SHOP": (
        "website",
        "marketing",
        "payments",
        "integration",
        "security",
        "data",
        "customer_service",
        "operations",
    ),
    "B2BX": ("website", "integration", "customer_service", "data", "security", "payments"),
    "MKTP": ("marketing", "inventory", "integration", "customer_service", "data"),
    "OMNI": ("inventory", "operations", "website", "customer_service", "integration"),
    "PAYX": ("payments", "security", "integration", "data", "customer_service"),
}
# Distinct, meaningful variants instead of numbered copies once the base titles run out.
QUALIFIERS = (
    "ES site",
    "PT site",
    "FR site",
    "DE site",
    "IT site",
    "mobile app",
    "trade accounts",
    "outlet",
    "gift cards",
    "subscriptions",
    "click & collect",
    "Black Friday",
)
BLOCKERS = (
    "Waiting on vendor sandbox access",
    "Legal review of consent wording",
    "ERP team busy with month-end close",
    "Payment provider certificate not issued",
    "Design sign-off pending",
)
OPPORTUNITIES: tuple[tuple[str, str, str], ...] = (
    ("Marketplace demand exceeds forecast", "marketing", "marketing"),
    ("Renegotiate payment fees with volume growth", "finance", "payments"),
    ("Reuse headless components across brands", "scope", "website"),
    ("Automate stock sync to cut manual work", "data", "inventory"),
)
PEOPLE = ("alice", "bob", "carmen", "david", "elena", "farid", "grace", "hugo")
DEPARTMENTS = ("E-commerce", "IT", "Marketing", "Logistics", "Customer Service", "Finance")


# Teams interviewed per project (by position): several projects and teams.
INTERVIEW_TEAMS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("IT", "en"), ("Logistics", "es")),
    (("Marketing", "en"),),
    (("Finance", "es"),),
    (("Customer Service", "en"),),
    (("E-commerce", "en"),),
)
