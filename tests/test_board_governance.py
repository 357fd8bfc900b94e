"""Issue 9, store and domain: blocked reasons, WIP limits, card aging, governed gates.

Real databases (SQLite file, and PostgreSQL when available), fixed dates.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from ecpm_tui import lifecycle
from ecpm_tui.config import DbTarget
from ecpm_tui.db import Database, open_database
from ecpm_tui.errors import Conflict, GateBlocked, ValidationError, WipLimitReached
from ecpm_tui.health import HealthSignals, HealthSuggestion, suggest_health
from ecpm_tui.lifecycle import Decision, Health, Phase
from ecpm_tui.store import ConditionSpec, Store

TODAY = date(2026, 11, 20)  # a Friday


@pytest.fixture
def store(db: Database) -> Store:
    return Store(db, user="alice", today=lambda: TODAY)


@pytest.fixture
def project_id(store: Store) -> int:
    project = store.create_project(
        {"key": "shop", "name": "Storefront", "sponsor": "Marta Ruiz (COO)"}
    )
    assert project.id is not None
    return project.id


def actions(store: Store, project_id: int) -> list[str]:
    return [e.action for e in store.list_events(project_id=project_id)]


def tick_all(
    store: Store, project_id: int, phase: Phase, keep: frozenset[str] = frozenset()
) -> None:
    for check in store.gate_checks(project_id, phase).checks:
        if check.criterion_key not in keep:
            assert check.id is not None
            store.set_gate_check(check.id, True)


# -- blocked ------------------------------------------------------------------------------


def test_blocking_needs_a_reason_and_unblocking_clears_it(store: Store, project_id: int) -> None:
    card = store.create_card(project_id, {"title": "Refund webhook"})
    assert card.id is not None
    with pytest.raises(ValidationError) as err:
        store.set_blocked(card.id, "   ")
    assert "blocked_reason" in err.value.errors
    blocked = store.set_blocked(card.id, "Waiting on PSP sandbox [/]")
    assert (blocked.status, blocked.blocked_reason) == ("blocked", "Waiting on PSP sandbox [/]")
    unblocked = store.set_blocked(card.id, None)
    assert (unblocked.status, unblocked.blocked_reason) == ("doing", "")
    assert actions(store, project_id)[:2] == ["unblock", "block"]


def test_status_cycle_skips_blocked_and_leaving_blocked_clears_the_reason(
    store: Store, project_id: int
) -> None:
    card = store.create_card(project_id, {"title": "PCI review"})
    assert card.id is not None
    with pytest.raises(ValidationError):
        store.set_card_status(card.id, "blocked")
    store.set_blocked(card.id, "Auditor away")
    assert store.cycle_card_status(card.id).status == "done"
    assert store.get_card(card.id).blocked_reason == ""


def test_form_save_of_blocked_status_needs_the_reason(store: Store, project_id: int) -> None:
    card = store.create_card(project_id, {"title": "3DS flow"})
    assert card.id is not None
    with pytest.raises(ValidationError) as err:
        store.update_card(card.id, card.version, {"status": "blocked"})
    assert set(err.value.errors) == {"blocked_reason"}
    assert store.get_card(card.id).status == "todo"  # nothing saved
    saved = store.update_card(
        card.id, card.version, {"status": "blocked", "blocked_reason": "No test cards"}
    )
    assert saved.blocked_reason == "No test cards"
    saved = store.update_card(card.id, saved.version, {"status": "doing"})
    assert saved.blocked_reason == ""


# -- card editor dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("today", TODAY),
        ("+3d", TODAY + timedelta(days=3)),
        ("+2w", TODAY + timedelta(weeks=2)),
        ("fri", TODAY),
        ("next mon", date(2026, 11, 23)),
        ("2027-01-15", date(2027, 1, 15)),
    ],
)
def test_card_due_dates_accept_iso_and_relative_forms(
    store: Store, project_id: int, typed: str, expected: date
) -> None:
    card = store.create_card(project_id, {"title": "Go-live", "due_date": typed})
    assert card.due_date == expected


# -- WIP limits and aging ----------------------------------------------------------------


def test_wip_limit_refuses_a_full_column_until_confirmed_and_audits_the_override(
    store: Store, project_id: int
) -> None:
    setting = store.set_column_setting(project_id, "planning", {"wip_limit": "1"})
    assert setting.wip_limit == 1
    assert store.column_settings(project_id)["planning"].wip_limit == 1
    store.create_card(project_id, {"title": "RACI", "phase": "planning"})
    with pytest.raises(WipLimitReached, match=r"1/1"):
        store.create_card(project_id, {"title": "Budget", "phase": "planning"})
    forced = store.create_card(project_id, {"title": "Budget", "phase": "planning"}, force=True)
    assert forced.phase == "planning"
    mover = store.create_card(project_id, {"title": "Test strategy"})
    assert mover.id is not None
    with pytest.raises(WipLimitReached):
        store.move_card(mover.id, "planning")
    assert store.get_card(mover.id).phase == "initiation"
    store.move_card(mover.id, "planning", force=True)
    events = store.list_events(project_id=project_id)
    overrides = [e for e in events if e.action == "wip_override"]
    assert len(overrides) == 2 and "3/1" in overrides[0].summary


def test_done_cards_do_not_count_against_the_wip_limit(store: Store, project_id: int) -> None:
    store.set_column_setting(project_id, "initiation", {"wip_limit": "1"})
    card = store.create_card(project_id, {"title": "Charter"})
    assert card.id is not None
    store.set_card_status(card.id, "done")
    store.create_card(project_id, {"title": "Sponsor"})  # room again: no error


def test_column_settings_validate_and_default_the_aging_threshold(
    store: Store, project_id: int
) -> None:
    settings = store.column_settings(project_id)
    assert settings["execution"].age_limit_days == lifecycle.DEFAULT_AGE_LIMIT_DAYS[Phase.EXECUTION]
    assert settings["execution"].wip_limit is None
    with pytest.raises(ValidationError) as err:
        store.set_column_setting(project_id, "execution", {"wip_limit": "0", "age_limit_days": "x"})
    assert set(err.value.errors) == {"wip_limit", "age_limit_days"}
    first = store.set_column_setting(project_id, "execution", {"age_limit_days": "5"})
    assert store.column_settings(project_id)["execution"].age_limit_days == 5
    store.set_column_setting(project_id, "execution", {"wip_limit": "4"}, first.version)
    with pytest.raises(Conflict):
        store.set_column_setting(project_id, "execution", {"wip_limit": "9"}, first.version)


def test_cards_record_when_they_entered_their_column(store: Store, project_id: int) -> None:
    card = store.create_card(project_id, {"title": "Redirect map"})
    assert card.id is not None and card.entered_at is not None
    first = card.entered_at
    store.reorder_card(card.id, 1)
    store.cycle_card_status(card.id)
    assert store.get_card(card.id).entered_at == first  # same column: same age
    moved = store.move_card(card.id, "planning")
    assert moved.entered_at is not None and moved.entered_at >= first
    (row,) = store.list_cards(project_id)
    assert row.entered_at == moved.entered_at
    assert row.age_days(TODAY) is not None


def test_age_in_days_counts_from_the_column_entry() -> None:
    from ecpm_tui.store import CardRow

    row = CardRow(
        1, 1, "t", "", "execution", 1, "doing", "task", "", "", "", "medium", None, None, "",
        "", "", 1, "a", datetime(2026, 11, 1, 9, tzinfo=UTC),
    )  # fmt: skip
    assert row.age_days(TODAY) == 19
    assert dataclasses.replace(row, entered_at=None).age_days(TODAY) is None


# -- governed gates ------------------------------------------------------------------------


def test_default_mandatory_criteria() -> None:
    keys = {c.key for crits in lifecycle.DEFAULT_GATE_CRITERIA.values() for c in crits}
    assert keys >= lifecycle.MANDATORY_CRITERIA
    with pytest.raises(GateBlocked) as err:
        lifecycle.decide_transition(
            Phase.INITIATION, Phase.PLANNING, ["a", "b"], "ok", mandatory_unmet=["b"]
        )
    assert err.value.mandatory == ["b"]


def test_unmet_mandatory_criterion_blocks_even_with_conditions(
    store: Store, project_id: int
) -> None:
    gate = store.gate_checks(project_id)
    assert {c.criterion_key for c in gate.checks if c.mandatory} == {"business_case_approved"}
    tick_all(store, project_id, Phase.INITIATION, keep=frozenset({"business_case_approved"}))
    with pytest.raises(GateBlocked) as err:
        store.transition_project(
            project_id,
            "planning",
            "Sponsor insists",
            conditions=[ConditionSpec("Business case", "bob", "+1w")],
        )
    assert err.value.mandatory == ["Business case approved"]
    assert store.get_project(project_id).phase == "initiation"
    assert store.transitions(project_id) == []


def test_go_with_conditions_records_owners_and_creates_cards(store: Store, project_id: int) -> None:
    tick_all(store, project_id, Phase.INITIATION, keep=frozenset({"stakeholder_register_made"}))
    with pytest.raises(GateBlocked):
        store.transition_project(project_id, "planning")
    with pytest.raises(ValidationError) as err:
        store.transition_project(project_id, "planning", "Register by next week")
    assert "conditions" in err.value.errors
    with pytest.raises(ValidationError) as err:
        store.transition_project(
            project_id,
            "planning",
            "Register by next week",
            conditions=[ConditionSpec("Stakeholder register", "", "someday")],
        )
    assert set(err.value.errors) == {"condition_1_owner", "condition_1_due_date"}
    assert store.list_cards(project_id) == []  # nothing half-done

    t = store.transition_project(
        project_id,
        "planning",
        "Register by next week",
        conditions=[ConditionSpec("Stakeholder register", "bob", "+1w")],
    )
    assert t.decision == "go_with_conditions"
    assert t.approved_by == "Marta Ruiz (COO)" and t.by == "alice"
    (condition,) = json.loads(t.conditions)
    (card,) = store.list_cards(project_id)
    assert condition == {
        "text": "Stakeholder register",
        "owner": "bob",
        "due_date": (TODAY + timedelta(weeks=1)).isoformat(),
        "card_id": card.id,
    }
    assert (card.phase, card.assignee, card.due_date) == (
        "planning",
        "bob",
        TODAY + timedelta(weeks=1),
    )
    assert card.title == "Condition: Stakeholder register"


def test_go_records_a_typed_approver(store: Store, project_id: int) -> None:
    tick_all(store, project_id, Phase.INITIATION)
    t = store.transition_project(project_id, "planning", approved_by="Steering committee")
    assert (t.decision, t.approved_by) == ("go", "Steering committee")
    back = store.transition_project(project_id, "initiation", "Scope reopened")
    assert (back.decision, back.approved_by) == ("recycle", "Marta Ruiz (COO)")


def test_hold_pauses_and_resume_restarts(store: Store, project_id: int) -> None:
    with pytest.raises(ValidationError):
        store.decide_project(project_id, Decision.HOLD, "  ")
    t = store.decide_project(project_id, "hold", "Peak trading freeze")
    assert (t.decision, t.from_phase, t.to_phase) == ("hold", "initiation", "initiation")
    project = store.get_project(project_id)
    assert (project.state, project.state_reason) == ("on_hold", "Peak trading freeze")
    tick_all(store, project_id, Phase.INITIATION)
    with pytest.raises(ValidationError, match="on hold"):
        store.transition_project(project_id, "planning")
    store.create_card(project_id, {"title": "Still plannable"})  # hold is not read-only
    store.decide_project(project_id, "resume", "Freeze over")
    assert store.get_project(project_id).state == "active"
    assert store.transition_project(project_id, "planning").decision == "go"
    assert [x.decision for x in store.transitions(project_id)] == ["hold", "resume", "go"]


def test_kill_cancels_with_a_reason_and_makes_the_board_read_only(
    store: Store, project_id: int
) -> None:
    card = store.create_card(project_id, {"title": "Feed mapping"})
    assert card.id is not None
    store.decide_project(project_id, "kill", "Budget withdrawn", approved_by="CFO")
    project = store.get_project(project_id)
    assert (project.state, project.state_reason) == ("killed", "Budget withdrawn")
    assert store.transitions(project_id)[-1].approved_by == "CFO"
    for attempt in (
        lambda: store.create_card(project_id, {"title": "More"}),
        lambda: store.move_card(card.id, "planning"),
        lambda: store.cycle_card_status(card.id),
        lambda: store.set_blocked(card.id, "x"),
        lambda: store.update_card(card.id, None, {"title": "y"}),
        lambda: store.delete_card(card.id, None),
        lambda: store.transition_project(project_id, "planning", "x"),
        lambda: store.decide_project(project_id, "resume", "oops"),
    ):
        with pytest.raises(ValidationError, match="killed"):
            attempt()
    assert store.get_card(card.id).title == "Feed mapping"


def test_passing_the_closure_gate_closes_the_project(store: Store, project_id: int) -> None:
    for phase, nxt in zip(lifecycle.PHASES, lifecycle.PHASES[1:], strict=False):
        tick_all(store, project_id, phase)
        store.transition_project(project_id, nxt)
    assert store.get_project(project_id).phase == "closure"
    with pytest.raises(GateBlocked):
        store.transition_project(project_id, "closure")
    tick_all(store, project_id, Phase.CLOSURE)
    t = store.transition_project(project_id, "closure")
    assert (t.from_phase, t.to_phase, t.decision) == ("closure", "closure", "go")
    assert store.get_project(project_id).state == "closed"
    with pytest.raises(ValidationError, match="closed"):
        store.create_card(project_id, {"title": "Late work"})


def test_archiving_a_live_project_needs_a_reason(store: Store, project_id: int) -> None:
    with pytest.raises(ValidationError) as err:
        store.archive_project(project_id, None)
    assert "reason" in err.value.errors
    assert not store.get_project(project_id).archived
    done = store.archive_project(project_id, None, reason="Merged into SHOP2")
    assert done.archived
    assert "Merged into SHOP2" in store.list_events(project_id=project_id)[0].summary


def test_archiving_a_killed_project_needs_no_reason(store: Store, project_id: int) -> None:
    store.decide_project(project_id, "kill", "Cancelled by board")
    assert store.archive_project(project_id, None).archived


# -- suggested health ----------------------------------------------------------------------


def test_suggested_health_rules() -> None:
    calm = suggest_health(HealthSignals())
    assert calm.health is Health.GREEN and calm.reasons
    amber = suggest_health(HealthSignals(high_threats=2, overdue_cards=1))
    assert amber == HealthSuggestion(Health.AMBER, ("2 open High threats", "1 overdue card"))
    red = suggest_health(
        HealthSignals(high_threats=2, overdue_milestones=1, red_dimensions=("Finance",))
    )
    assert red == HealthSuggestion(Health.RED, ("1 overdue milestone", "PPTF red: Finance"))


def test_suggested_health_from_threats_dates_and_pptf(store: Store, project_id: int) -> None:
    assert store.suggested_health(project_id).health is Health.GREEN
    store.create_risk(project_id, {"owner": "ann", "title": "Opportunity", "kind": "opportunity",
                                   "likelihood": 5, "impact": 5})  # fmt: skip
    assert store.suggested_health(project_id).health is Health.GREEN  # never added up
    store.create_risk(
        project_id, {"owner": "ann", "title": "Scope creep", "likelihood": 4, "impact": 3}
    )
    store.create_card(project_id, {"title": "Late task", "due_date": "2026-11-01"})
    amber = store.suggested_health(project_id)
    assert amber.reasons == ("1 open High threat", "1 overdue card")
    store.create_card(
        project_id, {"title": "Go-live", "kind": "milestone", "due_date": "yesterday"}
    )
    store.create_risk(
        project_id, {"title": "Peak outage", "likelihood": 5, "impact": 5, "owner": "ann"}
    )
    interview = store.start_assessment(project_id, "Finance team", phase="initiation")
    assert interview.id is not None
    for q in store.bank.ordered():
        store.save_answer(interview.id, q.key, 0)
    store.complete_assessment(interview.id)
    red = store.suggested_health(project_id)
    assert red.health is Health.RED
    assert red.reasons[:2] == ("1 open Extreme threat", "1 overdue milestone")
    assert red.reasons[2].startswith("PPTF red: People")
    (summary,) = store.project_summaries()
    assert summary.suggested == red


def test_a_manual_health_that_differs_needs_a_note(store: Store, project_id: int) -> None:
    store.create_risk(
        project_id, {"title": "Peak outage", "likelihood": 5, "impact": 5, "owner": "ann"}
    )
    with pytest.raises(ValidationError) as err:
        store.update_project(project_id, None, {"health": "amber"})
    assert "suggested health is red (1 open Extreme threat)" in err.value.errors["health_note"]
    assert store.get_project(project_id).health == "green"
    saved = store.update_project(
        project_id, None, {"health": "amber", "health_note": "Mitigation lands Monday"}
    )
    assert (saved.health, saved.health_note) == ("amber", "Mitigation lands Monday")
    store.update_project(project_id, None, {"health": "red"})  # agrees: no note needed


# -- undo ----------------------------------------------------------------------------------


def test_undo_walks_back_this_users_changes_one_by_one(store: Store, project_id: int) -> None:
    a = store.create_card(project_id, {"title": "Checkout step", "due_date": "2026-12-01"})
    b = store.create_card(project_id, {"title": "Faceted search"})
    assert a.id is not None and b.id is not None
    entered = store.get_card(a.id).entered_at
    store.move_card(a.id, "planning")
    store.reorder_card(b.id, -1)  # b is alone in initiation now: no-op, nothing audited
    store.move_card(b.id, "planning")
    store.reorder_card(b.id, -1)  # b above a
    store.cycle_card_status(a.id)
    store.update_card(a.id, None, {"title": "Checkout address step", "due_date": "+1w"})
    check = store.gate_checks(project_id).checks[0]
    assert check.id is not None
    store.set_gate_check(check.id, True)

    assert "gate criterion" in store.undo_last(project_id)
    assert not store.gate_checks(project_id).checks[0].done
    store.undo_last(project_id)  # the edit
    card = store.get_card(a.id)
    assert (card.title, card.due_date) == ("Checkout step", date(2026, 12, 1))
    store.undo_last(project_id)  # the status
    assert store.get_card(a.id).status == "todo"
    store.undo_last(project_id)  # the reorder
    ranks = {c.id: c.rank for c in store.list_cards(project_id)}
    assert ranks[a.id] < ranks[b.id]
    store.undo_last(project_id)  # b's move
    assert store.get_card(b.id).phase == "initiation"
    store.undo_last(project_id)  # a's move: back with its old age
    moved_back = store.get_card(a.id)
    assert (moved_back.phase, moved_back.entered_at) == ("initiation", entered)
    undo_events = [e for e in store.list_events(project_id=project_id) if e.action == "undo"]
    assert len(undo_events) == 6 and all(e.user == "alice" for e in undo_events)


def test_undo_brings_a_deleted_card_back_and_removes_a_created_one(
    store: Store, project_id: int
) -> None:
    card = store.create_card(
        project_id, {"title": "PCI SAQ", "tags": "compliance", "assignee": "bob"}
    )
    assert card.id is not None
    store.delete_card(card.id, None)
    store.undo_last(project_id)
    (back,) = store.list_cards(project_id)
    assert (back.title, back.tags, back.assignee) == ("PCI SAQ", "compliance", "bob")
    assert back.id == card.id  # the same card, with its history
    store.undo_last(project_id)  # then its creation
    assert store.list_cards(project_id) == []
    with pytest.raises(ValidationError, match="Nothing of yours"):
        store.undo_last(project_id)


def test_undo_is_refused_after_someone_else_changed_the_item(store: Store, project_id: int) -> None:
    card = store.create_card(project_id, {"title": "ERP export"})
    assert card.id is not None
    store.move_card(card.id, "planning")
    bob = Store(store.db, user="bob", today=lambda: TODAY)
    bob.cycle_card_status(card.id)
    with pytest.raises(ValidationError, match="bob changed this item since"):
        store.undo_last(project_id)
    saved = store.get_card(card.id)
    assert (saved.phase, saved.status) == ("planning", "doing")
    with pytest.raises(ValidationError, match="Nothing of yours"):
        Store(store.db, user="carol", today=lambda: TODAY).undo_last(project_id)


# -- realistic demo data ------------------------------------------------------------------


def test_demo_data_is_consistent_and_realistic(store: Store) -> None:
    from ecpm_tui.demo import generate
    from ecpm_tui.demo_data import WORKSTREAMS_BY_PROJECT

    generate(store, projects=5, cards=40, risks=15, seed=5)
    teams: set[str] = set()
    interviewed: set[str] = set()
    decisions: list[str] = []
    for project in store.list_projects():
        assert project.id is not None
        cards = store.list_cards(project.id)
        assert {c.workstream for c in cards} <= set(WORKSTREAMS_BY_PROJECT[project.key])
        titles = [c.title for c in cards]
        assert len(set(titles)) == len(titles)
        assert not [t for t in titles if re.search(r"\(\d+\)$", t)]
        here = lifecycle.phase_index(Phase(project.phase))
        for card in cards:
            there = lifecycle.phase_index(Phase(card.phase))
            assert there <= here + 1
            if there > here:
                assert card.status == "todo", card
            if there < here:
                assert card.status == "done", card
            if card.status == "blocked":
                assert card.blocked_reason
        for t in store.transitions(project.id):
            decisions.append(t.decision)
            unmet = json.loads(t.unmet_criteria)
            assert (t.decision == "go") == (not unmet)
            assert t.approved_by == project.sponsor
        risks = store.list_risks(project.id, include_closed=True)
        for r in risks:
            if r.kind == "threat" and r.residual_likelihood is not None:
                assert r.residual_likelihood <= r.likelihood
                assert r.residual_impact is not None and r.residual_impact <= r.impact
        assert {r.kind for r in risks} == {"threat", "opportunity"}
        assert len({r.response for r in risks}) >= 3
        if project.key == "PAYX":
            assert project.state == "closed"
            assert {r.status for r in risks} == {"closed"}
        for a in store.list_assessments(project.id):
            interviewed.add(project.key)
            teams.add(a.department)
            if a.completed_at is not None:
                assert a.completed_at > a.started_at
    assert len(interviewed) >= 4 and len(teams) >= 4
    assert decisions.count("go") > len(decisions) / 2 and "go_with_conditions" in decisions


def test_any_criterion_can_be_made_mandatory(store: Store, project_id: int) -> None:
    custom = store.add_gate_criterion(project_id, "initiation", "Board approved the budget")
    assert custom.id is not None and not custom.mandatory
    tick_all(store, project_id, Phase.INITIATION, keep=frozenset({custom.criterion_key}))
    made = store.set_gate_mandatory(custom.id, True)
    assert made.mandatory
    with pytest.raises(GateBlocked) as err:
        store.transition_project(
            project_id, "planning", "x", conditions=[ConditionSpec("x", "bob", "+1d")]
        )
    assert err.value.mandatory == ["Board approved the budget"]
    store.set_gate_mandatory(custom.id, False)
    t = store.transition_project(
        project_id, "planning", "Board meets Monday", conditions=[ConditionSpec("x", "bob", "+1d")]
    )
    assert t.decision == "go_with_conditions"
    assert {"mandatory", "optional"} <= set(actions(store, project_id))


def test_export_and_import_keep_the_governance_fields(
    store: Store, project_id: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from ecpm_tui.exchange import export_data, import_data

    tick_all(store, project_id, Phase.INITIATION, keep=frozenset({"sponsor_named"}))
    store.transition_project(
        project_id, "planning", "ok", conditions=[ConditionSpec("Sponsor", "bob", "+1w")]
    )
    store.decide_project(project_id, "hold", "Freeze", approved_by="COO")
    data = export_data(store)
    target_db = open_database(
        DbTarget(f"sqlite:///{tmp_path_factory.mktemp('copy') / 'copy.db'}", "test")
    )
    try:
        copy = Store(target_db, user="alice", today=lambda: TODAY)
        import_data(copy, data)
        project = copy.get_project_by_key("SHOP")
        assert (project.state, project.state_reason) == ("on_hold", "Freeze")
        assert project.id is not None
        (card,) = copy.list_cards(project.id)
        assert card.entered_at == store.list_cards(project_id)[0].entered_at
        assert [c.mandatory for c in copy.gate_checks(project.id, "initiation").checks] == [
            c.mandatory for c in store.gate_checks(project_id, "initiation").checks
        ]
        assert [(t.decision, t.approved_by) for t in copy.transitions(project.id)] == [
            ("go_with_conditions", "Marta Ruiz (COO)"),
            ("hold", "COO"),
        ]
        assert json.loads(copy.transitions(project.id)[0].conditions)[0]["owner"] == "bob"
    finally:
        target_db.close()
