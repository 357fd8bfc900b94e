"""The weekly status report of a project (and the one-line-per-project portfolio).

:func:`collect` gathers everything through store reads; :func:`build` turns that into a
:class:`Report` of plain facts with pure functions, dated by the store's injected
``today`` (never the wall clock), so the same database and day always give the same
report. :func:`markdown` renders it; :mod:`ecpm_tui.report_html` renders the HTML.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ecpm_tui import lifecycle, pptf, risk
from ecpm_tui.health import HealthSuggestion

if TYPE_CHECKING:
    from ecpm_tui.models import Project
    from ecpm_tui.store import CardRow, GateStatus, ProjectSummary, RiskRow, Store, TransitionRow

TOP_RISKS = 10
RECENT_TRANSITIONS = 8
DEFAULT_WINDOW_DAYS = 7  # a weekly report: "since the last report" defaults to a week ago


@dataclass(frozen=True)
class TeamScores:
    """The latest completed PPTF interview of one team."""

    team: str
    phase: str
    scores: dict[pptf.Dimension, float | None]
    overall: float | None
    gaps: list[str]


@dataclass(frozen=True)
class Report:
    """Everything a status report says, as plain values (no database objects needed)."""

    project: Project
    today: date
    since: date
    gate: GateStatus
    suggested: HealthSuggestion
    progress: list[tuple[str, int, int]]
    """(phase label, done, total) per phase."""
    done_since: list[CardRow]
    overdue: list[CardRow]
    blocked: list[CardRow]
    matrix: dict[tuple[int, int], int]
    top_risks: list[RiskRow]
    open_conditions: list[tuple[str, str, str]]
    """(condition, owner, due date) of go-with-conditions decisions not done yet."""
    teams: list[TeamScores] = field(default_factory=list)
    transitions: list[TransitionRow] = field(default_factory=list)


def collect(store: Store, key: str, since: date | None = None) -> Report:
    """Read a project's facts through the store and build its report."""
    project = store.get_project_by_key(key)
    assert project.id is not None
    teams: dict[str, TeamScores] = {}
    for row, _scores in store.team_comparison(project.id):
        if row.status != "completed":
            continue  # readiness counts completed interviews only, as everywhere else
        summary = store.assessment_summary(row.id)
        gaps = [g.question.text_en for g in summary.gaps]
        # team_comparison is oldest first per team: the last one seen is the latest.
        teams[row.department] = TeamScores(
            row.department, row.phase or "", summary.scores, summary.overall, gaps
        )
    return build(
        project=project,
        today=store.today(),
        since=since,
        gate=store.gate_checks(project.id),
        suggested=store.suggested_health(project.id),
        cards=store.list_cards(project.id),
        risks=store.list_risks(project.id),
        teams=[teams[t] for t in sorted(teams)],
        transitions=store.transitions(project.id),
    )


def build(
    *,
    project: Project,
    today: date,
    since: date | None,
    gate: GateStatus,
    suggested: HealthSuggestion,
    cards: list[CardRow],
    risks: list[RiskRow],
    teams: list[TeamScores],
    transitions: list[TransitionRow],
) -> Report:
    """The report of one project from its facts (pure)."""
    start = since or today - timedelta(days=DEFAULT_WINDOW_DAYS)
    done = lifecycle.CardStatus.DONE.value
    progress = [
        (
            ph.label,
            sum(1 for c in cards if c.phase == ph.value and c.status == done),
            sum(1 for c in cards if c.phase == ph.value),
        )
        for ph in lifecycle.Phase
    ]
    # A card's last column entry is the only dated step a card keeps without the audit
    # trail, so "done since" means done cards that entered their column on or after it.
    done_since = [
        c
        for c in cards
        if c.status == done and c.entered_at is not None and c.entered_at.date() >= start
    ]
    overdue = sorted(
        (c for c in cards if c.status != done and c.due_date and c.due_date < today),
        key=lambda c: (c.due_date, c.id),
    )
    blocked = [c for c in cards if c.status == lifecycle.CardStatus.BLOCKED.value]
    open_threats = [r for r in risks if risk.is_open(r.status) and r.kind == "threat"]
    matrix = Counter((r.likelihood, r.impact) for r in open_threats)
    by_id = {c.id: c for c in cards}
    return Report(
        project=project,
        today=today,
        since=start,
        gate=gate,
        suggested=suggested,
        progress=progress,
        done_since=done_since,
        overdue=overdue,
        blocked=blocked,
        matrix=dict(matrix),
        top_risks=open_threats[:TOP_RISKS],  # list_risks is highest level first
        open_conditions=open_conditions(transitions, by_id),
        teams=teams,
        transitions=transitions[-RECENT_TRANSITIONS:][::-1],
    )


