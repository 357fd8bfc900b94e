"""PPTF interviews round-trip through export and import: answers, notes, actions, links."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.errors import ValidationError
from ecpm_tui.exchange import export_data, export_json, import_data
from ecpm_tui.store import Store

TODAY = date(2026, 11, 2)


def make_store(path: Path) -> Store:
    return Store(
        open_database(DbTarget(f"sqlite:///{path}", "test")), user="alice", today=lambda: TODAY
    )


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Store]:
    store = make_store(tmp_path / "src.db")
    p = store.create_project({"key": "SHOP", "name": "Shop"})
    assert p.id is not None
    a = store.start_assessment(p.id, "Logistics", phase="planning", language="it")
    assert a.id is not None
    store.save_answer(a.id, "G1", 3, note="agreed [/]")
    store.save_answer(a.id, "T7", 0, note="no load test", action="book one")
    store.save_answer(a.id, "F1", None, na=True)
    store.save_answer(a.id, "R2", None, unknown=True)
    gaps = store.assessment_detail(a.id).answers
    store.gap_to_card(gaps["T7"].id)  # type: ignore[arg-type]
    store.gap_to_risk(gaps["T7"].id, {"impact": "5"})  # type: ignore[arg-type]
    store.gap_to_risk(gaps["R2"].id)  # type: ignore[arg-type]
    store.complete_assessment(a.id)
    store.start_assessment(p.id, "IT", phase="planning")  # in progress, no answers
    yield store
    store.db.close()


def test_interviews_round_trip_with_scores_gaps_and_links(source: Store, tmp_path: Path) -> None:
    exported = export_data(source)
    (interview, empty) = exported["projects"][0]["assessments"]
    assert interview["language"] == "it" and interview["status"] == "completed"
    assert interview["gaps"] == ["R2", "T7"]
    assert interview["scores"]["finance"] == 100.0  # G1 only: F1 is N/A
    assert interview["overall"] is not None
    by_key = {x["question_key"]: x for x in interview["answers"]}
    assert by_key["T7"]["created_card"] is not None and by_key["T7"]["created_risk"] == "R-001"
    assert by_key["R2"]["created_risk"] == "R-002" and by_key["R2"]["unknown"] is True
    assert empty["answers"] == [] and empty["gaps"] == []

    target = make_store(tmp_path / "dst.db")
    import_data(target, json.loads(export_json(source)))
    again = export_data(target)
    for doc in (exported, again):
        doc.pop("exported_at")
    assert again == exported
    (row,) = [r for r in target.list_interviews() if r.assessment.department == "Logistics"]
    detail = target.assessment_detail(row.assessment.id)
    t7 = detail.answers["T7"]
    assert (t7.note, t7.action) == ("no load test", "book one")
    assert detail.card_titles[t7.created_card_id].startswith("Lacuna PPTF:")  # type: ignore[index]
    assert detail.risk_refs[t7.created_risk_id] == "R-001"  # type: ignore[index]
    # The links survive: the gap is still never turned into the same item twice.
    with pytest.raises(ValidationError):
        target.gap_to_card(t7.id)  # type: ignore[arg-type]
    target.db.close()


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"completed_at": "2020-01-01T00:00:00+00:00"}, "before 'started_at'"),
        ({"completed_at": None}, "needs 'completed_at'"),
    ],
)
def test_import_refuses_impossible_interview_times(
    source: Store, tmp_path: Path, change: dict[str, object], fragment: str
) -> None:
    data = json.loads(export_json(source))
    data["projects"][0]["assessments"][0].update(change)
    target = make_store(tmp_path / "dst.db")
    with pytest.raises(ValidationError) as exc:
        import_data(target, data)
    assert fragment in exc.value.message
    assert target.list_interviews() == []
    target.db.close()
