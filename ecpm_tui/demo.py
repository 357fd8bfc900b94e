"""Realistic e-commerce demo data, written in one transaction."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from ecpm_tui import lifecycle, risk
from ecpm_tui.demo_data import (
    BLOCKERS,
    CARD_TITLES,
    DEPARTMENTS,
    INTERVIEW_TEAMS,
    OPPORTUNITIES,
    PEOPLE,
    PROJECTS,
    QUALIFIERS,
    WORKSTREAMS_BY_PROJECT,
)
from ecpm_tui.models import (
    Answer,
    Assessment,
    AuditEvent,
    Card,
    PhaseTransition,
    Project,
    Risk,
)
from ecpm_tui.store import (
    AnswerSpec,
    EventSpec,
    InterviewSpec,
    ProjectBundle,
    Store,
    default_gate_checks,
)


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
    store: Store,
    projects: int = 5,
    cards: int = 200,
    risks: int = 40,
    seed: int = 7,
    on_project: Callable[[], None] | None = None,
) -> DemoResult:
    """Add demo projects with cards across all workstreams and phases, template risks
    spread across the matrix, and one completed plus one in-progress PPTF interview.

    *on_project* is called after each project is built (before the one write), for a
    progress bar."""
    rng = random.Random(seed)
    taken = {p.key for p in store.list_projects(include_archived=True)}
    bundles = []
    for i in range(projects):
        bundles.append(_project(store, rng, i, _key_for(i, taken), cards, risks))
        if on_project is not None:
            on_project()
    done = store.create_bundles(
        bundles,
        "demo",
        f"Generated demo data: {len(bundles)} projects, {cards * len(bundles)} cards, "
        f"{risks * len(bundles)} risks",
    )
    return DemoResult(done.projects, done.cards, done.risks, done.assessments)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _project(
    store: Store, rng: random.Random, i: int, key: str, cards: int, risks: int
) -> ProjectBundle:
    today = store.today()
    stamp = store.stamp()
    spec = dict(PROJECTS[i % len(PROJECTS)])
    base_key = spec["key"]
    spec["key"] = key
    if i >= len(PROJECTS):
        spec["name"] = f"{spec['name']} ({QUALIFIERS[i % len(QUALIFIERS)]})"
    phase = spec.pop("phase")
    start = today - timedelta(days=rng.randint(30, 200))
    current = lifecycle.phase_index(lifecycle.Phase(phase))
    closed = base_key == "PAYX"  # the finished project: closure gate passed, risks closed
    project = Project(
        **{k: v for k, v in spec.items() if k != "budget"},
        phase=phase,
        state=lifecycle.ProjectState.CLOSED.value if closed else "active",
        budget=Decimal(spec["budget"]),
        currency="EUR",
        manager=rng.choice(PEOPLE),
        start_date=start,
        target_date=start + timedelta(days=rng.randint(120, 360)),
        description=f"Demo project: {spec['name']}.",
        **stamp,
    )
    bundle = ProjectBundle(project, gate_checks=default_gate_checks(stamp))
    _history(bundle, rng, current, closed, start, spec["sponsor"])
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
    _cards(bundle, rng, WORKSTREAMS_BY_PROJECT[base_key], cards, current, today, stamp)
    _risks(bundle, rng, risks, closed, today, stamp)
    project.risk_seq = risks
    bundle.interviews.extend(_interviews(store, rng, i, phase, stamp))
    return bundle


def _history(
    bundle: ProjectBundle,
    rng: random.Random,
    current: int,
    closed: bool,
    start: date,
    sponsor: str,
) -> None:
    """Ticked gates of the phases passed, and a transition through each: go when the gate
    was met, else go with conditions naming the criteria really left open."""
    passed = list(lifecycle.PHASES[:current]) + ([lifecycle.Phase.CLOSURE] if closed else [])
    for n, ph in enumerate(passed):
        unmet = []
        checks = [c for c in bundle.gate_checks if c.phase == ph.value]
        # Mostly a clean go; about one gate in four passed with one or two optional
        # criteria left open (never a mandatory one).
        optional = [c.criterion_key for c in checks if not c.mandatory]
        left_open: set[str] = set()
        if not closed and optional and rng.random() < 0.25:
            left_open = set(rng.sample(optional, min(len(optional), rng.randint(1, 2))))
        for check in checks:
            check.done = check.criterion_key not in left_open
            check.done_by = rng.choice(PEOPLE) if check.done else None
            check.done_at = _at(start + timedelta(days=30 * n + 25)) if check.done else None
            if not check.done:
                unmet.append(check.text)
        nxt = lifecycle.next_phase(ph) or ph
        conditions = [
            {"text": text, "owner": rng.choice(PEOPLE), "due_date": "", "card_id": None}
            for text in unmet
        ]
        bundle.transitions.append(
            PhaseTransition(
                from_phase=ph.value,
                to_phase=nxt.value,
                by=rng.choice(PEOPLE),
                at=_at(start + timedelta(days=30 * (n + 1))),
                decision="go_with_conditions" if unmet else "go",
                reason="Open items owned and dated as conditions" if unmet else "",
                unmet_criteria=json.dumps(unmet),
                approved_by=sponsor,
                conditions=json.dumps(conditions),
            )
        )


def _cards(
    bundle: ProjectBundle,
    rng: random.Random,
    workstreams: tuple[str, ...],
    cards: int,
    current: int,
    today: date,
    stamp: dict[str, Any],
) -> None:
    """Cards of the project's own workstreams: done in the phases passed, in progress in
    the current one, a todo backlog in the next one; distinct titles."""
    pool = [(ws, title) for ws in workstreams for title in CARD_TITLES[ws]]
    ranks: dict[str, int] = {}
    last = len(lifecycle.PHASES) - 1
    for n in range(cards):
        ws, title = pool[n % len(pool)]
        rounds = n // len(pool)
        if rounds:
            title = f"{title} ({QUALIFIERS[(rounds - 1) % len(QUALIFIERS)]})"
        index = min(last, max(0, current + rng.choice((-2, -1, 0, 0, 0, 1))))
        ph = lifecycle.PHASES[index]
        ranks[ph.value] = ranks.get(ph.value, 0) + 1
        if index < current:
            status, age, due = "done", 30 + (n * 7) % 60, -rng.randint(20, 90)
        elif index == current:
            status = rng.choice(("todo", "todo", "doing", "doing", "blocked", "done"))
            age, due = (n * 7) % 31, rng.randint(-15, 60)
        else:
            status, age, due = "todo", (n * 3) % 10, rng.randint(30, 120)
        kind = (
            "milestone"
            if n % 25 == 0
            else rng.choice(("task", "task", "deliverable", "requirement"))
        )
        bundle.cards.append(
            Card(
                title=title,
                description=f"{lifecycle.Workstream(ws).label} work for this project.",
                phase=ph.value,
                rank=ranks[ph.value],
                status=status,
                kind=kind,
                workstream=ws,
                assignee=rng.choice(PEOPLE),
                department=rng.choice(DEPARTMENTS),
                priority=rng.choice(("low", "medium", "medium", "high", "critical")),
                due_date=today + timedelta(days=due),
                estimate=rng.choice((1, 2, 3, 5, 8, 13)),
                tags=rng.choice(("peak", "mvp", "", "compliance")),
                blocked_reason=rng.choice(BLOCKERS) if status == "blocked" else "",
                entered_at=_at(today - timedelta(days=age), 9),
                **stamp,
            )
        )


def _risks(
    bundle: ProjectBundle,
    rng: random.Random,
    risks: int,
    closed: bool,
    today: date,
    stamp: dict[str, Any],
) -> None:
    """Template threats and some opportunities, with varied responses and residuals that
    respect the rules (never above inherent); all closed when the project is."""
    threat_responses = [r.value for r in risk.THREAT_RESPONSES]
    opportunity_responses = [r.value for r in risk.OPPORTUNITY_RESPONSES]
    for n in range(risks):
        if n % 5 == 4:
            title, category, workstream = OPPORTUNITIES[(n // 5) % len(OPPORTUNITIES)]
            kind, cause, effect, mitigation = "opportunity", "", "", ""
            lk, im = rng.randint(2, 4), rng.randint(2, 4)
        else:
            t = risk.TEMPLATES[n % len(risk.TEMPLATES)]
            title, category, workstream = t.title, t.category, t.workstream
            kind, cause, effect, mitigation = "threat", t.cause, t.effect, t.mitigation
            lk = max(1, min(5, t.likelihood + rng.randint(-1, 1)))
            im = max(1, min(5, t.impact + rng.randint(-1, 0)))
        responded = closed or rng.random() < 0.65
        response = None
        res_l = res_i = None
        status = rng.choice(("identified", "assessed"))
        if responded:
            choices = opportunity_responses if kind == "opportunity" else threat_responses
            response = rng.choice(choices)
            status = rng.choice(("response_planned", "monitoring"))
            # Residuals never above inherent: what risk.validate_risk_assessment accepts
            # (an import of the exported demo must pass it).
            if response == "accept":
                res_l, res_i = lk, im
            else:
                res_l, res_i = max(1, lk - rng.randint(0, 2)), max(1, im - rng.randint(0, 1))
        if closed:
            status = "closed"
        bundle.risks.append(
            Risk(
                ref=f"R-{n + 1:03d}",
                title=title,
                kind=kind,
                category=category,
                cause=cause,
                effect=effect,
                mitigation=mitigation,
                workstream=workstream,
                owner=rng.choice(PEOPLE),
                likelihood=lk,
                impact=im,
                response=response,
                status=status,
                residual_likelihood=res_l,
                residual_impact=res_i,
                next_review_date=today + timedelta(days=rng.randint(-10, 40)),
                proximity_date=today + timedelta(days=rng.randint(5, 120)),
                closed_reason="Closed at project closure; handed over to operations"
                if closed
                else "",
                **stamp,
            )
        )


def _interviews(
    store: Store, rng: random.Random, i: int, phase: str, stamp: dict[str, Any]
) -> list[InterviewSpec]:
    """Completed interviews (the first project also has one in progress), with
    ``completed_at`` after ``started_at``."""
    if i >= len(INTERVIEW_TEAMS):
        return []
    today = store.today()
    questions = store.bank.ordered()
    out: list[InterviewSpec] = []
    for n, (team, language) in enumerate(INTERVIEW_TEAMS[i]):
        ongoing = i == 0 and n == 1
        started = _at(today - timedelta(days=rng.randint(3, 40)))
        spec = InterviewSpec(
            Assessment(
                phase=phase,
                department=team,
                interviewer=rng.choice(PEOPLE),
                language=language,
                status="in_progress" if ongoing else "completed",
                started_at=started,
                completed_at=None if ongoing else started + timedelta(hours=rng.randint(1, 3)),
                **stamp,
            )
        )
        answered = questions[: len(questions) // 2] if ongoing else questions
        for j, q in enumerate(answered):
            unknown = ongoing and j % 7 == 3
            spec.answers.append(
                AnswerSpec(
                    Answer(
                        question_key=q.key,
                        rating=None if unknown else rng.choice((0, 1, 2, 2, 3, 3)),
                        unknown=unknown,
                        note="Checked with team lead" if j % 4 == 0 else "",
                        **stamp,
                    )
                )
            )
        out.append(spec)
    return out
