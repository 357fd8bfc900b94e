"""Migration 0003 (board governance) upgrades a populated 0001 database in place."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from ecpm_tui.config import DbTarget
from ecpm_tui.db import migration_config, open_database, schema_revisions
from ecpm_tui.store import Store

NOW = "2026-10-01 08:30:00+00:00"


def test_upgrades_a_populated_0001_database(db_url: str) -> None:
    engine = create_engine(db_url)
    cfg = migration_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.commit()
    tracked = "created_at, created_by, updated_at, updated_by, version"
    stamp = ":now, 'x', :now, 'x', 1"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO project (id, key, name, description, channel, objectives, scope, "
                "sponsor, manager, phase, health, currency, archived, risk_seq, "
                f"{tracked}) VALUES (1, 'OLD', 'Old project', '', 'b2c', '', '', 'Ana', '', "
                f"'planning', 'amber', 'EUR', false, 0, {stamp})"
            ),
            {"now": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO card (project_id, title, description, phase, rank, status, kind, "
                "workstream, assignee, department, priority, tags, acceptance_criteria, "
                f"blocked_reason, {tracked}) VALUES (1, 'Old card', '', 'planning', 1, 'blocked', "
                f"'task', '', '', '', 'medium', '', '', 'Vendor', {stamp})"
            ),
            {"now": NOW},
        )
        for pos, key in enumerate(("budget_approved", "raci_defined")):
            conn.execute(
                text(
                    "INSERT INTO gatecheck (project_id, phase, criterion_key, text, position, "
                    f"done, note, {tracked}) VALUES (1, 'planning', :key, :label, :pos, false, '', "
                    f"{stamp})"
                ),
                {"now": NOW, "key": key, "label": key, "pos": pos},
            )
        conn.execute(
            text(
                "INSERT INTO phasetransition (project_id, from_phase, to_phase, by, at, decision, "
                "reason, unmet_criteria) VALUES (1, 'initiation', 'planning', 'x', :now, 'go', "
                "'', '[]')"
            ),
            {"now": NOW},
        )
    engine.dispose()

    db = open_database(DbTarget(db_url, "test"))
    current, heads = schema_revisions(db.engine)
    assert current == heads
    store = Store(db, user="t")
    project = store.get_project(1)
    assert (project.state, project.state_reason, project.health_note) == ("active", "", "")
    (card,) = store.list_cards(1)
    assert card.entered_at is not None and card.entered_at.date().isoformat() == "2026-10-01"
    assert card.blocked_reason == "Vendor"
    gate = store.gate_checks(1)
    assert {c.criterion_key: c.mandatory for c in gate.checks} == {
        "budget_approved": True,
        "raci_defined": False,
    }
    (t,) = store.transitions(1)
    assert (t.approved_by, t.conditions) == ("", "")
    assert store.column_settings(1)["planning"].wip_limit is None
    store.set_column_setting(1, "planning", {"wip_limit": "3"})  # the new table works
    assert store.column_settings(1)["planning"].wip_limit == 3
    db.close()
