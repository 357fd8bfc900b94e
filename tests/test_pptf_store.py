"""Store operations of the PPTF workflow: list, choices, delete, gap -> risk values, languages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.errors import Conflict, ValidationError
from ecpm_tui.store import Store


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    db = open_database(DbTarget(db_url, "test"))
    s = Store(db, user="alice", today=lambda: date(2026, 11, 2))
    yield s
    db.close()


@pytest.fixture
def project_id(store: Store) -> int:
    p = store.create_project({"key": "SHOP", "name": "Shop"})
    assert p.id is not None
    return p.id


@pytest.mark.parametrize("language", ["en", "es", "it", "nl"])
def test_interviews_start_in_each_language(store: Store, project_id: int, language: str) -> None:
    a = store.start_assessment(project_id, "IT", phase="planning", language=language)
    assert a.language == language


def test_unknown_language_is_refused(store: Store, project_id: int) -> None:
    with pytest.raises(ValidationError) as exc:
        store.start_assessment(project_id, "IT", phase="planning", language="fr")
    assert set(exc.value.errors) == {"language"}


def test_list_interviews_and_start_choices(store: Store, project_id: int) -> None:
    m = store.create_card(project_id, {"title": "Go-live", "kind": "milestone"})
    a = store.start_assessment(project_id, "Logistics", milestone_card_id=m.id)
    store.save_answer(a.id, "G1", 3)  # type: ignore[arg-type]
    store.save_answer(a.id, "P1", None, na=True)  # type: ignore[arg-type]
    (row,) = store.list_interviews()
    assert (row.project_key, row.milestone_title, row.answered, row.total) == (
        "SHOP",
        "Go-live",
        2,
        34,
    )
    assert row.overall == pytest.approx(100.0)
    choices = store.interview_choices()
    assert [(key, phase) for _id, key, _name, phase in choices.projects] == [("SHOP", "initiation")]
    assert [title for _id, _pid, title, _phase in choices.milestones] == ["Go-live"]
    assert choices.teams == ["Logistics"]
    assert store.list_interviews(project_id + 99) == []


def test_delete_checks_the_version_and_audits(store: Store, project_id: int) -> None:
    a = store.start_assessment(project_id, "IT", phase="planning")
    assert a.id is not None
    store.save_answer(a.id, "G1", 2)
    with pytest.raises(Conflict):
        store.delete_assessment(a.id, a.version + 5)
    store.delete_assessment(a.id, a.version)
    assert store.list_interviews() == []
    (event,) = [e for e in store.list_events() if e.action == "delete"]
    assert event.entity == "assessment" and "1 answers" in event.summary


def test_gap_to_risk_takes_the_confirmed_values_and_checks_them(
    store: Store, project_id: int
) -> None:
    a = store.start_assessment(project_id, "IT", phase="planning")
    answer = store.save_answer(a.id, "T7", 1, note="ad hoc")  # type: ignore[arg-type]
    proposal = store.gap_risk_proposal(answer, "en", "IT", "alice")
    assert proposal == {
        "title": "IT: Is load testing planned against forecast peak traffic?",
        "category": "performance",
        "likelihood": "3",
        "impact": "3",
        "owner": "alice",
    }
    with pytest.raises(ValidationError) as exc:
        store.gap_to_risk(answer.id, {"likelihood": "9", "category": "weather", "title": " "})  # type: ignore[arg-type]
    assert set(exc.value.errors) == {"likelihood", "category", "title"}
    with pytest.raises(ValidationError):
        store.gap_to_risk(answer.id, {"status": "closed"})  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as exc:  # High: an owner is required
        store.gap_to_risk(answer.id, {"owner": " "})  # type: ignore[arg-type]
    assert set(exc.value.errors) == {"owner"}
    item = store.gap_to_risk(answer.id, {"likelihood": "2", "category": "schedule"})  # type: ignore[arg-type]
    assert (item.likelihood, item.impact, item.category) == (2, 3, "schedule")
    assert item.workstream == "website" and item.pptf_dimension == "technology"
    assert item.cause == "ad hoc" and item.owner == "alice"  # the interviewer
    with pytest.raises(ValidationError):
        store.gap_to_risk(answer.id)  # type: ignore[arg-type]
    assert len(store.list_risks(project_id)) == 1
