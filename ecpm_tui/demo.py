"""Realistic e-commerce demo data, written in one transaction."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from ecpm_tui import lifecycle, risk
from ecpm_tui.models import (
    Answer,
    Assessment,
    AuditEvent,
    Card,
    PhaseTransition,
    Project,
    Risk,
    utcnow,
)
from ecpm_tui.store import (
    AnswerSpec,
    EventSpec,
    InterviewSpec,
    ProjectBundle,
    Store,
    default_gate_checks,
)

PROJECTS: tuple[dict[str, Any], ...] = (
    {
        "key": "SHOP",
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
PEOPLE = ("alice", "bob", "carmen", "david", "elena", "farid", "grace", "hugo")
DEPARTMENTS = ("E-commerce", "IT", "Marketing", "Logistics", "Customer Service", "Finance")


@dataclass(frozen=True)
class DemoResult:
    """What the demo generator added."""

    projects: list[str]
    cards: int
    risks: int
    assessments: int


def _key_for(i: int, taken: set[str]) -> str:
    base = PROJECTS[i]["key"] if i < len(PROJECTS) else f"P{i + 1:03d}"
    key, n = base, 2
    while key in taken:
        key = f"{base[:8]}{n}"
        n += 1
    taken.add(key)
    return key


def generate(
    store: Store, projects: int = 5, cards: int = 200, risks: int = 40, seed: int = 7
) -> DemoResult:
    """Add demo projects with cards across all workstreams and phases, template risks
    spread across the matrix, and one completed plus one in-progress PPTF interview."""
    rng = random.Random(seed)
    taken = {p.key for p in store.list_projects(include_archived=True)}
    bundles = [_project(store, rng, i, _key_for(i, taken), cards, risks) for i in range(projects)]
    done = store.create_bundles(
        bundles,
        "demo",
        f"Generated demo data: {len(bundles)} projects, {cards * len(bundles)} cards, "
        f"{risks * len(bundles)} risks",
    )
    return DemoResult(done.projects, done.cards, done.risks, done.assessments)


def _project(
    store: Store, rng: random.Random, i: int, key: str, cards: int, risks: int
) -> ProjectBundle:
    today = store.today()
    stamp = store.stamp()
    spec = dict(PROJECTS[i % len(PROJECTS)])
    spec["key"] = key
    if i >= len(PROJECTS):
        spec["name"] = f"{spec['name']} #{i + 1}"
    phase = spec.pop("phase")
    start = today - timedelta(days=rng.randint(30, 200))
    project = Project(
        **{k: v for k, v in spec.items() if k != "budget"},
        phase=phase,
        budget=Decimal(spec["budget"]),
        currency="EUR",
        manager=rng.choice(PEOPLE),
        start_date=start,
        target_date=start + timedelta(days=rng.randint(120, 360)),
        description=f"Demo project: {spec['name']}.",
        **stamp,
    )
    bundle = ProjectBundle(project, gate_checks=default_gate_checks(stamp))
    current = lifecycle.phase_index(lifecycle.Phase(phase))
    for ph in lifecycle.PHASES[:current]:
        for check in bundle.gate_checks:
            if check.phase == ph.value:
                check.done = rng.random() < 0.9
                check.done_by = rng.choice(PEOPLE) if check.done else None
                check.done_at = utcnow() if check.done else None
        bundle.transitions.append(
            PhaseTransition(
                from_phase=ph.value,
                to_phase=lifecycle.PHASES[lifecycle.phase_index(ph) + 1].value,
                by=rng.choice(PEOPLE),
                decision="go_with_conditions",
                reason="Open items tracked as cards",
                unmet_criteria="[]",
            )
        )
    bundle.events.append(
        EventSpec(
            AuditEvent(
                user=store.user,
                entity="project",
                action="create",
                summary=f"Created demo project {project.key}",
                changes="{}",
            ),
            project,
        )
    )
    workstreams = list(CARD_TITLES)
    ranks: dict[str, int] = {}
    for n in range(cards):
        ws = workstreams[n % len(workstreams)]
        ph = lifecycle.PHASES[min(len(lifecycle.PHASES) - 1, max(0, current + rng.randint(-2, 1)))]
        ranks[ph.value] = ranks.get(ph.value, 0) + 1
        is_past = lifecycle.phase_index(ph) < current
        status = "done" if is_past else rng.choice(("todo", "todo", "doing", "blocked", "done"))
        kind = (
            "milestone"
            if n % 25 == 0
            else rng.choice(("task", "task", "deliverable", "requirement"))
        )
        title = rng.choice(CARD_TITLES[ws])
        bundle.cards.append(
            Card(
                title=title if n < 40 else f"{title} ({n + 1})",
                phase=ph.value,
                rank=ranks[ph.value],
                status=status,
                kind=kind,
                workstream=ws,
                assignee=rng.choice(PEOPLE),
                department=rng.choice(DEPARTMENTS),
                priority=rng.choice(("low", "medium", "medium", "high", "critical")),
                due_date=today + timedelta(days=rng.randint(-20, 90)),
                estimate=rng.choice((1, 2, 3, 5, 8, 13)),
                tags=rng.choice(("peak", "mvp", "", "compliance")),
                blocked_reason="Waiting on vendor" if status == "blocked" else "",
                # Spread over the last month without drawing from rng, so the rest of the
                # generated data (and every other screen's snapshot) stays the same.
                entered_at=datetime.combine(
                    today - timedelta(days=(n * 7) % 31), time(9, 0), tzinfo=UTC
                ),
                **stamp,
            )
        )
    for n in range(risks):
        t = risk.TEMPLATES[n % len(risk.TEMPLATES)]
        lk = max(1, min(5, t.likelihood + rng.randint(-1, 1)))
        im = max(1, min(5, t.impact + rng.randint(-1, 0)))
        responded = rng.random() < 0.6
        bundle.risks.append(
            Risk(
                ref=f"R-{n + 1:03d}",
                title=t.title,
                category=t.category,
                cause=t.cause,
                effect=t.effect,
                mitigation=t.mitigation,
                workstream=t.workstream,
                owner=rng.choice(PEOPLE),
                likelihood=lk,
                impact=im,
                response="mitigate" if responded else None,
                status="response_planned" if responded else "identified",
                residual_likelihood=max(1, lk - 1) if responded else None,
                residual_impact=im if responded else None,
                next_review_date=today + timedelta(days=rng.randint(-10, 40)),
                proximity_date=today + timedelta(days=rng.randint(5, 120)),
                **stamp,
            )
        )
    project.risk_seq = risks
    if i < 2:
        bundle.interviews.extend(_interviews(store, rng, phase, stamp))
    return bundle


def _interviews(
    store: Store, rng: random.Random, phase: str, stamp: dict[str, Any]
) -> list[InterviewSpec]:
    done = InterviewSpec(
        Assessment(
            phase=phase,
            department="IT",
            interviewer=rng.choice(PEOPLE),
            language="en",
            status="completed",
            completed_at=utcnow(),
            **stamp,
        )
    )
    ongoing = InterviewSpec(
        Assessment(
            phase=phase,
            department="Logistics",
            interviewer=rng.choice(PEOPLE),
            language="es",
            status="in_progress",
            **stamp,
        )
    )
    questions = store.bank.ordered()
    for j, q in enumerate(questions):
        done.answers.append(
            AnswerSpec(
                Answer(
                    question_key=q.key,
                    rating=rng.choice((0, 1, 2, 2, 3, 3)),
                    note="Checked with team lead" if j % 4 == 0 else "",
                    **stamp,
                )
            )
        )
        if j < len(questions) // 2:
            ongoing.answers.append(
                AnswerSpec(
                    Answer(
                        question_key=q.key,
                        rating=None if j % 7 == 3 else rng.choice((1, 2, 3)),
                        unknown=j % 7 == 3,
                        **stamp,
                    )
                )
            )
    return [done, ongoing]
