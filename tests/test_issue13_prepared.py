"""Issue 13 item 5: the hot writes' statements run on SQLite's cursor give the rows Core
gives, and driver errors come out as the exceptions Core raises (so retries and messages
work alike on both paths)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import bindparam, func, literal, select
from sqlalchemy.exc import IntegrityError, OperationalError

from ecpm_tui.config import DbTarget
from ecpm_tui.db import Database, open_database
from ecpm_tui.models import Card
from ecpm_tui.store import Store
from ecpm_tui.store.base import INSERT_EVENT
from ecpm_tui.store.card_writes import LOAD
from ecpm_tui.store.prepared import LazyRow, Prepared

CARD = Card.__table__


def _store(path: Path) -> tuple[Store, int]:
    store = Store(open_database(DbTarget(f"sqlite:///{path}", "test")), user="alice")
    project = store.create_project({"key": "SHOP", "name": "Storefront"})
    assert project.id is not None
    card = store.create_card(
        project.id,
        {
            "title": "Checkout [/] \x1b[31m" + "é" * 200,
            "tags": "b2b, ünïcode",
            "due_date": "2026-12-01",
            "estimate": "5",
        },
    )
    assert card.id is not None
    return store, card.id


def test_rows_are_the_rows_core_returns(tmp_path: Path) -> None:
    store, cid = _store(tmp_path / "a.db")
    db: Database = store.db
    with db.engine.connect() as c:
        for statement, params in (
            (select(CARD).where(CARD.c.id == cid), {}),
            (LOAD.statement, {"p_id": cid, "p_target": "planning"}),
        ):
            core = [dict(row) for row in c.execute(statement, params).mappings()]
            fast = Prepared(statement).rows(c, params)
            assert fast == core
            lazy = Prepared(statement, lazy=True).rows(c, params)
            assert [type(r) for r in lazy] == [LazyRow]
            assert lazy[0]["title"] == core[0]["title"]  # one value read, then all of them
            assert [r.to_dict() for r in lazy] == [dict(r) for r in lazy] == core
            assert [list(map(type, r.values())) for r in fast] == [
                list(map(type, r.values())) for r in core
            ]
    row = fast[0]
    assert row["due_date"] == date(2026, 12, 1)
    assert row["created_at"].tzinfo is not None and row["p_hash"]
    db.close()


def test_literals_in_a_statement_keep_their_values_unless_given(tmp_path: Path) -> None:
    store, cid = _store(tmp_path / "e.db")
    statement = select(
        (CARD.c.version + 41).label("answer"),
        func.coalesce(bindparam("p_none", None), 7).label("seven"),
        literal("[/] \x1b").label("text"),
    ).where(CARD.c.id == bindparam("p_id"))
    with store.db.engine.connect() as c:
        core = [dict(r) for r in c.execute(statement, {"p_id": cid}).mappings()]
        assert Prepared(statement).rows(c, {"p_id": cid}) == core
        assert core == [{"answer": 42, "seven": 7, "text": "[/] \x1b"}]
        given = Prepared(statement).rows(c, {"p_id": cid, "p_none": 8})
        assert given[0]["seven"] == 8
        with pytest.raises(KeyError):
            Prepared(statement).rows(c, {})  # a parameter the caller must give
    store.db.close()


def test_a_missing_row_is_none(tmp_path: Path) -> None:
    store, _cid = _store(tmp_path / "b.db")
    with store.db.engine.connect() as c:
        assert LOAD.first(c, {"p_id": 999_999, "p_target": ""}) is None
    store.db.close()


def test_a_constraint_failure_is_cores_integrity_error(tmp_path: Path) -> None:
    store, _cid = _store(tmp_path / "c.db")
    event = store.event_row("card", 1, None, "move", "the id of the first event again")
    event.update(id=1, hash="x")
    insert = Prepared(INSERT_EVENT, list(event))
    with store.db.engine.connect() as c, pytest.raises(IntegrityError), c.begin():
        insert.many(c, [event])
    store.db.close()


def test_a_held_write_lock_at_begin_is_cores_operational_error(tmp_path: Path) -> None:
    store, cid = _store(tmp_path / "d.db")
    holder = sqlite3.connect(tmp_path / "d.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with store.db.engine.connect() as c:
            driver = c.connection.driver_connection
            assert driver is not None
            driver.execute("PRAGMA busy_timeout=0")  # fail at once instead of waiting
            with pytest.raises(OperationalError, match="locked"):
                c.begin()
    finally:
        holder.rollback()
        holder.close()
    # With the lock free again the same write goes through.
    assert store.move_card(cid, "planning").phase == "planning"
    store.db.close()
