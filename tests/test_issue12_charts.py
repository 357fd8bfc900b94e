"""Issue 12 item 3: chart data computed from a known audit trail (exact series)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from ecpm_tui import charts, pptf
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.store import AssessmentRow, CardRow, EventRow, InterviewListRow, RiskRow, Store

_ids = iter(range(1, 10_000))


def event(day: str, entity: str, entity_id: int, action: str, **changes: list[Any]) -> EventRow:
    at = datetime.combine(date.fromisoformat(day), time(12), tzinfo=UTC)
    return EventRow(next(_ids), at, "alice", entity, entity_id, 1, action, "", json.dumps(changes))


def card(card_id: int, phase: str) -> CardRow:
    return CardRow(
        card_id, 1, f"card {card_id}", "", phase, 1, "todo", "task", "", "", "", "medium",
        None, None, "", "", "", 1, "alice",
    )  # fmt: skip


def a_risk(
    risk_id: int,
    kind: str,
    status: str,
    lk: int,
    im: int,
    rl: int | None = None,
    ri: int | None = None,
) -> RiskRow:
    return RiskRow(
        risk_id, 1, f"R-{risk_id:03}", "t", "", "", kind, "payments", "", "", "", status, None,
        lk, im, rl, ri, "", "", "", None, None, "", "", "", None, 1, "alice",
    )  # fmt: skip


def values(chart: charts.ChartData) -> dict[str, list[float | None]]:
    return {s.label: list(s.values) for s in chart.series}


def test_cumulative_flow_replays_creates_moves_deletes_and_undo() -> None:
    events = [
        # Card 1: created in Initiation, moved twice.
        event("2026-03-02", "card", 1, "create", title=[None, "c1"], phase=[None, "initiation"]),
        event("2026-03-04", "card", 1, "move", phase=["initiation", "planning"]),
        event("2026-03-06", "card", 1, "update", phase=["planning", "execution"]),
        # Card 2: created, deleted (its snapshot names the phase), the deletion undone.
        event("2026-03-03", "card", 2, "create", title=[None, "c2"], phase=[None, "initiation"]),
        event("2026-03-05", "card", 2, "delete", title=["c2", None], phase=["initiation", None]),
        event("2026-03-07", "card", 2, "undo", title=[None, "c2"], undo_of=[None, 5]),
        # Card 3 has no creation event (demo data): there from the start; a status change
        # does not move it.
        event("2026-03-05", "card", 3, "status", status=["todo", "doing"]),
        # Card 4 (imported) was in Execution until its first recorded move.
        event("2026-03-08", "card", 4, "move", phase=["execution", "monitoring"]),
        # Card 5: a PPTF gap card, its creation audited with the title only; a WIP override
        # is audited just before the creation.
        event("2026-03-09", "card", 5, "wip_override", wip=[None, "3/3"]),
        event("2026-03-09", "card", 5, "create", title=[None, "c5"]),
        # Another entity's events never count.
        event("2026-03-09", "risk", 1, "create", title=[None, "r"], phase=[None, "closure"]),
    ]
    now = [card(1, "execution"), card(2, "initiation"), card(3, "planning")]
    now += [card(4, "monitoring"), card(5, "closure")]
    chart = charts.cumulative_flow(events, now, date(2026, 3, 1), date(2026, 3, 10))
    assert chart.x_labels[0] == "2026-03-01"
    assert chart.x_labels[-1] == "2026-03-10"
    assert len(chart.x_labels) == 10
    assert values(chart) == {
        "Initiation": [0, 1, 2, 1, 0, 0, 1, 1, 1, 1],
        "Planning": [1, 1, 1, 2, 2, 1, 1, 1, 1, 1],
        "Execution": [1, 1, 1, 1, 1, 2, 2, 1, 1, 1],
        "Monitoring & Control": [0, 0, 0, 0, 0, 0, 0, 1, 1, 1],
        "Closure": [0, 0, 0, 0, 0, 0, 0, 0, 1, 1],
    }
    assert chart.note == ""


def test_cumulative_flow_samples_a_long_project_and_clamps_future_events() -> None:
    events = [
        event("2027-01-05", "card", 1, "create", title=[None, "c1"], phase=[None, "planning"])
    ]
    now = [card(1, "planning")]
    chart = charts.cumulative_flow(events, now, date(2025, 1, 1), date(2026, 1, 1))
    assert len(chart.x_labels) <= charts.FLOW_POINTS
    assert chart.x_labels[-1] == "2026-01-01"  # always ends on the store's today
    # The event dated after today (a clock behind the trail) counts on today.
    assert values(chart)["Planning"][-2:] == [0, 1]


def test_cards_without_history_are_flat() -> None:
    chart = charts.cumulative_flow([], [card(1, "planning")], date(2026, 3, 1), date(2026, 3, 3))
    assert values(chart)["Planning"] == [1, 1, 1]
    assert chart.note.startswith("No card events yet")


def test_risk_exposure_sums_open_threat_scores_weekly() -> None:
    events = [
        event("2026-03-03", "risk", 1, "create", title=[None, "r1"], kind=[None, "threat"],
              status=[None, "identified"], likelihood=[None, 4], impact=[None, 4],
              residual_likelihood=[None, None], residual_impact=[None, None]),
        event("2026-03-03", "risk", 3, "create", title=[None, "r3"], kind=[None, "opportunity"],
              status=[None, "identified"], likelihood=[None, 5], impact=[None, 5]),
        event("2026-03-10", "risk", 4, "create", title=[None, "r4"], kind=[None, "threat"],
              status=[None, "identified"], likelihood=[None, 3], impact=[None, 3]),
        event("2026-03-12", "risk", 6, "delete", title=["r6", None]),
        event("2026-03-20", "risk", 4, "close", status=["identified", "closed"],
              closed_reason=["", "gone"]),
        event("2026-03-21", "risk", 1, "update", response=[None, "mitigate"],
              residual_likelihood=[None, 2], residual_impact=[None, 4]),
        event("2026-03-22", "risk", 2, "review", next_review_date=["2026-03-01", "2026-04-01"]),
        event("2026-03-25", "risk", 5, "create", title=[None, "r5"], likelihood=[None, 4],
              impact=[None, 3]),
    ]  # fmt: skip
    now = [
        a_risk(1, "threat", "identified", 4, 4, 2, 4),
        a_risk(2, "threat", "monitoring", 3, 5, 2, 5),  # no events: there all along
        a_risk(3, "opportunity", "identified", 5, 5),
        a_risk(4, "threat", "closed", 3, 3),
        a_risk(5, "threat", "identified", 4, 3),
    ]
    chart = charts.risk_exposure(events, now, date(2026, 3, 1), date(2026, 3, 30))
    assert chart.x_labels == ("2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30")
    assert values(chart) == {
        "Inherent": [15, 31, 40, 31, 43],
        "Current (residual where set)": [10, 26, 35, 18, 30],
    }


def test_risk_exposure_keeps_the_last_half_year() -> None:
    chart = charts.risk_exposure([], [a_risk(1, "threat", "identified", 2, 2)],
                                 date(2024, 1, 1), date(2026, 3, 30))  # fmt: skip
    assert len(chart.x_labels) == charts.EXPOSURE_WEEKS
    assert set(values(chart)["Inherent"]) == {4}


def interview(
    aid: int, team: str, phase: str, status: str, day: int, scores: tuple[float | None, ...]
) -> InterviewListRow:
    done = datetime(2026, 3, day, tzinfo=UTC) if status == "completed" else None
    a = AssessmentRow(aid, 1, phase, None, team, "me", "en", status, datetime(2026, 3, 1), done, 1)
    return InterviewListRow(a, "SHOP", None, dict(zip(pptf.DIMENSIONS, scores, strict=True)),
                            None, 1, 1)  # fmt: skip


def test_pptf_readiness_counts_the_latest_completed_interview_per_team_and_phase() -> None:
    rows = [
        interview(1, "IT", "initiation", "completed", 1, (50, 60, 70, None)),
        interview(2, "it ", "initiation", "completed", 5, (80, 40, 100, 20)),  # replaces 1
        interview(3, "Finance", "initiation", "completed", 2, (60, 60, 50, 90)),
        interview(4, "IT", "planning", "in_progress", 1, (0, 0, 0, 0)),  # never counted
        interview(5, "Logistics", "planning", "completed", 3, (30, 30, 30, 30)),
    ]
    chart = charts.pptf_readiness(rows)
    assert chart.x_labels == ("Init", "Plan", "Exec", "M&C", "Close")
    assert values(chart) == {
        "People": [70, 30, None, None, None],
        "Processes": [50, 30, None, None, None],
        "Technology": [75, 30, None, None, None],
        "Finance": [55, 30, None, None, None],
    }
    assert charts.pptf_readiness(rows[3:4]).note == "No completed PPTF interview yet."


# -- the same from a real database: the events the store writes -----------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'charts.db'}", "test"))
    yield Store(db, user="alice", today=lambda: date(2026, 3, 9))
    db.close()


def test_collect_replays_the_trail_the_store_writes(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = {"now": datetime(2026, 3, 2, 9, tzinfo=UTC)}
    monkeypatch.setattr("ecpm_tui.store.base.utcnow", lambda: clock["now"])

    def on(day: int) -> None:
        clock["now"] = datetime(2026, 3, day, 9, tzinfo=UTC)

    project = store.create_project({"key": "SHOP", "name": "Shop", "start_date": "2026-03-01"})
    assert project.id is not None
    pid = project.id
    on(2)
    one = store.create_card(pid, {"title": "Charter"})
    two = store.create_card(pid, {"title": "Stakeholders"})
    threat = store.create_risk(pid, {"title": "Gateway", "likelihood": 2, "impact": 3})
    on(3)
    store.move_card(one.id, "planning")
    on(4)
    store.delete_card(two.id, None)
    on(5)
    store.undo_last(pid)  # the deletion
    store.close_risk(threat.id, None, "Contract signed")
    got = charts.collect(store, pid)
    assert got.project_key == "SHOP"
    assert got.flow.x_labels == tuple(f"2026-03-0{d}" for d in range(1, 10))
    flow = values(got.flow)
    assert flow["Initiation"] == [0, 2, 1, 0, 1, 1, 1, 1, 1]
    assert flow["Planning"] == [0, 0, 1, 1, 1, 1, 1, 1, 1]
    assert flow["Execution"] == [0] * 9
    assert got.exposure.x_labels == ("2026-03-02", "2026-03-09")
    assert values(got.exposure)["Inherent"] == [6, 0]  # closed on the 5th
    assert got.readiness.note == "No completed PPTF interview yet."
