"""Chart data for the Charts screen: plain series computed from store reads (no Textual).

Three charts of one project:

* **Cumulative flow**: the project's cards per phase over time, replayed from the audit
  trail (card create / move / edit / delete / undo events).
* **Risk exposure**: the sum of open threat scores at the end of each week, inherent and
  current (residual where set), replayed from the risk audit events.
* **PPTF readiness**: each dimension's score per phase, from the interviews project
  readiness counts (completed only, the latest per team and phase).

History is rebuilt from today's records and the changes the trail records: a record
with no creation event (demo data, imports) was there from the start, with the values
its first recorded change started from, else the values it has today. The store's
``today`` dates the charts, so they are the same on any day for a fixed database.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ecpm_tui import lifecycle, pptf, risk

if TYPE_CHECKING:
    from ecpm_tui.store import CardRow, EventRow, InterviewListRow, RiskRow, Store

FLOW_POINTS = 60
"""At most this many samples on the flow chart (one every few days on a long project)."""
EXPOSURE_WEEKS = 26
"""The exposure trend shows at most the last half year, week by week."""

State = dict[str, Any]
PHASE_SHORT = {
    "initiation": "Init",
    "planning": "Plan",
    "execution": "Exec",
    "monitoring": "M&C",
    "closure": "Close",
}


SHORT_LABELS = {lifecycle.Phase(k).label: v for k, v in PHASE_SHORT.items()} | {
    "Current (residual where set)": "Current"
}


def short_label(label: str) -> str:
    """A series name short enough for an 80-column legend."""
    return SHORT_LABELS.get(label, label)


@dataclass(frozen=True, slots=True)
class Series:
    """One named line or bar group; ``None`` where there is nothing to show."""

    label: str
    values: tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class ChartData:
    """One chart: the x labels and the series drawn over them."""

    title: str
    x_labels: tuple[str, ...]
    series: tuple[Series, ...]
    y_label: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class ProjectCharts:
    """The three charts of one project."""

    project_key: str
    project_name: str
    flow: ChartData
    exposure: ChartData
    readiness: ChartData


@dataclass(frozen=True, slots=True)
class Change:
    """One audit event reduced to what a replay needs."""

    day: date
    entity_id: int
    action: str
    changes: Mapping[str, list[Any]]


def parse(events: Iterable[EventRow], entity: str, today: date) -> list[Change]:
    """The *entity* events by day, then in trail order, as :class:`Change` (bad JSON: no
    changes). An event after *today* (the store's clock is behind the trail) counts on today.
    """
    out: list[Change] = []
    for e in sorted(events, key=lambda e: e.id):
        if e.entity != entity or e.entity_id is None:
            continue
        try:
            raw = json.loads(e.changes or "{}")
        except json.JSONDecodeError:
            raw = {}
        diff = (
            {k: v for k, v in raw.items() if isinstance(v, list) and len(v) == 2}
            if isinstance(raw, dict)
            else {}
        )
        out.append(Change(min(_day(e.at), today), e.entity_id, e.action, diff))
    # Stable: the same day keeps the trail's order (a clock set back cannot reorder days).
    out.sort(key=lambda c: c.day)
    return out


def _day(at: datetime) -> date:
    return at.date()


def _born(c: Change) -> bool:
    """The record came into being: created, or its deletion undone."""
    title = c.changes.get("title")
    return c.action == "create" or (c.action == "undo" and title is not None and title[0] is None)


def _died(c: Change) -> bool:
    """The record went away: deleted, or its creation undone."""
    title = c.changes.get("title")
    return c.action == "delete" or (c.action == "undo" and title is not None and title[1] is None)


def replay(
    changes: Sequence[Change],
    current: Mapping[int, State],
    names: tuple[str, ...],
    days: Sequence[date],
    measure: Callable[[Mapping[int, State]], tuple[float, ...]],
) -> list[tuple[float, ...]]:
    """``measure`` of the records alive at the end of each of *days* (ascending): one
    tuple of numbers a day, one number per series, so the trail is replayed once.

    Records whose first event is not a creation were there before the trail starts,
    with the values the first change of each field started from (else today's).
    """
    first: dict[int, State] = {}
    opened: dict[int, bool] = {}
    for c in changes:
        if not (_born(c) or _died(c) or any(name in c.changes for name in names)):
            continue  # e.g. a WIP override, audited just before the card's creation
        opened.setdefault(c.entity_id, _born(c))
        known = first.setdefault(c.entity_id, {})
        for name in names:
            if name in c.changes and name not in known:
                old, new = c.changes[name]
                known[name] = new if _born(c) else old
    for rid, values in current.items():
        known = first.setdefault(rid, {})
        for name in names:
            known.setdefault(name, values.get(name))
    alive: dict[int, State] = {rid: dict(first[rid]) for rid in first if not opened.get(rid, False)}
    last: dict[int, State] = {rid: dict(v) for rid, v in first.items()}
    out: list[tuple[float, ...]] = []
    i = 0
    for day in days:
        while i < len(changes) and changes[i].day <= day:
            c = changes[i]
            i += 1
            state = last.setdefault(c.entity_id, {})
            for name in names:
                if name in c.changes and c.changes[name][1] is not None:
                    state[name] = c.changes[name][1]
            if _died(c):
                alive.pop(c.entity_id, None)
            elif _born(c) or c.entity_id in alive:
                alive[c.entity_id] = dict(state)
        out.append(measure(alive))
    return out


def sample_days(start: date, today: date, points: int, step: int = 1) -> list[date]:
    """Days ending on *today*, *step* days apart, back to *start*, at most *points*."""
    start = min(start, today)
    span = (today - start).days
    if step == 1 and span + 1 > points:
        step = -(-span // (points - 1))  # ceiling: the first sample stays near the start
    count = min(points, span // step + 1)
    return [today - timedelta(days=step * k) for k in range(count - 1, -1, -1)]


def cumulative_flow(
    events: Iterable[EventRow], cards: Iterable[CardRow], start: date, today: date
) -> ChartData:
    """Cards per phase at the end of each sampled day since *start* (stacked in the UI)."""
    changes = parse(events, "card", today)
    current = {c.id: {"phase": c.phase} for c in cards}
    days = sample_days(start, today, FLOW_POINTS)
    phases = [p.value for p in lifecycle.PHASES]

    def count(alive: Mapping[int, State]) -> tuple[float, ...]:
        found = Counter(v.get("phase") for v in alive.values())
        return tuple(float(found[ph]) for ph in phases)

    daily = replay(changes, current, ("phase",), days, count)
    series = [
        Series(phase.label, tuple(day[n] for day in daily))
        for n, phase in enumerate(lifecycle.PHASES)
    ]
    note = "" if changes else "No card events yet: the cards as they are today."
    return ChartData(
        "Cumulative flow: cards per phase",
        tuple(d.isoformat() for d in days),
        tuple(series),
        "cards",
        note,
    )


RISK_FIELDS = (
    "kind",
    "status",
    "likelihood",
    "impact",
    "residual_likelihood",
    "residual_impact",
)


def _exposure(alive: Mapping[int, State]) -> tuple[float, ...]:
    """(inherent, current) sums of the open threats' scores; current uses the residual
    score where both residual values are set."""
    inherent = current = 0
    for v in alive.values():
        if (v.get("kind") or "threat") != "threat" or not risk.is_open(v.get("status") or ""):
            continue
        lk, im = v.get("likelihood"), v.get("impact")
        if lk is None or im is None:
            continue  # a risk whose scores the trail never told
        rl, ri = v.get("residual_likelihood"), v.get("residual_impact")
        inherent += int(lk) * int(im)
        current += int(rl) * int(ri) if rl is not None and ri is not None else int(lk) * int(im)
    return float(inherent), float(current)


def risk_exposure(
    events: Iterable[EventRow], risks: Iterable[RiskRow], start: date, today: date
) -> ChartData:
    """The sum of open threat scores at the end of each week ending on *today*."""
    changes = parse(events, "risk", today)
    current = {r.id: {n: getattr(r, n) for n in RISK_FIELDS} for r in risks}
    days = sample_days(start, today, EXPOSURE_WEEKS, step=7)
    daily = replay(changes, current, RISK_FIELDS, days, _exposure)
    series = (
        Series("Inherent", tuple(day[0] for day in daily)),
        Series("Current (residual where set)", tuple(day[1] for day in daily)),
    )
    note = "" if changes else "No risk events yet: the risks as they are today."
    return ChartData(
        "Risk exposure: open threat scores, weekly",
        tuple(d.isoformat() for d in days),
        series,
        "score",
        note,
    )


def pptf_readiness(interviews: Iterable[InterviewListRow]) -> ChartData:
    """Each dimension's average score per phase over the interviews readiness counts."""
    rows = list(interviews)
    keys = [
        pptf.InterviewKey(
            r.assessment.id,
            r.assessment.department,
            r.assessment.phase,
            r.assessment.status,
            r.assessment.completed_at,
        )
        for r in rows
    ]
    counted = set(pptf.readiness_interviews(keys))
    series = []
    for dim in pptf.DIMENSIONS:
        values: list[float | None] = []
        for phase in lifecycle.PHASES:
            scores = [
                score
                for r in rows
                if r.assessment.id in counted and r.assessment.phase == phase.value
                if (score := r.scores.get(dim)) is not None
            ]
            values.append(round(sum(scores) / len(scores), 1) if scores else None)
        series.append(Series(dim.label, tuple(values)))
    note = "" if counted else "No completed PPTF interview yet."
    return ChartData(
        "PPTF readiness per dimension (%)",
        tuple(PHASE_SHORT[p.value] for p in lifecycle.PHASES),
        tuple(series),
        "%",
        note,
    )


def collect(store: Store, project_id: int) -> ProjectCharts:
    """Read what the three charts of a project need and compute them."""
    project = store.get_project(project_id)
    today = store.today()
    events = store.project_events(project_id, ("card", "risk"))
    first_event = min((_day(e.at) for e in events), default=today)
    # From the project's start (cards there before the trail show as flat lines).
    start = min(project.start_date or today, first_event)
    return ProjectCharts(
        project.key,
        project.name,
        cumulative_flow(events, store.list_cards(project_id), start, today),
        risk_exposure(events, store.list_risks(project_id), start, today),
        pptf_readiness(store.list_interviews(project_id)),
    )