def open_conditions(
    transitions: list[TransitionRow], cards: dict[int, CardRow]
) -> list[tuple[str, str, str]]:
    """Conditions of go-with-conditions decisions whose card is not done yet."""
    out: list[tuple[str, str, str]] = []
    for t in transitions:
        try:
            items = json.loads(t.conditions) if t.conditions else []
        except ValueError:
            continue  # an old or hand-edited row: say nothing rather than crash a report
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            card = cards.get(item.get("card_id") or -1)
            if card is not None and card.status == lifecycle.CardStatus.DONE.value:
                continue
            out.append(
                (str(item.get("text", "")), str(item.get("owner", "")), str(item.get("due_date")))
            )
    return out


# -- Markdown ---------------------------------------------------------------------------


def md(text: object) -> str:
    """User text as one Markdown table-safe line (pipes escaped, line breaks folded)."""
    return " ".join(str(text).split()).replace("\\", "\\\\").replace("|", "\\|")


def pct(value: float | None) -> str:
    """A score as a whole percentage, or a dash."""
    return "-" if value is None else f"{value:.0f}%"


def phase_label(value: str) -> str:
    """The display name of a stored phase value (unknown values as they are)."""
    try:
        return lifecycle.Phase(value).label
    except ValueError:
        return value


def _cards_table(cards: list[CardRow], empty: str) -> list[str]:
    if not cards:
        return [empty, ""]
    lines = ["| Card | Phase | Assignee | Due | Blocked reason |", "|---|---|---|---|---|"]
    lines += [
        f"| #{c.id} {md(c.title)} | {phase_label(c.phase)} | {md(c.assignee) or '-'} "
        f"| {c.due_date or '-'} | {md(c.blocked_reason) or '-'} |"
        for c in cards
    ]
    return [*lines, ""]


def markdown(r: Report) -> str:
    """The status report as Markdown."""
    p = r.project
    gate = r.gate
    met = sum(1 for c in gate.checks if c.done)
    out = [
        f"# Status report: {md(p.key)} {md(p.name)}",
        "",
        f"Date: {r.today.isoformat()} · covering {r.since.isoformat()} to {r.today.isoformat()}",
        f"Sponsor: {md(p.sponsor) or '-'} · Manager: {md(p.manager) or '-'} · "
        f"State: {p.state} · Target: {p.target_date or '-'}",
        "",
        "## Phase and gate",
        "",
        f"Phase: **{phase_label(p.phase)}** · gate criteria met {met} of {len(gate.checks)}",
        "",
    ]
    out += [
        f"- [{'x' if c.done else ' '}] {md(c.text)}{' (mandatory)' if c.mandatory else ''}"
        for c in gate.checks
    ]
    out += ["", "Open conditions:" if r.open_conditions else "No open conditions.", ""]
    out += [f"- {md(t)} (owner {md(o) or '-'}, due {d})" for t, o, d in r.open_conditions]
    out += [""] if r.open_conditions else []
    out += [
        "## Health",
        "",
        f"Manual: **{p.health}**" + (f" ({md(p.health_note)})" if p.health_note else ""),
        f"Suggested: **{r.suggested.health.value}**",
        "",
    ]
    out += [f"- {md(reason)}" for reason in r.suggested.reasons] + [""]
    out += ["## Progress per phase", "", "| Phase | Done | Total | % |", "|---|---:|---:|---:|"]
    out += [
        f"| {label} | {done} | {total} | {pct(100 * done / total if total else None)} |"
        for label, done, total in r.progress
    ]
    out += ["", f"## Cards done since {r.since.isoformat()}", ""]
    out += [f"- #{c.id} {md(c.title)} ({phase_label(c.phase)})" for c in r.done_since] or ["None."]
    out += ["", "## Overdue cards", "", *_cards_table(r.overdue, "None.")]
    out += ["## Blocked cards", "", *_cards_table(r.blocked, "None.")]
    out += ["## Risks", "", "Open threats by likelihood and impact:", "", "```"]
    out += [risk.text_grid(r.matrix).rstrip("\n"), "```", ""]
    out += _risks_table(r.top_risks)
    out += ["## PPTF readiness", "", *_pptf_table(r.teams)]
    out += ["## Recent transitions and decisions", "", *_transitions(r.transitions)]
    return "\n".join(out).rstrip("\n") + "\n"


