"""Pilot tests of the PPTF workflow: list, start form, wizard keys, summary, gaps."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from pilots import settle as settle_rounds
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from ecpm_tui import lifecycle
from ecpm_tui.app import EcpmApp
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.screens.confirm import ConfirmScreen
from ecpm_tui.screens.form import FormScreen
from ecpm_tui.screens.help import HelpScreen
from ecpm_tui.screens.pptf import PptfScreen
from ecpm_tui.screens.pptf_compare import CompareScreen
from ecpm_tui.screens.pptf_start import StartInterviewScreen
from ecpm_tui.screens.pptf_summary import SummaryScreen
from ecpm_tui.screens.pptf_wizard import WizardScreen
from ecpm_tui.screens.risk_form import RiskFormScreen
from ecpm_tui.store import Store

SIZE = (120, 35)
TODAY = date(2026, 11, 2)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'pptf.db'}", "test"))
    s = Store(db, user="alice", today=lambda: TODAY)
    s.create_project({"key": "SHOP", "name": "Storefront"})
    p = s.create_project({"key": "B2BX", "name": "B2B portal"})
    assert p.id is not None
    yield s
    db.close()


def project_id(store: Store, key: str) -> int:
    return next(p.id for p in store.list_projects() if p.key == key)  # type: ignore[misc]


def run_app(store: Store, body: Callable[[EcpmApp, Pilot[None]], Awaitable[None]]) -> None:
    async def main() -> None:
        app = EcpmApp(store, poll_interval=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await body(app, pilot)

    asyncio.run(main())


async def settle(pilot: Pilot[None]) -> None:
    await settle_rounds(pilot, 4)


async def until(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 10) -> None:
    """Wait (on a loaded machine) until *condition* holds; fail after *seconds*."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await settle(pilot)
        await asyncio.sleep(0.05)
    assert condition()


def text(app: EcpmApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def answers(store: Store, assessment_id: int) -> dict[str, tuple[int | None, bool, bool, str]]:
    detail = store.assessment_detail(assessment_id)
    return {k: (a.rating, a.na, a.unknown, a.note) for k, a in detail.answers.items()}


async def open_first_interview(app: EcpmApp, pilot: Pilot[None]) -> None:
    await pilot.press("3")
    await settle(pilot)
    assert isinstance(app.screen, PptfScreen)
    await pilot.press("enter")
    await settle(pilot)


def test_n_starts_an_interview_typed_ahead_with_defaults(store: Store) -> None:
    pid = project_id(store, "B2BX")

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        app.current_project_id = pid  # the project last opened on the board
        await pilot.press("3")
        await settle(pilot)
        # No pause between n and the team name: no key may be lost.
        await pilot.press("n", *"Logistics")
        assert isinstance(app.screen, StartInterviewScreen)
        assert app.screen.query_one("#start-department", Input).value == "Logistics"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, WizardScreen)
        assert "G1" in text(app, "#wiz-meta")
        assert "objectives and commitments" in text(app, "#wiz-question")

    run_app(store, body)
    (row,) = store.list_interviews()
    assert row.project_key == "B2BX"
    assert row.assessment.department == "Logistics"
    assert row.assessment.phase == lifecycle.Phase.INITIATION.value  # the project's phase
    assert row.assessment.language == "en" and row.assessment.status == "in_progress"


def test_start_form_requires_a_team(store: Store) -> None:
    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StartInterviewScreen)
        assert "required" in text(app, "#error-department")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PptfScreen)

    run_app(store, body)
    assert store.list_interviews() == []


def test_wizard_keys_rate_save_and_move(store: Store) -> None:
    a = store.start_assessment(project_id(store, "SHOP"), "IT", phase="initiation")
    assert a.id is not None

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await open_first_interview(app, pilot)
        wiz = app.screen
        assert isinstance(wiz, WizardScreen)
        await pilot.press("2", "x", "u")  # G1 defined, P1 N/A, P2 don't know
        await settle(pilot)
        assert answers(store, a.id) == {  # type: ignore[arg-type]
            "G1": (2, False, False, ""),
            "P1": (None, True, False, ""),
            "P2": (None, False, True, ""),
        }
        assert wiz.question.key == "P3"
        await pilot.press("left")
        assert wiz.question.key == "P2" and "Don't know" in text(app, "#wiz-answer")
        await pilot.press("right", "enter")
        assert wiz.question.key == "P4"
        await pilot.press("left")
        # Digits 4 and 5 neither rate nor switch screens inside the wizard.
        await pilot.press("4", "5")
        assert app.screen is wiz and wiz.question.key == "P3"
        # tab into the note: digits and letters are typed there, not taken as keys.
        await pilot.press("tab", *"x2 u", "tab", *"Hire", "escape")
        assert app.screen is wiz and wiz.question.key == "P3"
        await pilot.press("1")
        await settle(pilot)
        detail = store.assessment_detail(a.id)  # type: ignore[arg-type]
        p3 = detail.answers["P3"]
        assert (p3.rating, p3.note, p3.action) == (1, "x2 u", "Hire")
        assert wiz.question.key == "P4"
        # Other global keys still work.
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert app.screen is wiz
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PptfScreen)

    run_app(store, body)


