"""Issue 8: the risk register's domain rules and store operations.

Grid text, ordering, cadence, threat vs opportunity residual rules, the accountability
rules for High/Extreme risks; moving, reviewing, closing, occurred risks as issue cards,
score history, open-threat counts, export/import of every field and the 0002 migration.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from ecpm_tui import fields, risk
from ecpm_tui.config import DbTarget
from ecpm_tui.db import Database, migration_config, open_database, schema_revisions
from ecpm_tui.errors import Conflict, ValidationError
from ecpm_tui.exchange import export_data, import_data
from ecpm_tui.risk import Level, Response, RiskKind
from ecpm_tui.store import Store

TODAY = date(2026, 11, 2)

# DESIGN 4.3, transcribed independently: rows likelihood 5..1, columns impact 1..5.
NPSA = {5: "MHEEE", 4: "MHHEE", 3: "LMHHE", 2: "LMMHH", 1: "LLLMM"}


@pytest.fixture
def store(db: Database) -> Store:
    return Store(db, user="alice", today=lambda: TODAY)


@pytest.fixture
def pid(store: Store) -> int:
    project = store.create_project({"key": "SHOP", "name": "Storefront", "phase": "planning"})
    assert project.id is not None
    return project.id


def new_risk(store: Store, pid: int, **values: object) -> int:
    item = store.create_risk(pid, {"title": "t", "owner": "bob", **values})
    assert item.id is not None
    return item.id


# -- domain -------------------------------------------------------------------------------


def test_text_grid_shows_the_npsa_table_with_counts() -> None:
    lines = risk.text_grid({(5, 5): 3, (1, 1): 12, (3, 3): 1}).splitlines()
    assert lines[0].split()[:3] == ["L", "\\", "I"]
    assert [line.split()[:2] for line in lines[1:]] == [
        ["5", "Almost"],
        ["4", "Likely"],
        ["3", "Possible"],
        ["2", "Unlikely"],
        ["1", "Rare"],
    ]
    for line, lk in zip(lines[1:], range(5, 0, -1), strict=True):
        cells = line[risk.ROW_LABEL_WIDTH :].split()
        assert "".join(cells[0::2]) == NPSA[lk]
        assert [int(n) for n in cells[1::2]] == [
            {(5, 5): 3, (1, 1): 12, (3, 3): 1}.get((lk, im), 0) for im in range(1, 6)
        ]


def test_grid_cells_agree_with_the_level_function() -> None:
    for lk, letters in NPSA.items():
        for im, letter in enumerate(letters, 1):
            assert risk.level(lk, im).letter == letter


def test_register_order_is_score_then_impact_then_nearest_proximity() -> None:
    soon, later = date(2026, 11, 10), date(2026, 12, 10)
    rows = [
        ("a", 4, 2, None),  # 8
        ("b", 2, 4, later),  # 8, higher impact
        ("c", 2, 4, soon),  # 8, higher impact, nearer
        ("d", 5, 5, None),  # 25
        ("e", 1, 1, soon),  # 1
    ]
    ordered = sorted(rows, key=lambda r: risk.sort_key(r[1], r[2], r[3]))
    assert [r[0] for r in ordered] == ["d", "c", "b", "a", "e"]


@pytest.mark.parametrize(
    ("lvl", "days"), [(Level.EXTREME, 7), (Level.HIGH, 14), (Level.MODERATE, 30), (Level.LOW, 90)]
)
def test_review_cadence(lvl: Level, days: int) -> None:
    assert risk.default_next_review(lvl, TODAY) == TODAY + timedelta(days=days)


def residual(kind: RiskKind, response: Response, rl: int, ri: int) -> None:
    risk.validate_risk_assessment(
        kind=kind,
        likelihood=2,
        impact=2,
        response=response,
        residual_likelihood=rl,
        residual_impact=ri,
    )


def test_threat_residual_never_above_inherent() -> None:
    residual(RiskKind.THREAT, Response.MITIGATE, 1, 2)
    with pytest.raises(ValidationError) as err:
        residual(RiskKind.THREAT, Response.MITIGATE, 3, 2)
    assert set(err.value.errors) == {"residual_likelihood"}


@pytest.mark.parametrize("response", [Response.EXPLOIT, Response.ENHANCE])
def test_exploited_or_enhanced_opportunity_may_rise_above_inherent(response: Response) -> None:
    residual(RiskKind.OPPORTUNITY, response, 4, 5)


def test_shared_opportunity_stays_within_inherent() -> None:
    with pytest.raises(ValidationError) as err:
        residual(RiskKind.OPPORTUNITY, Response.SHARE, 4, 2)
    assert set(err.value.errors) == {"residual_likelihood"}


def accountability(lvl: Level, response: Response | None, **kw: str) -> dict[str, str]:
    values = {"owner": "", "acceptance_justification": "", "accepted_by": "", **kw}
    return risk.accountability_errors(
        kind=RiskKind.THREAT,
        lvl=lvl,
        response=response,
        owner=values["owner"],
        acceptance_justification=values["acceptance_justification"],
        accepted_by=values["accepted_by"],
    )


def test_owner_required_only_for_high_and_extreme() -> None:
    assert accountability(Level.MODERATE, None) == {}
    assert accountability(Level.HIGH, None) == {"owner": "is required for a High risk"}
    assert accountability(Level.EXTREME, None) == {"owner": "is required for an Extreme risk"}
    assert accountability(Level.HIGH, None, owner="bob") == {}


def test_accepting_a_serious_threat_needs_justification_and_who() -> None:
    assert set(accountability(Level.HIGH, Response.ACCEPT, owner="bob")) == {
        "acceptance_justification",
        "accepted_by",
    }
    ok = accountability(
        Level.EXTREME,
        Response.ACCEPT,
        owner="bob",
        acceptance_justification="Cheaper to absorb",
        accepted_by="sponsor",
    )
    assert ok == {}
    assert accountability(Level.MODERATE, Response.ACCEPT) == {}
    opportunity = risk.accountability_errors(
        kind=RiskKind.OPPORTUNITY,
        lvl=Level.EXTREME,
        response=Response.ACCEPT,
        owner="bob",
        acceptance_justification="",
        accepted_by="",
    )
    assert opportunity == {}


def test_residual_view_falls_back_to_inherent_and_says_so() -> None:
    assert risk.matrix_cell(4, 5, None, None, residual=True) == ((4, 5), True)
    assert risk.matrix_cell(4, 5, 2, 3, residual=True) == ((2, 3), False)
    assert risk.matrix_cell(4, 5, 2, 3, residual=False) == ((4, 5), False)


def test_occurred_and_closed_risks_are_not_open() -> None:
    assert [s.value for s in risk.RiskStatus if risk.is_open(s.value)] == [
        "identified",
        "assessed",
        "response_planned",
        "monitoring",
    ]


# -- store --------------------------------------------------------------------------------


def test_owner_and_acceptance_are_enforced_on_save(store: Store, pid: int) -> None:
    with pytest.raises(ValidationError) as err:
        store.create_risk(pid, {"title": "x", "likelihood": 4, "impact": 4})
    assert set(err.value.errors) == {"owner"}
    with pytest.raises(ValidationError) as err:
        store.create_risk(
            pid, {"title": "x", "likelihood": 4, "impact": 4, "owner": "b", "response": "accept"}
        )
    assert set(err.value.errors) == {"acceptance_justification", "accepted_by"}
    rid = new_risk(
        store,
        pid,
        likelihood=4,
        impact=4,
        response="accept",
        acceptance_justification="Absorbed by the Q4 budget",
        accepted_by="sponsor",
    )
    saved = store.get_risk(rid)
    assert (saved.accepted_by, saved.acceptance_justification) == (
        "sponsor",
        "Absorbed by the Q4 budget",
    )
    low = store.create_risk(pid, {"title": "minor", "likelihood": 1, "impact": 2})
    assert low.owner == ""


def test_relative_dates_and_cadence_default_on_edit(store: Store, pid: int) -> None:
    rid = new_risk(store, pid, likelihood=5, impact=5, proximity_date="+2w")
    item = store.get_risk(rid)
    assert item.proximity_date == TODAY + timedelta(weeks=2)
    assert item.next_review_date == TODAY + timedelta(days=7)
    edited = store.update_risk(rid, item.version, {"likelihood": 1, "next_review_date": ""})
    assert edited.next_review_date == TODAY + timedelta(days=30)  # 1x5: Moderate


def test_move_risk_one_cell_is_saved_and_audited(store: Store, pid: int) -> None:
    rid = new_risk(store, pid, likelihood=3, impact=3)
    item = store.get_risk(rid)
    moved = store.move_risk(rid, item.version, 1, 0)
    assert (moved.likelihood, moved.impact) == (4, 3)
    moved = store.move_risk(rid, moved.version, 0, -1)
    assert (moved.likelihood, moved.impact) == (4, 2)
    ev = store.list_events(entity="risk")[0]
    assert ev.action == "move" and "L4 x I3 -> L4 x I2" in ev.summary
    assert json.loads(ev.changes) == {"impact": [3, 2]}
    with pytest.raises(Conflict):
        store.move_risk(rid, item.version, 1, 0)
    top = store.move_risk(rid, moved.version, 1, 0)
    with pytest.raises(ValidationError, match="edge"):
        store.move_risk(rid, top.version, 1, 0)


def test_move_residual_respects_the_threat_rule(store: Store, pid: int) -> None:
    rid = new_risk(
        store,
        pid,
        likelihood=4,
        impact=4,
        response="mitigate",
        residual_likelihood=3,
        residual_impact=4,
    )
    item = store.get_risk(rid)
    down = store.move_risk(rid, item.version, -1, 0, residual=True)
    assert (down.residual_likelihood, down.residual_impact, down.likelihood) == (2, 4, 4)
    with pytest.raises(ValidationError) as err:
        store.move_risk(rid, down.version, 0, 1, residual=True)
    assert "residual_impact" in err.value.errors
    plain = new_risk(store, pid, likelihood=2, impact=2)
    with pytest.raises(ValidationError, match="no residual"):
        store.move_risk(plain, None, 1, 0, residual=True)


def test_moving_into_high_needs_an_owner(store: Store, pid: int) -> None:
    item = store.create_risk(pid, {"title": "x", "likelihood": 2, "impact": 3})  # Moderate
    assert item.id is not None
    with pytest.raises(ValidationError) as err:
        store.move_risk(item.id, item.version, 1, 0)  # 3x3: High
    assert set(err.value.errors) == {"owner"}


def test_review_sets_next_date_from_cadence_and_is_in_activity(store: Store, pid: int) -> None:
    rid = new_risk(store, pid, likelihood=3, impact=3, next_review_date="2026-10-01")
    item = store.get_risk(rid)
    assert risk.is_review_overdue(item.next_review_date, TODAY)
    reviewed = store.review_risk(rid, item.version)
    assert reviewed.next_review_date == TODAY + timedelta(days=14)
    ev = store.list_events(project_id=pid)[0]
    assert (ev.entity, ev.action) == ("risk", "review")
    assert json.loads(ev.changes) == {"next_review_date": ["2026-10-01", "2026-11-16"]}


def test_close_is_audited_as_close_and_hidden_from_open_lists(store: Store, pid: int) -> None:
    rid = new_risk(store, pid)
    item = store.get_risk(rid)
    store.close_risk(rid, item.version, "Vendor delivered")
    assert store.list_events(entity="risk")[0].action == "close"
    assert store.list_risks(pid, include_closed=False) == []
    assert [r.status for r in store.list_risks(pid)] == ["closed"]


def test_occurred_risk_becomes_a_blocked_issue_card(store: Store, pid: int) -> None:
    rid = new_risk(store, pid, likelihood=5, impact=5, contingency="Switch to backup PSP")
    with pytest.raises(ValidationError, match="not occurred"):
        store.create_issue_card(rid)
    item = store.update_risk(rid, None, {"status": "occurred"})
    card = store.create_issue_card(rid)
    assert (card.status, card.phase, card.priority) == ("blocked", "planning", "critical")
    assert card.title == "Issue R-001: t" and "Switch to backup PSP" in card.blocked_reason
    assert store.get_risk(rid).occurred_card_id == card.id
    assert item.status == "occurred"
    with pytest.raises(ValidationError, match="already"):
        store.create_issue_card(rid)
    (summary,) = store.project_summaries()
    assert (summary.extreme_risks, summary.high_risks) == (0, 0)


def test_summaries_count_open_threats_and_overdue_reviews(store: Store, pid: int) -> None:
    new_risk(store, pid, likelihood=5, impact=5)  # Extreme threat
    new_risk(store, pid, likelihood=3, impact=3, next_review_date="2026-10-30")  # High, late
    new_risk(store, pid, kind="opportunity", likelihood=5, impact=5)  # never counted as threat
    closed = new_risk(store, pid, likelihood=4, impact=4, next_review_date="2026-10-01")
    store.close_risk(closed, None, "done")
    (s,) = store.project_summaries()
    assert (s.extreme_risks, s.high_risks, s.overdue_reviews) == (1, 1, 1)


def test_score_history_from_the_audit_trail(store: Store, pid: int) -> None:
    rid = new_risk(store, pid, likelihood=2, impact=3)
    item = store.move_risk(rid, None, 1, 0)
    store.update_risk(
        rid,
        item.version,
        {"likelihood": 5, "response": "mitigate", "residual_likelihood": 2, "residual_impact": 2},
    )
    store.update_risk(rid, None, {"owner": "carol"})  # no score change: no point
    points = store.risk_history(rid)
    assert [(p.likelihood, p.impact, p.level.letter) for p in points] == [
        (2, 3, "M"),
        (3, 3, "H"),
        (5, 3, "E"),
    ]
    assert (points[-1].residual_likelihood, points[-1].residual_impact) == (2, 2)
    assert all(p.user == "alice" for p in points)
    assert [e.action for e in store.risk_events(rid)] == ["update", "update", "move", "create"]


def test_every_risk_field_round_trips_through_export_and_import(store: Store, pid: int) -> None:
    rid = new_risk(
        store,
        pid,
        cause="c [/]",
        effect="e",
        kind="threat",
        category="payments",
        pptf_dimension="technology",
        workstream="payments",
        likelihood=4,
        impact=4,
        response="accept",
        residual_likelihood=3,
        residual_impact=4,
        trigger="tr",
        mitigation="m",
        contingency="co",
        next_review_date="2026-11-20",
        proximity_date="2026-12-01",
        acceptance_justification="why",
        accepted_by="sponsor",
    )
    store.update_risk(rid, None, {"status": "occurred"})
    card = store.create_issue_card(rid)
    data = export_data(store, "SHOP")
    (exported,) = data["projects"][0]["risks"]
    assert exported["occurred_card"] is not None
    before = store.get_risk(rid)
    data["projects"][0]["key"] = "COPY"
    import_data(store, data)
    copy = store.get_project_by_key("COPY")
    assert copy.id is not None
    (restored,) = store.list_risks(copy.id)
    for name in (*fields.RISK, "ref"):
        assert getattr(restored, name) == getattr(before, name), name
    assert restored.occurred_card_id is not None and restored.occurred_card_id != card.id
    copied_card = store.get_card(restored.occurred_card_id)
    assert (copied_card.project_id, copied_card.title) == (copy.id, card.title)


def test_0002_upgrades_a_populated_0001_database(db_url: str) -> None:
    engine = create_engine(db_url)
    cfg = migration_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.commit()
    now = {"now": "2026-01-01 00:00:00+00:00"}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO project (key, name, description, channel, objectives, scope, sponsor, "
                "manager, phase, health, currency, archived, risk_seq, version, created_at, "
                "created_by, updated_at, updated_by) VALUES ('OLD', 'Old project', '', 'b2c', "
                "'', '', '', '', 'planning', 'amber', 'EUR', false, 1, 1, :now, 'x', :now, 'x')"
            ),
            now,
        )
        conn.execute(
            text(
                "INSERT INTO risk (project_id, ref, title, cause, effect, kind, category, "
                "pptf_dimension, workstream, owner, status, likelihood, impact, trigger, "
                "mitigation, contingency, closed_reason, version, created_at, created_by, "
                "updated_at, updated_by) SELECT id, 'R-001', 'Old risk', '', '', 'threat', "
                "'scope', '', '', 'ann', 'identified', 4, 4, '', '', '', '', 1, :now, 'x', "
                ":now, 'x' FROM project WHERE key = 'OLD'"
            ),
            now,
        )
    engine.dispose()
    db = open_database(DbTarget(db_url, "test"))
    try:
        current, heads = schema_revisions(db.engine)
        assert current == heads
        s = Store(db, user="t", today=lambda: TODAY)
        (old,) = s.list_risks()
        assert (old.title, old.accepted_by, old.acceptance_justification) == ("Old risk", "", "")
        assert old.occurred_card_id is None
        s.update_risk(old.id, old.version, {"status": "occurred"})
        card = s.create_issue_card(old.id)
        assert s.get_risk(old.id).occurred_card_id == card.id
    finally:
        db.close()


def test_history_of_a_bulk_created_risk_starts_at_its_creation(store: Store) -> None:
    from ecpm_tui.demo import generate

    generate(store, projects=1, cards=1, risks=1, seed=1)  # no per-risk audit events
    (row,) = store.list_risks()
    assert [(p.likelihood, p.impact) for p in store.risk_history(row.id)] == [
        (row.likelihood, row.impact)
    ]
    step = 1 if row.likelihood < 5 else -1  # demo residual likelihood is one below
    store.move_risk(row.id, None, step, 0)
    points = store.risk_history(row.id)
    assert [(p.likelihood, p.impact) for p in points] == [
        (row.likelihood, row.impact),
        (row.likelihood + step, row.impact),
    ]
