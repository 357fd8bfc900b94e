"""Store operations against a real database: SQLite file and PostgreSQL server."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from ecpm_tui import lifecycle, pptf
from ecpm_tui.db import Database
from ecpm_tui.errors import Conflict, GateBlocked, NotFound, ValidationError
from ecpm_tui.store import ConditionSpec, Store

TODAY = date(2026, 11, 22)


@pytest.fixture
def store(db: Database) -> Store:
    return Store(db, user="alice", today=lambda: TODAY)


@pytest.fixture
def project_id(store: Store) -> int:
    project = store.create_project({"key": "shop", "name": "Storefront", "budget": "1000.50"})
    assert project.id is not None
    return project.id


def events(store: Store, **kw: object) -> list[tuple[str, str]]:
    return [(e.entity, e.action) for e in store.list_events(**kw)]  # type: ignore[arg-type]


# -- projects ---------------------------------------------------------------------------


def test_create_project_normalises_and_seeds_every_gate(store: Store, project_id: int) -> None:
    project = store.get_project(project_id)
    assert project.key == "SHOP"
    assert project.phase == "initiation"
    assert str(project.budget) == "1000.50"
    assert project.created_by == "alice" and project.version == 1
    for phase in lifecycle.PHASES:
        gate = store.gate_checks(project_id, phase)
        assert [c.criterion_key for c in gate.checks] == [
            c.key for c in lifecycle.DEFAULT_GATE_CRITERIA[phase]
        ]
        assert all(not c.done for c in gate.checks)
    assert ("project", "create") in events(store)


def test_create_project_rejects_bad_fields_with_one_message_per_field(store: Store) -> None:
    with pytest.raises(ValidationError) as err:
        store.create_project(
            {"key": "x", "name": "", "budget": "lots", "start_date": "2026-13-01", "health": "blue"}
        )
    assert set(err.value.errors) >= {"key", "name", "budget", "start_date", "health"}
    assert store.list_projects() == []


def test_duplicate_key_is_refused(store: Store, project_id: int) -> None:
    with pytest.raises(ValidationError) as err:
        store.create_project({"key": "SHOP", "name": "Other"})
    assert "key" in err.value.errors


def test_target_before_start_is_refused(store: Store) -> None:
    with pytest.raises(ValidationError) as err:
        store.create_project(
            {"key": "AB", "name": "x", "start_date": "2026-05-01", "target_date": "2026-04-01"}
        )
    assert "target_date" in err.value.errors


def test_update_project_records_changes_and_bumps_version(store: Store, project_id: int) -> None:
    updated = store.update_project(
        project_id, 1, {"name": "Storefront 2", "health": "red", "health_note": "Scope at risk"}
    )
    assert updated.version == 2 and updated.name == "Storefront 2" and updated.health == "red"
    event = store.list_events(entity="project")[0]
    assert event.action == "update"
    assert json.loads(event.changes)["name"] == ["Storefront", "Storefront 2"]


def test_stale_project_save_raises_conflict_and_keeps_the_first_save(
    store: Store, project_id: int
) -> None:
    bob = Store(store.db, user="bob", today=lambda: TODAY)
    bob.update_project(project_id, 1, {"name": "Bob's name"})
    with pytest.raises(Conflict) as err:
        store.update_project(project_id, 1, {"name": "Alice's name"})
    assert "bob" in err.value.message
    assert err.value.current is not None and err.value.current.name == "Bob's name"
    assert store.get_project(project_id).name == "Bob's name"


def test_phase_cannot_be_edited_directly(store: Store, project_id: int) -> None:
    with pytest.raises(ValidationError):
        store.update_project(project_id, None, {"phase": "closure"})


def test_archive_hides_and_restore_shows(store: Store, project_id: int) -> None:
    store.archive_project(project_id, 1, reason="Merged into another project")
    assert store.list_projects() == []
    assert [p.key for p in store.list_projects(include_archived=True)] == ["SHOP"]
    store.archive_project(project_id, 2, archived=False)
    assert [p.key for p in store.list_projects()] == ["SHOP"]


def test_missing_project_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.get_project(999)
    with pytest.raises(NotFound):
        store.update_project(999, None, {"name": "x"})


# -- cards ------------------------------------------------------------------------------


def test_cards_rank_move_reorder_and_status(store: Store, project_id: int) -> None:
    a = store.create_card(project_id, {"title": "A"})
    b = store.create_card(project_id, {"title": "B", "tags": "#Peak, mvp peak"})
    c = store.create_card(project_id, {"title": "C", "phase": "planning"})
    assert (a.phase, a.rank, b.rank, c.rank) == ("initiation", 1, 2, 1)
    assert b.tags == "peak, mvp"

    moved = store.move_card(b.id, lifecycle.Phase.PLANNING)  # type: ignore[arg-type]
    assert (moved.phase, moved.rank, moved.version) == ("planning", 2, 2)
    assert [x.title for x in store.list_cards(project_id) if x.phase == "planning"] == ["C", "B"]

    store.reorder_card(b.id, -1)  # type: ignore[arg-type]
    assert [x.title for x in store.list_cards(project_id) if x.phase == "planning"] == ["B", "C"]
    unchanged = store.reorder_card(b.id, -1)  # type: ignore[arg-type]
    assert unchanged.rank == 1

    statuses = [store.cycle_card_status(a.id).status for _ in range(4)]  # type: ignore[arg-type]
    assert statuses == ["doing", "done", "todo", "doing"]  # blocked needs a reason (b)
    assert store.set_card_status(a.id, "done").status == "done"  # type: ignore[arg-type]
    actions = [x for _, x in events(store)]
    assert actions.count("status") == 5 and "move" in actions and "reorder" in actions


def test_card_validation(store: Store, project_id: int) -> None:
    with pytest.raises(ValidationError) as err:
        store.create_card(
            project_id,
            {"title": "  ", "estimate": "-1", "due_date": "someday", "priority": "urgent"},
        )
    assert set(err.value.errors) == {"title", "estimate", "due_date", "priority"}
    with pytest.raises(ValidationError) as err:
        store.create_card(project_id, {"title": "x" * 301})
    assert "too long" in err.value.errors["title"]
    with pytest.raises(ValidationError):
        store.create_card(project_id, {"title": "x", "colour": "red"})


def test_stale_card_save_is_a_conflict(store: Store, project_id: int) -> None:
    card = store.create_card(project_id, {"title": "Checkout"})
    store.cycle_card_status(card.id)  # type: ignore[arg-type]  # version 2 now
    with pytest.raises(Conflict):
        store.update_card(card.id, card.version, {"title": "Checkout v2"})  # type: ignore[arg-type]
    fresh = store.get_card(card.id)  # type: ignore[arg-type]
    assert fresh.title == "Checkout" and fresh.status == "doing"
    saved = store.update_card(card.id, fresh.version, {"title": "Checkout v2"})  # type: ignore[arg-type]
    assert saved.title == "Checkout v2" and saved.status == "doing"


def test_delete_card_needs_current_version(store: Store, project_id: int) -> None:
    card = store.create_card(project_id, {"title": "Gone"})
    store.update_card(card.id, 1, {"title": "Gone soon"})  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        store.delete_card(card.id, 1)  # type: ignore[arg-type]
    store.delete_card(card.id, 2)  # type: ignore[arg-type]
    assert store.list_cards(project_id) == []
    with pytest.raises(NotFound):
        store.get_card(card.id)  # type: ignore[arg-type]


def test_hostile_text_is_stored_without_control_characters(store: Store, project_id: int) -> None:
    card = store.create_card(
        project_id,
        {"title": "[/] [@click=app.quit] \x1b]0;X\x07\x1b[2J\x00ok", "description": "a\nb"},
    )
    assert card.title == "[/] [@click=app.quit] ok"
    assert card.description == "a\nb"


# -- gates and transitions ----------------------------------------------------------------


def test_transition_blocked_then_with_conditions_then_go(store: Store, project_id: int) -> None:
    with pytest.raises(GateBlocked) as err:
        store.transition_project(project_id, "planning")
    unmet = err.value.unmet
    assert len(unmet) == len(lifecycle.DEFAULT_GATE_CRITERIA[lifecycle.Phase.INITIATION])
    assert store.get_project(project_id).phase == "initiation"

    for check in store.gate_checks(project_id).mandatory_unmet:  # never overridable
        store.set_gate_check(check.id, True)  # type: ignore[arg-type]
    unmet = [c.text for c in store.gate_checks(project_id).unmet]
    conditions = [ConditionSpec("Stakeholder register", "bob", "+2w")]
    t = store.transition_project(
        project_id, "planning", reason="Sponsor accepts open items", conditions=conditions
    )
    assert t.decision == "go_with_conditions" and json.loads(t.unmet_criteria) == unmet
    assert store.get_project(project_id).phase == "planning"

    for check in store.gate_checks(project_id).checks:
        store.set_gate_check(check.id, True)  # type: ignore[arg-type]
    gate = store.gate_checks(project_id)
    assert gate.unmet == [] and all(c.done_by == "alice" for c in gate.checks)
    t = store.transition_project(project_id, lifecycle.Phase.EXECUTION)
    assert t.decision == "go" and json.loads(t.unmet_criteria) == []

    with pytest.raises(ValidationError):
        store.transition_project(project_id, "initiation")  # recycle needs a reason
    t = store.transition_project(project_id, "planning", reason="Load test failed")
    assert t.decision == "recycle"
    assert [x.decision for x in store.transitions(project_id)] == [
        "go_with_conditions",
        "go",
        "recycle",
    ]


def test_transition_cannot_skip_phases(store: Store, project_id: int) -> None:
    with pytest.raises(ValidationError):
        store.transition_project(project_id, "execution", reason="hurry")


def test_untick_and_custom_criterion(store: Store, project_id: int) -> None:
    check = store.gate_checks(project_id).checks[0]
    ticked = store.set_gate_check(check.id, True, note="Signed 3 Nov")  # type: ignore[arg-type]
    assert ticked.done and ticked.note == "Signed 3 Nov"
    unticked = store.set_gate_check(check.id, False)  # type: ignore[arg-type]
    assert not unticked.done and unticked.done_by is None and unticked.done_at is None
    extra = store.add_gate_criterion(project_id, "initiation", "Legal reviewed T&Cs")
    assert store.gate_checks(project_id).checks[-1].text == "Legal reviewed T&Cs"
    assert extra.criterion_key == "custom_1"
    second = store.add_gate_criterion(project_id, "initiation", "DPO consulted")
    assert second.criterion_key == "custom_2"


# -- risks --------------------------------------------------------------------------------


def test_risk_refs_defaults_and_ordering(store: Store, project_id: int) -> None:
    r1 = store.create_risk(project_id, {"title": "Low one", "likelihood": 1, "impact": 1})
    r2 = store.create_risk_from_template(project_id, "peak_traffic", owner="bob")
    assert (r1.ref, r2.ref) == ("R-001", "R-002")
    assert r1.next_review_date == TODAY + timedelta(days=90)
    assert r2.category == "performance" and (r2.likelihood, r2.impact) == (3, 5)
    assert r2.next_review_date == TODAY + timedelta(days=7)  # Extreme: weekly review
    assert [r.ref for r in store.list_risks(project_id)] == ["R-002", "R-001"]


def test_risk_validation_rules(store: Store, project_id: int) -> None:
    with pytest.raises(ValidationError) as err:
        store.create_risk(project_id, {"title": "x", "likelihood": 6, "impact": 0})
    assert {"likelihood", "impact"} <= set(err.value.errors)
    with pytest.raises(ValidationError):  # residual without a response
        store.create_risk(
            project_id, {"title": "x", "residual_likelihood": 1, "residual_impact": 1}
        )
    with pytest.raises(ValidationError):  # residual above inherent
        store.create_risk(
            project_id,
            {
                "title": "x",
                "likelihood": 2,
                "impact": 2,
                "response": "mitigate",
                "residual_likelihood": 3,
                "residual_impact": 1,
            },
        )
    with pytest.raises(ValidationError):  # exploit is for opportunities
        store.create_risk(project_id, {"title": "x", "response": "exploit"})
    ok = store.create_risk(
        project_id,
        {
            "title": "x",
            "owner": "bob",
            "likelihood": 4,
            "impact": 4,
            "response": "mitigate",
            "residual_likelihood": 2,
            "residual_impact": 3,
        },
    )
    assert (ok.residual_likelihood, ok.residual_impact) == (2, 3)
    with pytest.raises(ValidationError):
        store.update_risk(ok.id, ok.version, {"impact": 2})  # now below residual impact 3  # type: ignore[arg-type]


def test_close_risk_needs_reason_and_conflicts_on_stale_version(
    store: Store, project_id: int
) -> None:
    r = store.create_risk(project_id, {"title": "Vendor late", "owner": "ann"})
    with pytest.raises(ValidationError):
        store.close_risk(r.id, r.version, "")  # type: ignore[arg-type]
    store.update_risk(r.id, r.version, {"owner": "bob"})  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        store.close_risk(r.id, r.version, "Delivered")  # type: ignore[arg-type]
    closed = store.close_risk(r.id, r.version + 1, "Delivered")  # type: ignore[arg-type]
    assert closed.status == "closed" and closed.owner == "bob"
    assert store.list_risks(project_id, include_closed=False) == []


# -- PPTF ---------------------------------------------------------------------------------


def test_interview_answers_summary_and_gap_links(store: Store, project_id: int) -> None:
    a = store.start_assessment(project_id, "Logistics", phase="initiation", language="es")
    assert a.status == "in_progress" and a.interviewer == "alice"
    with pytest.raises(ValidationError):
        store.complete_assessment(a.id)  # type: ignore[arg-type]
    store.save_answer(a.id, "P1", 0, note="No comms plan")  # type: ignore[arg-type]
    store.save_answer(a.id, "P2", 3)  # type: ignore[arg-type]
    again = store.save_answer(a.id, "P2", 2)  # type: ignore[arg-type]  # upsert, not a duplicate
    assert again.rating == 2 and again.version == 2
    store.save_answer(a.id, "F1", None, na=True)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        store.save_answer(a.id, "P3", 4)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        store.save_answer(a.id, "NOPE", 1)  # type: ignore[arg-type]

    summary = store.assessment_summary(a.id)  # type: ignore[arg-type]
    assert len(summary.detail.answers) == 3
    # People: P1 0x3 + P2 2x3 over 3x3 + 3x3 -> 6/18.
    assert summary.scores[pptf.Dimension.PEOPLE] == pytest.approx(100 * 6 / 18)
    assert summary.scores[pptf.Dimension.FINANCE] is None  # only N/A
    assert [g.question.key for g in summary.gaps] == ["P1"]

    answer_id = summary.detail.answers["P1"].id
    card = store.gap_to_card(answer_id)  # type: ignore[arg-type]
    assert card.phase == "initiation" and card.workstream == "operations"
    assert card.department == "Logistics"
    risk_item = store.gap_to_risk(answer_id)  # type: ignore[arg-type]
    assert (risk_item.likelihood, risk_item.impact) == (4, 4)  # proposal: L4, weight + 1
    assert risk_item.category == "people" and risk_item.pptf_dimension == "people"
    linked = store.assessment_detail(a.id).answers["P1"]  # type: ignore[arg-type]
    assert (linked.created_card_id, linked.created_risk_id) == (card.id, risk_item.id)
    with pytest.raises(ValidationError):
        store.gap_to_card(answer_id)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):  # P2 rated 2 is not a gap
        store.gap_to_risk(summary.detail.answers["P2"].id)  # type: ignore[arg-type]

    done = store.complete_assessment(a.id)  # type: ignore[arg-type]
    assert done.status == "completed" and done.completed_at is not None
    rows = store.team_comparison(project_id)
    assert rows[0][0].department == "Logistics"


def test_interview_needs_team_and_phase_or_milestone(store: Store, project_id: int) -> None:
    with pytest.raises(ValidationError) as err:
        store.start_assessment(project_id, " ", language="fr")
    assert {"department", "language", "phase"} <= set(err.value.errors)
    milestone = store.create_card(
        project_id, {"title": "Go-live", "kind": "milestone", "phase": "execution"}
    )
    a = store.start_assessment(project_id, "IT", milestone_card_id=milestone.id)
    assert a.phase == "execution" and a.milestone_card_id == milestone.id


def test_deleting_a_linked_card_clears_links(store: Store, project_id: int) -> None:
    a = store.start_assessment(project_id, "IT", phase="initiation")
    ans = store.save_answer(a.id, "T1", 0)  # type: ignore[arg-type]
    card = store.gap_to_card(ans.id)  # type: ignore[arg-type]
    store.delete_card(card.id, None)  # type: ignore[arg-type]
    assert store.assessment_detail(a.id).answers["T1"].created_card_id is None  # type: ignore[arg-type]


# -- summaries and activity ------------------------------------------------------------------


def test_project_summary_counts(store: Store, project_id: int) -> None:
    store.create_card(project_id, {"title": "late", "due_date": "2026-11-01"})
    store.create_card(project_id, {"title": "done", "status": "done", "due_date": "2026-11-01"})
    store.create_card(project_id, {"title": "M1", "kind": "milestone", "due_date": "2026-12-24"})
    store.create_risk_from_template(project_id, "peak_traffic", owner="bob")  # 3x5 Extreme
    store.create_risk(project_id, {"title": "h", "likelihood": 3, "impact": 3, "owner": "b"})
    a = store.start_assessment(project_id, "IT", phase="initiation")
    store.save_answer(a.id, "G1", 3)  # type: ignore[arg-type]
    (s,) = store.project_summaries()
    assert s.readiness is None and s.pptf_in_progress == 1  # in progress: never averaged in
    store.complete_assessment(a.id)  # type: ignore[arg-type]
    (s,) = store.project_summaries()
    assert (s.cards_total, s.cards_done, s.overdue) == (3, 1, 1)
    assert (s.extreme_risks, s.high_risks) == (1, 1)
    assert s.next_milestone is not None and s.next_milestone.title == "M1"
    assert s.readiness == pytest.approx(100.0)
    assert s.progress == pytest.approx(100 / 3)


def test_every_write_is_audited_with_the_os_user(store: Store, project_id: int) -> None:
    card = store.create_card(project_id, {"title": "x"})
    store.move_card(card.id, "planning")  # type: ignore[arg-type]
    evs = store.list_events()
    assert {e.user for e in evs} == {"alice"}
    assert [(e.entity, e.action) for e in evs[:3]] == [
        ("card", "move"),
        ("card", "create"),
        ("project", "create"),
    ]
    assert store.list_events(entity="card", project_id=project_id)[0].action == "move"
    assert store.list_events(user="nobody") == []


def test_forms_may_type_relative_dates_against_the_store_clock(
    store: Store, project_id: int
) -> None:
    card = store.create_card(project_id, {"title": "Launch", "due_date": "+2w"})
    assert card.due_date == TODAY + timedelta(weeks=2)
    assert card.id is not None
    updated = store.update_card(card.id, card.version, {"due_date": "today"})
    assert updated.due_date == TODAY