def test_editing_a_note_of_an_answered_question_saves_it(store: Store) -> None:
    a = store.start_assessment(project_id(store, "SHOP"), "IT", phase="initiation")
    store.save_answer(a.id, "G1", 3)  # type: ignore[arg-type]

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await open_first_interview(app, pilot)
        wiz = app.screen
        assert isinstance(wiz, WizardScreen)
        await pilot.press("left", "tab", *"[/] agreed", "enter", "enter")
        await settle(pilot)
        assert wiz.question.key == "P1"

    run_app(store, body)
    assert answers(store, a.id)["G1"] == (3, False, False, "[/] agreed")  # type: ignore[arg-type]


def test_wizard_resumes_at_the_first_unanswered_question(store: Store) -> None:
    a = store.start_assessment(project_id(store, "SHOP"), "IT", phase="initiation")
    for key in ("G1", "P1", "P3"):
        store.save_answer(a.id, key, 2)  # type: ignore[arg-type]

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await open_first_interview(app, pilot)
        assert isinstance(app.screen, WizardScreen)
        assert app.screen.question.key == "P2"
        assert "3 of 34 answered" in text(app, "#wiz-progress")

    run_app(store, body)


def test_finish_shows_unanswered_count_then_the_summary(store: Store) -> None:
    a = store.start_assessment(project_id(store, "SHOP"), "IT", phase="initiation")

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await open_first_interview(app, pilot)
        await pilot.press("3", "0", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "32 of 34 questions are unanswered" in str(
            app.screen.query_one("#confirm-question", Static).render()
        )
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert "P1" in str(app.screen.query_one("#sum-gaps", DataTable).get_row_at(0)[0])

    run_app(store, body)
    done = store.assessment_detail(a.id).assessment  # type: ignore[arg-type]
    assert done.status == "completed"
    assert done.completed_at is not None and done.completed_at >= done.started_at


def completed_with_gap(store: Store, language: str = "en") -> int:
    a = store.start_assessment(
        project_id(store, "SHOP"), "Logistics", phase="planning", language=language
    )
    assert a.id is not None
    store.save_answer(a.id, "G1", 3)
    store.save_answer(a.id, "T7", 0, note="no load test", action="book one")
    store.complete_assessment(a.id)
    return a.id


def test_gap_to_card_once(store: Store) -> None:
    aid = completed_with_gap(store)

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await open_first_interview(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("c")
        await settle(pilot)
        row = app.screen.query_one("#sum-gaps", DataTable).get_row_at(0)
        assert "PPTF gap: Is load testing" in str(row[4])
        await pilot.press("c")  # never twice
        await settle(pilot)

    run_app(store, body)
    t7 = store.assessment_detail(aid).answers["T7"]
    cards = [c for c in store.list_cards(project_id(store, "SHOP")) if "PPTF gap" in c.title]
    assert len(cards) == 1 and t7.created_card_id == cards[0].id
    card = cards[0]
    assert card.phase == "planning" and card.workstream == "website"  # the question's own
    assert "no load test" in card.description and "book one" in card.description


def test_gap_to_risk_confirms_proposal_then_never_twice(store: Store) -> None:
    aid = completed_with_gap(store)

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await open_first_interview(app, pilot)
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        values = form.values()
        # Proposal: the question's own category; L4 for No; impact = weight 2 + 1.
        assert (values["category"], values["likelihood"], values["impact"]) == (
            "performance",
            "4",
            "3",
        )
        assert values["title"].startswith("Logistics: Is load testing")
        title = form.query_one("#field-title", Input)
        title.value = "Peak load untested"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert str(app.screen.query_one("#sum-gaps", DataTable).get_row_at(0)[5]) == "R-001"
        await pilot.press("r")  # already has a risk: no dialog
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)

    run_app(store, body)
    (item,) = store.list_risks(project_id(store, "SHOP"))
    assert (item.title, item.category, item.likelihood, item.impact) == (
        "Peak load untested",
        "performance",
        4,
        3,
    )
    assert store.assessment_detail(aid).answers["T7"].created_risk_id == item.id


def test_gap_risk_cancel_saves_nothing(store: Store) -> None:
    completed_with_gap(store)

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await open_first_interview(app, pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)

    run_app(store, body)
    assert store.list_risks(project_id(store, "SHOP")) == []


def test_gap_opens_the_full_risk_form_prefilled_from_the_answer(store: Store) -> None:
    aid = completed_with_gap(store)

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await open_first_interview(app, pilot)
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RiskFormScreen)
        values = form.values()
        # The answer's note and action, the question's workstream and dimension.
        assert (values["cause"], values["mitigation"]) == ("no load test", "book one")
        assert (values["workstream"], values["pptf_dimension"]) == ("website", "technology")
        assert values["status"] == "identified"
        form.query_one("#field-next_review_date", Input).value = "+2w"
        form.query_one("#field-owner", Input).value = "bob"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)

    run_app(store, body)
    (item,) = store.list_risks(project_id(store, "SHOP"))
    assert item.owner == "bob" and item.next_review_date == date(2026, 11, 16)
    assert item.cause == "no load test" and item.mitigation == "book one"
    assert store.assessment_detail(aid).answers["T7"].created_risk_id == item.id


