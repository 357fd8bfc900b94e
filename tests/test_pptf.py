"""PPTF question bank, answers, scoring, RAG bands, gaps and gap defaults."""

from __future__ import annotations

import copy
import json
from importlib.resources import files
from typing import Any

import pytest

from ecpm_tui import pptf
from ecpm_tui.errors import ValidationError
from ecpm_tui.lifecycle import Workstream
from ecpm_tui.pptf import (
    AnswerValue,
    Dimension,
    Question,
    QuestionBank,
    Rag,
    Rating,
    dimension_score,
    gap_risk_defaults,
    gaps,
    is_gap,
    load_question_bank,
    overall_score,
    parse_question_bank,
    rag,
    validate_answer,
)
from ecpm_tui.risk import CATEGORIES

ALL_DIMS = ["people", "processes", "technology", "finance"]

SEED_SPANISH = {
    "G1": "¿Hay objetivos y compromisos claros del equipo directivo?",
    "P1": "¿Cuáles son las líneas de comunicación entre los miembros de cada equipo y cómo "
    "son estas controladas y gestionadas?",
    "P2": "¿Están definidas las responsabilidades de cada uno?",
    "R1": "¿Existen procesos claramente definidos para las interacciones entre los individuos "
    "y equipos para ayudar a controlar el flujo de información y entrega de proyectos?",
    "R2": "¿Hay rutas claramente definidas para escalar y controlar las excepciones?",
    "T1": "¿Existen las herramientas para permitir a individuos y equipos llevar a cabo las "
    "tareas tan eficazmente como sea posible?",
    "T2": "¿Son estas herramientas automatizadas, donde sea posible, para reducir la carga de "
    "trabajo manual?",
    "T3": "¿Están los sistemas integrados para asegurar una buena gestión de la información?",
    "F1": "¿Está la inversión disponible para apoyar el crecimiento?",
    "F2": "¿Se han considerado todas las implicaciones de costo, incluyendo el costo de "
    "mantenimiento y recursos internos?",
}

SEED_ENGLISH = {
    "G1": "Are the objectives and commitments of the management team for this project clear "
    "and agreed?",
    "P2": "Is everyone's responsibility defined?",
    "R2": "Are there clearly defined routes to escalate and control exceptions?",
    "T3": "Are the systems integrated to ensure good information management?",
    "F1": "Is investment available to support growth?",
}