def _risks_table(items: list[RiskRow]) -> list[str]:
    if not items:
        return ["No open threats.", ""]
    lines = ["| Level | Risk | Owner | Next review |", "|---|---|---|---|"]
    lines += [
        f"| {risk.level(x.likelihood, x.impact).value} | {md(x.ref)} {md(x.title)} "
        f"| {md(x.owner) or '-'} | {x.next_review_date or '-'} |"
        for x in items
    ]
    return [*lines, ""]


def _pptf_table(teams: list[TeamScores]) -> list[str]:
    if not teams:
        return ["No completed interviews.", ""]
    dims = " | ".join(d.label for d in pptf.Dimension)
    lines = [f"| Team | Phase | {dims} | Overall |", "|---|---|" + "---:|" * 5]
    lines += [
        f"| {md(t.team)} | {phase_label(t.phase) or '-'} | "
        + " | ".join(pct(t.scores.get(d)) for d in pptf.Dimension)
        + f" | {pct(t.overall)} |"
        for t in teams
    ]
    lines.append("")
    for t in teams:
        if t.gaps:
            lines += [f"Gaps of {md(t.team)}:", ""] + [f"- {md(g)}" for g in t.gaps] + [""]
    return lines


def _transitions(items: list[TransitionRow]) -> list[str]:
    if not items:
        return ["None recorded."]
    return [
        f"- {t.at.date().isoformat()} {phase_label(t.from_phase)} -> {phase_label(t.to_phase)}: "
        f"{decision_label(t.decision)} by {md(t.by)}" + (f" ({md(t.reason)})" if t.reason else "")
        for t in items
    ]


def decision_label(value: str) -> str:
    """The display name of a stored decision."""
    try:
        return lifecycle.Decision(value).label
    except ValueError:
        return value


# -- portfolio --------------------------------------------------------------------------


def portfolio_markdown(summaries: list[ProjectSummary], today: date) -> str:
    """One line per project: phase, health (manual and suggested), progress, risks, PPTF."""
    out = [
        f"# Portfolio report {today.isoformat()}",
        "",
        "| Project | Phase | Health | Suggested | Done | Extreme/High risks | Overdue | PPTF |",
        "|---|---|---|---|---:|---|---:|---:|",
    ]
    for s in summaries:
        p = s.project
        suggested = s.suggested.health.value if s.suggested else "-"
        out.append(
            f"| {md(p.key)} {md(p.name)} | {phase_label(p.phase)} | {p.health} | {suggested} "
            f"| {pct(s.progress)} | {s.extreme_risks}/{s.high_risks} | {s.overdue} "
            f"| {pct(s.readiness)} |"
        )
    return "\n".join(out) + "\n"


def portfolio(store: Store, fmt: str = "md") -> str:
    """The portfolio report of every active project, as Markdown (or ``fmt="html"``)."""
    if fmt == "html":
        from ecpm_tui.report_html import portfolio_html

        return portfolio_html(store.project_summaries(), store.today())
    return portfolio_markdown(store.project_summaries(), store.today())