@pytest.mark.parametrize(
    ("language", "question", "original"),
    [
        ("es", "¿Están definidas las responsabilidades de cada uno?", None),
        ("it", "Le responsabilità di ciascuno sono definite?", "¿Están definidas"),
        ("nl", "Zijn ieders verantwoordelijkheden vastgelegd?", "¿Están definidas"),
        ("en", "Is everyone's responsibility defined?", "¿Están definidas"),
    ],
)
def test_wizard_speaks_the_interview_language_with_the_seed_spanish(
    store: Store, language: str, question: str, original: str | None
) -> None:
    a = store.start_assessment(
        project_id(store, "SHOP"), "IT", phase="initiation", language=language
    )
    store.save_answer(a.id, "G1", 2)  # type: ignore[arg-type]
    store.save_answer(a.id, "P1", 2)  # type: ignore[arg-type]

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await open_first_interview(app, pilot)
        assert text(app, "#wiz-question") == question
        shown = text(app, "#wiz-original")
        if original is None:
            assert shown == ""  # Spanish: the translation is the seed itself
        else:
            assert original in shown

    run_app(store, body)


def test_delete_asks_then_deletes_and_audits(store: Store) -> None:
    completed_with_gap(store)

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert store.list_interviews()
        await pilot.press("d", "y")
        table = app.screen.query_one("#pptf-table", DataTable)
        await until(pilot, lambda: table.row_count == 0)

    run_app(store, body)
    assert store.list_interviews() == []
    events = store.list_events()
    assert any(e.entity == "assessment" and e.action == "delete" for e in events)


def test_compare_shows_teams_and_one_team_over_time(store: Store) -> None:
    pid = project_id(store, "SHOP")
    for team, phase in (("IT", "initiation"), ("Finance", "initiation"), ("IT", "planning")):
        a = store.start_assessment(pid, team, phase=phase)
        store.save_answer(a.id, "G1", 3)  # type: ignore[arg-type]

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await pilot.press("3")
        await settle(pilot)
        table = app.screen.query_one("#pptf-table", DataTable)
        # Newest first: IT planning is row 0.
        assert "IT" in str(table.get_row_at(0)[2])
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        teams = app.screen.query_one("#cmp-teams", DataTable)
        assert teams.row_count == 1  # only IT was interviewed in Planning
        history = app.screen.query_one("#cmp-time", DataTable)
        assert history.row_count == 2
        await pilot.press("escape")
        assert isinstance(app.screen, PptfScreen)

    run_app(store, body)


def test_hostile_names_render_literally_in_form_wizard_and_summary(store: Store) -> None:
    evil = "[/] [@click=app.quit]x\x1b[31m"
    p = store.create_project({"key": "EVIL", "name": evil})
    assert p.id is not None
    store.create_card(p.id, {"title": evil, "kind": "milestone"})
    a = store.start_assessment(p.id, evil, phase="initiation")
    store.save_answer(a.id, "T7", 0, note=evil)  # type: ignore[arg-type]
    store.complete_assessment(a.id)  # type: ignore[arg-type]

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        app.current_project_id = p.id
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, StartInterviewScreen)
        await pilot.press("escape")
        await pilot.press("enter")  # the completed interview: its summary
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert "[/]" in text(app, "#sum-head")
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, WizardScreen)
        assert "[/]" in text(app, "#wiz-head")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PptfScreen)

    run_app(store, body)


def test_a_note_typed_on_an_answered_question_is_saved_without_leaving_it(
    store: Store,
) -> None:
    a = store.start_assessment(project_id(store, "SHOP"), "IT", phase="initiation")
    store.save_answer(a.id, "G1", 1)  # type: ignore[arg-type]

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await open_first_interview(app, pilot)
        await pilot.press("left", "tab", *"board not aligned")
        await until(
            pilot,
            lambda: answers(store, a.id)["G1"][3] == "board not aligned",  # type: ignore[arg-type]
        )
        assert isinstance(app.screen, WizardScreen) and app.screen.question.key == "G1"

    run_app(store, body)


def test_command_palette_reaches_wizard_actions(store: Store) -> None:
    a = store.start_assessment(project_id(store, "SHOP"), "IT", phase="initiation")

    async def body(app: EcpmApp, pilot: Pilot[None]) -> None:
        await open_first_interview(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Don't know")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: "G1" in answers(store, a.id))  # type: ignore[arg-type]
        assert isinstance(app.screen, WizardScreen) and app.screen.question.key == "P1"

    run_app(store, body)
    assert answers(store, a.id)["G1"] == (None, False, True, "")  # type: ignore[arg-type]
