"""Tamper evidence: every audit event is hash-chained; edits outside ecpm are found."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from ecpm_tui.config import DbTarget
from ecpm_tui.db import Database, migration_config, open_database
from ecpm_tui.exchange import export_json, import_data, parse_import
from ecpm_tui.store import Store


def busy_store(db: Database) -> tuple[Store, int]:
    store = Store(db, user="alice")
    project = store.create_project({"key": "SHOP", "name": "Storefront"})
    assert project.id is not None
    card = store.create_card(project.id, {"title": "Checkout"})
    assert card.id is not None
    store.move_card(card.id, "planning")
    store.create_risk(project.id, {"title": "Gateway down", "owner": "ann"})
    return store, project.id


def raw(db: Database, sql: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql))


def test_an_untouched_trail_verifies(db: Database) -> None:
    store, _ = busy_store(db)
    check = store.verify_audit()
    assert check.ok and check.checked == len(store.list_events()) >= 4


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE auditevent SET summary = 'nothing happened' WHERE id = {mid}",
        "UPDATE auditevent SET \"user\" = 'bob' WHERE id = {mid}",
        "DELETE FROM auditevent WHERE id = {mid}",
    ],
)
def test_an_edit_outside_ecpm_is_found_at_the_first_broken_link(db: Database, tamper: str) -> None:
    store, _ = busy_store(db)
    ids = sorted(e.id for e in store.list_events())
    mid = ids[len(ids) // 2]
    raw(db, tamper.format(mid=mid))
    check = store.verify_audit()
    assert not check.ok
    # An edited event is itself the break; after a deletion it is the next one.
    assert check.broken_id == (mid if "UPDATE" in tamper else ids[ids.index(mid) + 1])
    # Later, legitimate writes do not repair the chain.
    store.create_project({"key": "NEXT", "name": "Next"})
    assert store.verify_audit().broken_id == check.broken_id


def test_a_forged_event_inserted_with_a_made_up_hash_is_found(db: Database) -> None:
    store, pid = busy_store(db)
    raw(
        db,
        'INSERT INTO auditevent (at, "user", entity, entity_id, project_id, action, summary, '
        "changes, db_role, imported_by, hash) VALUES ('2026-01-01 00:00:00', 'boss', 'project', "
        f"{pid}, {pid}, 'approve', 'Approved by the boss', '{{}}', '', '', '{'f' * 64}')",
    )
    check = store.verify_audit()
    assert not check.ok and check.broken_id == max(e.id for e in store.list_events())


def test_imported_history_is_marked_and_chained(db: Database) -> None:
    source, _ = busy_store(db)
    data = parse_import(export_json(source, "SHOP").replace('"SHOP"', '"COPY"'))
    importer = Store(db, user="ivan")
    import_data(importer, data)
    events = importer.list_events(limit=1000)
    copied = [e for e in events if e.project_id != events[-1].project_id and e.action != "import"]
    assert copied
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT \"user\", imported_by, imported_at FROM auditevent WHERE imported_by <> ''"
            )
        ).all()
    assert rows and {r[0] for r in rows} == {"alice"} and {r[1] for r in rows} == {"ivan"}
    assert all(r[2] is not None for r in rows)
    assert importer.verify_audit().ok


def test_the_postgresql_role_is_recorded(db: Database) -> None:
    busy_store(db)
    with db.engine.connect() as conn:
        roles = set(conn.execute(text("SELECT DISTINCT db_role FROM auditevent")).scalars())
        expected = "" if db.is_sqlite else conn.execute(text("SELECT current_user")).scalar()
    assert roles == {expected}


def test_upgrading_an_old_database_chains_its_existing_events(db_url: str) -> None:
    engine = create_engine(db_url)
    cfg = migration_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.commit()
    with engine.begin() as conn:
        for n in range(3):
            conn.execute(
                text(
                    'INSERT INTO auditevent (at, "user", entity, action, summary, changes) '
                    "VALUES (:at, 'old', 'project', 'create', :summary, '{}')"
                ),
                {
                    "at": datetime(2026, 1, 1 + n, 9, 30, 0, 123456, tzinfo=UTC),
                    "summary": f"old {n}",
                },
            )
    engine.dispose()
    db = open_database(DbTarget(db_url, "test"))
    try:
        store = Store(db, user="new")
        store.create_project({"key": "NEW", "name": "After the upgrade"})
        check = store.verify_audit()
        assert check.ok and check.checked == 4
    finally:
        db.close()