def raw_bank() -> list[dict[str, Any]]:
    text = files("ecpm_tui.data").joinpath("questions.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert isinstance(data, list)
    return data


def q(key: str, dims: tuple[Dimension, ...], weight: int, seed: bool = False) -> Question:
    return Question(key, dims, weight, f"Question {key}?", None, seed)


# A tiny hand-made bank for arithmetic checks.
G = q("G1", tuple(Dimension), 3, seed=True)
P1 = q("P1", (Dimension.PEOPLE,), 3, seed=True)
P2 = q("P2", (Dimension.PEOPLE,), 2)
P3 = q("P3", (Dimension.PEOPLE,), 1)
T1 = q("T1", (Dimension.TECHNOLOGY,), 2, seed=True)
SMALL = QuestionBank((P2, T1, P1, G, P3))


def r(rating: int) -> AnswerValue:
    return AnswerValue(rating)


NA = AnswerValue(None, na=True)
DK = AnswerValue(None, unknown=True)


# -- question bank --------------------------------------------------------------------------


def test_packaged_bank_loads_with_unique_keys_and_valid_fields() -> None:
    bank = load_question_bank()
    assert load_question_bank() is bank  # cached
    keys = [x.key for x in bank.questions]
    assert len(keys) == len(set(keys))
    assert len(keys) >= 30
    for question in bank.questions:
        assert 1 <= question.weight <= 3
        assert question.dimensions and all(isinstance(d, Dimension) for d in question.dimensions)
        assert question.text_en.strip()
        for lang in ("es", "it", "nl"):
            assert getattr(question, f"text_{lang}"), (question.key, lang)
        assert (question.seed_text is not None) == question.seed, question.key
        assert question.category in CATEGORIES, question.key
        assert question.workstream in {w.value for w in Workstream}, question.key
        if not question.seed:
            assert question.text_en.endswith("?"), question.key


def test_packaged_file_is_a_plain_list_of_questions() -> None:
    data = raw_bank()
    for item in data:
        assert set(item) == {
            "key",
            "dimensions",
            "weight",
            "category",
            "workstream",
            "seed",
            "derived_from",
            "text_en",
            "text_es",
            "text_it",
            "text_nl",
            "seed_text",
        }


def test_seed_questions_have_exact_spanish_and_english() -> None:
    bank = load_question_bank()
    seeds = {x.key for x in bank.questions if x.seed}
    # G1 is derived from the seed's "clear objectives and commitments" section.
    assert seeds == set(SEED_SPANISH) - {"G1"}
    assert bank.get("G1").derived_from and not bank.get("G1").seed_text
    for key, spanish in SEED_SPANISH.items():
        question = bank.get(key)
        assert question.text_es == spanish
        assert question.weight == 3
        assert question.text("es") == spanish
    for key, english in SEED_ENGLISH.items():
        assert bank.get(key).text_en == english
        assert bank.get(key).text("en") == english


def test_g1_covers_all_dimensions_and_comes_first() -> None:
    bank = load_question_bank()
    g1 = bank.get("G1")
    assert [d.value for d in g1.dimensions] == ALL_DIMS
    assert g1.primary_dimension is Dimension.PEOPLE
    ordered = bank.ordered()
    assert ordered[0].key == "G1"
    assert sum(1 for x in ordered if x.key == "G1") == 1


def test_interview_order_groups_dimensions_seed_first() -> None:
    bank = load_question_bank()
    keys = list(bank.keys())
    assert keys[:3] == ["G1", "P1", "P2"]
    prefixes = "".join(k[0] for k in keys[1:])
    # One contiguous block per dimension, in dimension order.
    assert prefixes == "P" * prefixes.count("P") + "R" * prefixes.count("R") + (
        "T" * prefixes.count("T")
    ) + "F" * prefixes.count("F")
    for dim, prefix, seeds in (
        (Dimension.PEOPLE, "P", 2),
        (Dimension.PROCESSES, "R", 2),
        (Dimension.TECHNOLOGY, "T", 3),
        (Dimension.FINANCE, "F", 2),
    ):
        own = [x for x in bank.for_dimension(dim) if x.key != "G1"]
        assert [x.key for x in own] == [f"{prefix}{i}" for i in range(1, len(own) + 1)]
        assert [x.seed for x in own[:seeds]] == [True] * seeds
        assert not any(x.seed for x in own[seeds:])
        assert len(own) - seeds >= 6  # every "Then:" item of DESIGN 4.4
        assert all(x.dimensions == (dim,) for x in own)
        assert bank.for_dimension(dim)[0].key == "G1"


def test_question_text_language_fallback() -> None:
    bank = load_question_bank()
    p3 = Question("P3", (Dimension.PEOPLE,), 3, "Owner?", None, False, text_it="Titolare?")
    assert p3.text("es") == p3.text_en == "Owner?"
    assert p3.text("it") == "Titolare?"
    assert bank.get("P2").text("en") == "Is everyone's responsibility defined?"


def test_unknown_question_key() -> None:
    with pytest.raises(ValidationError) as exc:
        load_question_bank().get("Z9")
    assert set(exc.value.errors) == {"question_key"}


def test_small_bank_ordering() -> None:
    assert [x.key for x in SMALL.ordered()] == ["G1", "P1", "P2", "P3", "T1"]
    assert [x.key for x in SMALL.for_dimension(Dimension.PEOPLE)] == ["G1", "P1", "P2", "P3"]
    assert [x.key for x in SMALL.for_dimension(Dimension.FINANCE)] == ["G1"]


def _broken(mutate: Any) -> list[dict[str, Any]]:
    data = copy.deepcopy(raw_bank())
    mutate(data)
    return data


@pytest.mark.parametrize(
    "data",
    [
        None,
        "questions",
        [],
        {"questions": []},
        [1, 2],
        _broken(lambda d: d.append(dict(d[0]))),  # duplicate key G1
        _broken(lambda d: d[1].update(weight=0)),
        _broken(lambda d: d[1].update(weight=4)),
        _broken(lambda d: d[1].update(weight="3")),
        _broken(lambda d: d[1].update(weight=True)),
        _broken(lambda d: d[1].update(dimensions=["people", "marketing"])),
        _broken(lambda d: d[1].update(dimensions=[])),
        _broken(lambda d: d[1].update(dimensions="people")),
        _broken(lambda d: d[1].update(dimensions=["people", "people"])),
        _broken(lambda d: d[1].update(key="")),
        _broken(lambda d: d[1].pop("key")),
        _broken(lambda d: d[1].update(text_en="  ")),
        _broken(lambda d: d[1].update(text_es=5)),
        _broken(lambda d: d[1].update(seed="yes")),
    ],
)
def test_malformed_bank_rejected(data: object) -> None:
    with pytest.raises(ValueError):
        parse_question_bank(data)


def test_parse_question_bank_accepts_valid_data() -> None:
    bank = parse_question_bank(
        [
            {
                "key": "X1",
                "dimensions": ["finance"],
                "weight": 1,
                "text_en": "Budget?",
                "text_es": None,
                "seed": False,
            },
        ]
    )
    assert bank.questions == (Question("X1", (Dimension.FINANCE,), 1, "Budget?", None, False),)


# -- ratings and answers --------------------------------------------------------------------


def test_rating_labels() -> None:
    assert [(int(x), x.label) for x in Rating] == [
        (0, "No"),
        (1, "Partly / ad hoc"),
        (2, "Yes, defined"),
        (3, "Yes, evidenced and managed"),
    ]
    assert [d.label for d in Dimension] == ["People", "Processes", "Technology", "Finance"]


@pytest.mark.parametrize(
    ("rating", "na", "unknown"),
    [(0, False, False), (3, False, False), (None, True, False), (None, False, True)],
)
def test_valid_answers(rating: int | None, na: bool, unknown: bool) -> None:
    validate_answer(rating, na, unknown)


@pytest.mark.parametrize(
    ("rating", "na", "unknown"),
    [
        (None, False, False),  # nothing chosen
        (2, True, False),
        (2, False, True),
        (None, True, True),
        (4, False, False),
        (-1, False, False),
        (True, False, False),
        ("2", False, False),
    ],
)
def test_invalid_answers(rating: Any, na: bool, unknown: bool) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_answer(rating, na, unknown)
    assert set(exc.value.errors) == {"rating"}


# -- scoring --------------------------------------------------------------------------------


def test_dimension_score_by_hand() -> None:
    # People: G1 2x3 + P1 3x3 + P2 1x2 + P3 0x1 = 6+9+2+0 = 17 over 3x(3+3+2+1) = 27.
    answers = {"G1": r(2), "P1": r(3), "P2": r(1), "P3": r(0)}
    assert dimension_score(SMALL, answers, Dimension.PEOPLE) == pytest.approx(100 * 17 / 27)
    # Technology: G1 2x3 only (T1 unanswered) = 6/9.
    assert dimension_score(SMALL, answers, Dimension.TECHNOLOGY) == pytest.approx(100 * 6 / 9)
    # Finance has only G1.
    assert dimension_score(SMALL, answers, Dimension.FINANCE) == pytest.approx(100 * 6 / 9)


def test_na_is_excluded_from_score() -> None:
    # P1 N/A drops out of numerator and denominator: P2 2x2 / 3x2.
    answers = {"P1": NA, "P2": r(2)}
    assert dimension_score(SMALL, answers, Dimension.PEOPLE) == pytest.approx(100 * 4 / 6)
    # Without the N/A it would count 0.
    assert dimension_score(SMALL, {"P1": r(0), "P2": r(2)}, Dimension.PEOPLE) == pytest.approx(
        100 * 4 / 15
    )


def test_dont_know_scores_zero_but_counts() -> None:
    answers = {"P1": DK, "P2": r(3)}
    # 0x3 + 3x2 = 6 over 3x3 + 3x2 = 15.
    assert dimension_score(SMALL, answers, Dimension.PEOPLE) == pytest.approx(40.0)


def test_score_none_when_nothing_answered() -> None:
    assert dimension_score(SMALL, {}, Dimension.PEOPLE) is None
    assert dimension_score(SMALL, {"P1": NA, "P2": NA}, Dimension.PEOPLE) is None
    assert dimension_score(SMALL, {"P1": r(3)}, Dimension.TECHNOLOGY) is None
    assert dimension_score(SMALL, {"T1": AnswerValue(None)}, Dimension.TECHNOLOGY) is None
    assert overall_score(SMALL, {}) is None
    assert overall_score(SMALL, {"G1": NA}) is None


def test_overall_score_counts_each_question_once() -> None:
    # G1 3x3 + P1 0x3 + T1 3x2 = 15 over (3+3+2)x3 = 24; G1 not counted four times.
    answers = {"G1": r(3), "P1": r(0), "T1": r(3), "P2": NA}
    assert overall_score(SMALL, answers) == pytest.approx(100 * 15 / 24)


def test_perfect_and_zero_scores() -> None:
    bank = load_question_bank()
    every = bank.keys()
    assert overall_score(bank, {k: r(3) for k in every}) == pytest.approx(100.0)
    assert overall_score(bank, {k: r(0) for k in every}) == 0.0
    for dim in Dimension:
        assert dimension_score(bank, {k: r(3) for k in every}, dim) == pytest.approx(100)


def test_answers_for_unknown_keys_are_ignored() -> None:
    assert dimension_score(SMALL, {"ZZ": r(0), "P1": r(3)}, Dimension.PEOPLE) == 100.0


@pytest.mark.parametrize(
    ("pct", "band"),
    [
        (100.0, Rag.GREEN),
        (75.0, Rag.GREEN),
        (74.9, Rag.AMBER),
        (50.0, Rag.AMBER),
        (49.9, Rag.RED),
        (0.0, Rag.RED),
    ],
)
def test_rag_boundaries(pct: float, band: Rag) -> None:
    assert rag(pct) is band


# -- gaps -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "answer", "expected"),
    [
        (3, r(0), True),
        (3, r(1), True),
        (2, r(1), True),
        (2, r(2), False),
        (3, r(3), False),
        (1, r(0), False),  # low weight never a gap
        (2, DK, True),
        (1, DK, False),
        (3, NA, False),
        (3, AnswerValue(None), False),  # unanswered
    ],
)
def test_is_gap(weight: int, answer: AnswerValue, expected: bool) -> None:
    assert is_gap(q("X1", (Dimension.PEOPLE,), weight), answer) is expected


