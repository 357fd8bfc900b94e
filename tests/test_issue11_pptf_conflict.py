"""Issue 11 item 7: a PPTF answer saved from a stale view is refused, never overwrites."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pilots import record_notices
from test_pptf_wizard import open_first_interview, settle, until
from textual.notifications import SeverityLevel
from textual.widgets import Input, Static

from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import Database, open_database
from ecpm_tui.errors import Conflict
from ecpm_tui.screens.pptf_wizard import WizardScreen
from ecpm_tui.store import Store

TODAY = date(2026, 11, 2)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(DbTarget(f"sqlite:///{tmp_path / 'pptf.db'}", "test"))
    yield database
    database.close()


def stores(db: Database) -> tuple[Store, Store, int]:
    alice = Store(db, user="alice", today=lambda: TODAY)
    bob = Store(db, user="bob", today=lambda: TODAY)
    p = alice.create_project({"key": "SHOP", "name": "Storefront"})
    assert p.id is not None
    a = alice.start_assessment(p.id, "IT", phase="initiation")
    assert a.id is not None
    return alice, bob, a.id


def test_stale_answer_is_refused_and_nothing_is_overwritten(db: Database) -> None:
    alice, bob, aid = stores(db)
    seen = alice.save_answer(aid, "G1", 2, note="agreed", expected_version=0)
    assert seen.version == 1
    bob.save_answer(aid, "G1", 0, note="not agreed", expected_version=seen.version)
    with pytest.raises(Conflict) as err:
        alice.save_answer(aid, "G1", 3, note="evidenced", expected_version=seen.version)
    assert "changed by bob" in err.value.message
    assert "nothing was overwritten" in err.value.message
    held = alice.assessment_detail(aid).answers["G1"]
    assert (held.rating, held.note, held.updated_by, held.version) == (0, "not agreed", "bob", 2)
    # With the current version the save goes through.
    again = alice.save_answer(aid, "G1", 3, expected_version=held.version)
    assert (again.rating, again.version) == (3, 3)


def test_first_answer_racing_another_first_answer_is_refused(db: Database) -> None:
    alice, bob, aid = stores(db)
    bob.save_answer(aid, "P1", 1, expected_version=0)
    with pytest.raises(Conflict, match="P1 was answered by bob"):
        alice.save_answer(aid, "P1", 3, expected_version=0)
    assert alice.assessment_detail(aid).answers["P1"].rating == 1
    # The refused save left no audit event.
    assert [e.user for e in alice.list_events(entity="answer")] == ["bob"]


def test_without_a_version_the_save_still_replaces(db: Database) -> None:
    """Callers that do not track versions (scripts, imports) keep the upsert."""
    alice, bob, aid = stores(db)
    bob.save_answer(aid, "G1", 1)
    assert alice.save_answer(aid, "G1", 2).rating == 2


def test_wizard_shows_the_conflict_and_reloads_the_current_answer(db: Database) -> None:
    alice, bob, aid = stores(db)
    alice.save_answer(aid, "G1", 2, note="alice's note")
    notices: list[tuple[str, SeverityLevel]] = []

    async def main() -> None:
        app = EcpmApp(alice, poll_interval=0)
        record_notices(app, into=notices)
        async with app.run_test(size=(120, 35)) as pilot:
            await settle(pilot)
            await open_first_interview(app, pilot)
            wiz = app.screen
            assert isinstance(wiz, WizardScreen)
            await until(pilot, lambda: wiz.detail is not None)
            assert wiz.question.key == "P1"  # resumed at the first unanswered
            await pilot.press("left")
            assert wiz.question.key == "G1"
            # Bob answers G1 while Alice looks at her own answer.
            bob.save_answer(aid, "G1", 0, note="[/] bob's note")
            await pilot.press("3")  # Alice's save is based on version 1: refused
            await until(pilot, lambda: any(s == "error" for _, s in notices))
            await until(pilot, lambda: wiz.replies["G1"].rating == 0)
            assert wiz.question.key == "G1"
            answer = str(wiz.query_one("#wiz-answer", Static).render())
            assert "0 No" in answer
            assert wiz.query_one("#wiz-note", Input).value == "[/] bob's note"
            # Now seeing Bob's version, Alice may answer again.
            await pilot.press("2")
            await settle(pilot)
            await until(pilot, lambda: alice.assessment_detail(aid).answers["G1"].rating == 2)

    asyncio.run(main())
    errors = [m for m, s in notices if s == "error"]
    assert len(errors) == 1
    assert "changed by bob" in errors[0] and "nothing was overwritten" in errors[0]
    held = alice.assessment_detail(aid).answers["G1"]
    assert (held.rating, held.note, held.updated_by) == (2, "[/] bob's note", "alice")
