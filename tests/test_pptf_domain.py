"""PPTF domain rules fixed in review: scores, gaps, proposals, readiness, the bank's seeds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ecpm_tui import pptf
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.models import Assessment
from ecpm_tui.pptf import (
    AnswerValue,
    Dimension,
    InterviewKey,
    Question,
    QuestionBank,
    dimension_score,
    gap_risk_defaults,
    gaps,
    is_gap,
    load_question_bank,
    overall_score,
    readiness_interviews,
)
from ecpm_tui.pptf_text import dimension_label, phrase, rating_label
from ecpm_tui.risk import Level, level
from ecpm_tui.store import Store

NA = AnswerValue(None, na=True)
DK = AnswerValue(None, unknown=True)


def r(rating: int) -> AnswerValue:
    return AnswerValue(rating)


def q(key: str, weight: int, dim: Dimension = Dimension.PEOPLE, **kw: object) -> Question:
    return Question(key, (dim,), weight, f"{key}?", None, False, **kw)  # type: ignore[arg-type]


# -- scoring with N/A and Don't know ---------------------------------------------------------


def test_na_is_excluded_and_dont_know_scores_zero() -> None:
    bank = QuestionBank((q("A", 3), q("B", 1), q("C", 2)))
    # A 3x3 = 9 of 9; B N/A (excluded); C don't know 0 of 6 -> 9/15.
    values = {"A": r(3), "B": NA, "C": DK}
    assert dimension_score(bank, values, Dimension.PEOPLE) == pytest.approx(60.0)
    assert overall_score(bank, values) == pytest.approx(60.0)
    assert dimension_score(bank, {"B": NA}, Dimension.PEOPLE) is None  # only N/A
    assert dimension_score(bank, {}, Dimension.FINANCE) is None


# -- the gap rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "answer", "expected"),
    [
        (3, r(0), True),
        (2, r(1), True),
        (2, DK, True),
        (2, r(2), False),
        (1, r(0), False),  # low weight is never a gap
        (3, NA, False),  # N/A is never a gap
    ],
)
def test_gap_rule(weight: int, answer: AnswerValue, expected: bool) -> None:
    assert is_gap(q("X", weight), answer) is expected


# -- proposals: each question's own category and workstream; no flood of High/Extreme ---------


def test_each_bank_question_carries_its_own_category_and_workstream() -> None:
    bank = load_question_bank()
    t7 = bank.get("T7")  # load testing: a performance risk, not "data"
    assert (t7.category, t7.workstream) == ("performance", "website")
    assert bank.get("T6").category == "compliance"
    assert bank.get("P8").category == "supplier"
    tech = {x.category for x in bank.for_dimension(Dimension.TECHNOLOGY) if x.key != "G1"}
    assert len(tech) >= 4  # not one category for a whole dimension


def test_proposed_scores_are_moderate_proposals() -> None:
    three, two = q("A", 3), q("B", 2)
    assert gap_risk_defaults(three, r(0))[1:] == (4, 4)
    assert gap_risk_defaults(three, DK)[1:] == (4, 4)
    assert gap_risk_defaults(three, r(1))[1:] == (3, 4)
    assert gap_risk_defaults(two, r(1))[1:] == (3, 3)
    assert gap_risk_defaults(two, r(0))[1:] == (4, 3)
    # The former rule (impact weight + 2) made a weight-3 "Partly" gap Extreme.
    assert level(*gap_risk_defaults(three, r(1))[1:]) is Level.HIGH


def test_gap_titles_follow_the_interview_language() -> None:
    p2 = load_question_bank().get("P2")
    assert pptf.gap_card_title(p2, "es") == (
        "Brecha PPTF: ¿Están definidas las responsabilidades de cada uno?"
    )
    assert pptf.gap_card_title(p2, "nl").startswith("PPTF-hiaat: Zijn ieders")
    assert pptf.gap_risk_title(p2, "IT", "it") == "IT: Le responsabilità di ciascuno sono definite?"


# -- the bank: seeds, G1, Finance, languages ---------------------------------------------------


def test_g1_is_derived_not_a_seed_and_finance_seed_is_kept_verbatim() -> None:
    bank = load_question_bank()
    g1 = bank.get("G1")
    assert not g1.seed and g1.derived_from and "objectives and commitments" in g1.derived_from
    f1, f2 = bank.get("F1"), bank.get("F2")
    assert f1.seed and f2.seed and f1.seed_text == f2.seed_text
    assert f1.seed_text is not None
    assert f1.text_es in f1.seed_text and f2.text_es in f1.seed_text  # type: ignore[operator]
    for x in bank.questions:
        if x.seed and x.key not in ("F1", "F2"):
            assert x.seed_text == x.text_es, x.key


def test_every_question_in_four_languages_with_the_seed_under_the_translation() -> None:
    bank = load_question_bank()
    for x in bank.questions:
        texts = {lang: x.text(lang) for lang in pptf.LANGUAGES}
        assert len(set(texts.values())) == 4, x.key  # really translated
        if x.seed:
            for lang in ("en", "it", "nl"):
                assert x.original(lang) == x.seed_text
    assert bank.get("P1").original("es") is None  # the Spanish is the seed itself
    assert bank.get("F1").original("es") == bank.get("F1").seed_text  # the unsplit seed


def test_wizard_words_in_each_language() -> None:
    assert rating_label(1, "es") == "En parte / ad hoc"
    assert rating_label(None, "nl", unknown=True) == "Weet niet"
    assert rating_label(None, "it", na=True) == "N/A"
    assert dimension_label(Dimension.FINANCE, "nl") == "Financiën"
    assert phrase("question", "it", n=2, m=9) == "domanda 2 di 9"
    assert rating_label(3, "xx") == "Yes, evidenced and managed"  # unknown: English


# -- readiness: completed interviews only, the latest per team and phase ----------------------


def when(day: int) -> datetime:
    return datetime(2026, 10, day, 12, tzinfo=UTC)


def test_readiness_counts_latest_completed_per_team_and_phase() -> None:
    items = [
        InterviewKey(1, "IT", "planning", "completed", when(1)),
        InterviewKey(2, "it ", "planning", "completed", when(5)),  # same team, later
        InterviewKey(3, "IT", "execution", "completed", when(2)),  # another phase
        InterviewKey(4, "Finance", "planning", "in_progress", None),  # never counted
        InterviewKey(5, "IT", "planning", "in_progress", None),  # never replaces 2
    ]
    assert readiness_interviews(items) == [2, 3]
    assert readiness_interviews([items[3]]) == []


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = open_database(DbTarget(f"sqlite:///{tmp_path / 'd.db'}", "test"))
    s = Store(db, user="alice", today=lambda: date(2026, 11, 2))
    yield s
    db.close()


def test_project_readiness_ignores_interviews_in_progress(store: Store) -> None:
    p = store.create_project({"key": "SHOP", "name": "Shop"})
    assert p.id is not None
    old = store.start_assessment(p.id, "IT", phase="initiation")
    store.save_answer(old.id, "G1", 0)  # type: ignore[arg-type]
    store.complete_assessment(old.id)  # type: ignore[arg-type]
    new = store.start_assessment(p.id, "IT", phase="initiation")
    store.save_answer(new.id, "G1", 3)  # type: ignore[arg-type]
    store.complete_assessment(new.id)  # type: ignore[arg-type]
    going = store.start_assessment(p.id, "Finance", phase="initiation")
    store.save_answer(going.id, "G1", 0)  # type: ignore[arg-type]
    (summary,) = store.project_summaries()
    # Only the latest completed IT interview counts; Finance is in progress.
    assert summary.readiness == pytest.approx(100.0)
    assert summary.pptf_in_progress == 1


def test_completed_at_is_never_before_started_at(store: Store) -> None:
    p = store.create_project({"key": "SHOP", "name": "Shop"})
    assert p.id is not None
    a = store.start_assessment(p.id, "IT", phase="initiation")
    assert a.id is not None
    # A start recorded by a machine whose clock ran ahead.
    ahead = datetime.now(UTC) + timedelta(hours=3)

    def push_start(s: object) -> None:
        row = s.get(Assessment, a.id)  # type: ignore[attr-defined]
        row.started_at = ahead

    store.db.write(push_start)
    store.save_answer(a.id, "G1", 2)
    done = store.complete_assessment(a.id)
    assert done.completed_at is not None
    started = done.started_at if done.started_at.tzinfo else done.started_at.replace(tzinfo=UTC)
    completed = (
        done.completed_at if done.completed_at.tzinfo else done.completed_at.replace(tzinfo=UTC)
    )
    assert completed >= started


def test_gaps_in_interview_order() -> None:
    bank = load_question_bank()
    values = {x.key: r(3) for x in bank.questions}
    values["F1"], values["T7"], values["G1"] = r(0), DK, r(1)
    assert [g.question.key for g in gaps(bank, values)] == ["G1", "T7", "F1"]