def test_gaps_listed_in_bank_order() -> None:
    answers = {"T1": r(0), "P3": r(0), "P2": DK, "P1": r(2), "G1": r(1)}
    found = gaps(SMALL, answers)
    assert [(g.question.key, g.answer) for g in found] == [
        ("G1", r(1)),
        ("P2", DK),
        ("T1", r(0)),
    ]


def test_gaps_in_packaged_bank() -> None:
    bank = load_question_bank()
    every = bank.keys()
    answers = {k: r(3) for k in every}
    answers["F1"] = r(0)
    answers["R2"] = DK
    answers["P1"] = NA
    assert [g.question.key for g in gaps(bank, answers)] == ["R2", "F1"]


def test_dimension_mappings() -> None:
    assert dict(pptf.DIMENSION_WORKSTREAM) == {
        Dimension.PEOPLE: "operations",
        Dimension.PROCESSES: "operations",
        Dimension.TECHNOLOGY: "integration",
        Dimension.FINANCE: "operations",
    }
    assert dict(pptf.DIMENSION_CATEGORY) == {
        Dimension.PEOPLE: "people",
        Dimension.PROCESSES: "scope",
        Dimension.TECHNOLOGY: "data",
        Dimension.FINANCE: "finance",
    }
    workstreams = {w.value for w in Workstream}
    assert set(pptf.DIMENSION_WORKSTREAM.values()) <= workstreams
    assert set(pptf.DIMENSION_CATEGORY.values()) <= set(CATEGORIES)


def test_gap_risk_defaults() -> None:
    tech3 = q("T9", (Dimension.TECHNOLOGY,), 3)
    people2 = q("P9", (Dimension.PEOPLE,), 2)
    # Likelihood 4 for No / Don't know, 3 for Partly; impact = weight + 1. A question
    # without its own category falls back to its dimension's.
    assert gap_risk_defaults(tech3, r(0)) == ("data", 4, 4)
    assert gap_risk_defaults(people2, r(1)) == ("people", 3, 3)
    assert gap_risk_defaults(tech3, DK) == gap_risk_defaults(tech3, r(0))
    finance1 = q("F9", (Dimension.FINANCE,), 1)
    assert gap_risk_defaults(finance1, r(3)) == ("finance", 2, 2)
    # General questions take their first (primary) dimension.
    assert gap_risk_defaults(G, r(1)) == ("people", 3, 4)
    processes = q("R9", (Dimension.PROCESSES,), 2)
    assert gap_risk_defaults(processes, DK) == ("scope", 4, 3)


def test_gap_card_title() -> None:
    bank = load_question_bank()
    assert pptf.gap_card_title(bank.get("P2")) == "PPTF gap: Is everyone's responsibility defined?"
    long = Question("X1", (Dimension.PEOPLE,), 3, "Is " + "very " * 60 + "long?", None, False)
    title = pptf.gap_card_title(long)
    assert len(title) <= 120
    assert title.startswith("PPTF gap: Is very very") and title.endswith("…")
    for question in bank.questions:
        assert len(pptf.gap_card_title(question)) <= 120
