"""PPTF readiness interviews: question bank, ratings, scoring, RAG bands and gaps.

Pure domain code: the only I/O is reading the packaged question bank, on demand.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from importlib.resources import files
from types import MappingProxyType

from ecpm_tui.errors import ValidationError
from ecpm_tui.lifecycle import LabelledEnum


class Dimension(LabelledEnum):
    """The four PPTF readiness dimensions, in interview order."""

    PEOPLE = "people"
    PROCESSES = "processes"
    TECHNOLOGY = "technology"
    FINANCE = "finance"


DIMENSIONS: tuple[Dimension, ...] = tuple(Dimension)


class Rating(IntEnum):
    """How ready a team is on one question (0-3)."""

    NO = 0
    PARTLY = 1
    DEFINED = 2
    EVIDENCED = 3

    @property
    def label(self) -> str:
        """Display name."""
        return _RATING_LABELS[self.value]


_RATING_LABELS: Mapping[int, str] = MappingProxyType(
    {
        0: "No",
        1: "Partly / ad hoc",
        2: "Yes, defined",
        3: "Yes, evidenced and managed",
    }
)

MAX_RATING = 3


@dataclass(frozen=True)
class Question:
    """One interview question with a stable key."""

    key: str
    dimensions: tuple[Dimension, ...]
    weight: int
    text_en: str
    text_es: str | None = None
    seed: bool = False

    @property
    def primary_dimension(self) -> Dimension:
        """The first dimension (used for card workstream and risk category)."""
        return self.dimensions[0]

    def text(self, language: str) -> str:
        """The question in `language`: "es" gives Spanish where available, else English."""
        if language.strip().lower().startswith("es") and self.text_es:
            return self.text_es
        return self.text_en


@dataclass(frozen=True)
class QuestionBank:
    """Every question of the interview."""

    questions: tuple[Question, ...]

    @functools.cached_property
    def _by_key(self) -> Mapping[str, Question]:
        return MappingProxyType({q.key: q for q in self.questions})

    def get(self, key: str) -> Question:
        """A question by key; ValidationError({"question_key": ...}) if unknown."""
        try:
            return self._by_key[key]
        except KeyError:
            raise ValidationError.from_fields(
                {"question_key": f"unknown question {key!r}"}
            ) from None

    def keys(self) -> tuple[str, ...]:
        """Every question key, in interview order."""
        return tuple(q.key for q in self.ordered())

    def for_dimension(self, dim: Dimension) -> tuple[Question, ...]:
        """Questions counted in `dim` (including general ones such as G1), in order."""
        return tuple(q for q in self.ordered() if dim in q.dimensions)

    def ordered(self) -> tuple[Question, ...]:
        """Interview order: general questions first, then by dimension, seed questions first."""
        return self._ordered

    @functools.cached_property
    def _ordered(self) -> tuple[Question, ...]:
        order = {d: i for i, d in enumerate(DIMENSIONS)}

        def key(q: Question) -> tuple[int, int, int]:
            general = 0 if len(q.dimensions) > 1 else 1
            return (general, order[q.primary_dimension], 0 if q.seed else 1)

        return tuple(sorted(self.questions, key=key))


def parse_question_bank(data: object) -> QuestionBank:
    """Validate decoded JSON (a list of question objects) into a bank; ValueError if malformed.

    A mapping with a "questions" list is accepted too.
    """
    items = data.get("questions") if isinstance(data, Mapping) else data
    if not isinstance(items, list) or not items:
        raise ValueError("question bank: expected a non-empty list of questions")
    seen: set[str] = set()
    questions: list[Question] = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, Mapping):
            raise ValueError(f"question #{i}: expected an object")
        key = item.get("key")
        if not isinstance(key, str) or not key.strip() or key != key.strip():
            raise ValueError(f"question #{i}: missing or blank key")
        if key in seen:
            raise ValueError(f"question {key}: duplicate key")
        seen.add(key)
        dims_raw = item.get("dimensions")
        if not isinstance(dims_raw, list) or not dims_raw:
            raise ValueError(f"question {key}: dimensions must be a non-empty list")
        try:
            dims = tuple(Dimension(d) for d in dims_raw)
        except ValueError:
            raise ValueError(f"question {key}: unknown dimension in {dims_raw!r}") from None
        if len(set(dims)) != len(dims):
            raise ValueError(f"question {key}: repeated dimension")
        weight = item.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 3:
            raise ValueError(f"question {key}: weight must be 1, 2 or 3")
        text_en = item.get("text_en")
        if not isinstance(text_en, str) or not text_en.strip():
            raise ValueError(f"question {key}: missing English text")
        text_es = item.get("text_es")
        if text_es is not None and (not isinstance(text_es, str) or not text_es.strip()):
            raise ValueError(f"question {key}: text_es must be text or null")
        seed = item.get("seed", False)
        if not isinstance(seed, bool):
            raise ValueError(f"question {key}: seed must be true or false")
        questions.append(Question(key, dims, weight, text_en, text_es, seed))
    return QuestionBank(tuple(questions))


@functools.cache
def load_question_bank() -> QuestionBank:
    """The packaged question bank (read and validated once)."""
    raw = files("ecpm_tui.data").joinpath("questions.json").read_text(encoding="utf-8")
    return parse_question_bank(json.loads(raw))


# -- answers and scores ---------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerValue:
    """A rating 0-3, or N/A (excluded from scores), or Don't know (scores 0, flagged)."""

    rating: int | None
    na: bool = False
    unknown: bool = False

    @property
    def answered(self) -> bool:
        """True when the answer counts towards a score (a rating or Don't know, not N/A)."""
        return not self.na and (self.unknown or self.rating is not None)

    @property
    def points(self) -> int:
        """The rating used for scoring (Don't know and no rating count as 0)."""
        return 0 if self.unknown or self.rating is None else self.rating


def validate_answer(rating: int | None, na: bool, unknown: bool) -> None:
    """Check an answer: exactly one of a rating 0-3, N/A or Don't know."""
    if rating is not None and (
        isinstance(rating, bool) or not isinstance(rating, int) or not 0 <= rating <= MAX_RATING
    ):
        raise ValidationError.from_fields({"rating": "must be 0, 1, 2 or 3"})
    chosen = (rating is not None) + bool(na) + bool(unknown)
    if chosen != 1:
        raise ValidationError.from_fields(
            {"rating": "give exactly one of: a rating 0-3, N/A or Don't know"}
        )


def _score(questions: Iterable[Question], answers: Mapping[str, AnswerValue]) -> float | None:
    got = possible = 0
    for q in questions:
        a = answers.get(q.key)
        if a is None or not a.answered:
            continue
        got += a.points * q.weight
        possible += MAX_RATING * q.weight
    return None if possible == 0 else 100.0 * got / possible


def dimension_score(
    bank: QuestionBank, answers: Mapping[str, AnswerValue], dim: Dimension
) -> float | None:
    """sum(rating x weight) / sum(3 x weight) in percent over answered, non-N/A questions.

    None when nothing in the dimension is answered.
    """
    return _score(bank.for_dimension(dim), answers)


def overall_score(bank: QuestionBank, answers: Mapping[str, AnswerValue]) -> float | None:
    """The same ratio over every answered question, each counted once."""
    return _score(bank.questions, answers)


class Rag(LabelledEnum):
    """Red / amber / green readiness band."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


def rag(pct: float) -> Rag:
    """Band for a percentage: green >= 75, amber 50 to < 75, red < 50."""
    if pct >= 75:
        return Rag.GREEN
    if pct >= 50:
        return Rag.AMBER
    return Rag.RED


# -- gaps -----------------------------------------------------------------------------------


def is_gap(q: Question, a: AnswerValue) -> bool:
    """A rating <= 1 (or Don't know) on a question of weight >= 2; N/A is never a gap."""
    if a.na or q.weight < 2:
        return False
    return a.unknown or (a.rating is not None and a.rating <= 1)


@dataclass(frozen=True)
class Gap:
    """A question where the team is not ready."""

    question: Question
    answer: AnswerValue


def gaps(bank: QuestionBank, answers: Mapping[str, AnswerValue]) -> list[Gap]:
    """Every gap, in interview order."""
    out: list[Gap] = []
    for q in bank.ordered():
        a = answers.get(q.key)
        if a is not None and is_gap(q, a):
            out.append(Gap(q, a))
    return out


DIMENSION_WORKSTREAM: Mapping[Dimension, str] = MappingProxyType(
    {
        Dimension.PEOPLE: "operations",
        Dimension.PROCESSES: "operations",
        Dimension.TECHNOLOGY: "integration",
        Dimension.FINANCE: "operations",
    }
)
DIMENSION_CATEGORY: Mapping[Dimension, str] = MappingProxyType(
    {
        Dimension.PEOPLE: "people",
        Dimension.PROCESSES: "scope",
        Dimension.TECHNOLOGY: "data",
        Dimension.FINANCE: "finance",
    }
)


def _clamp(value: int, low: int = 1, high: int = 5) -> int:
    return max(low, min(high, value))


def gap_risk_defaults(q: Question, a: AnswerValue) -> tuple[str, int, int]:
    """(category, likelihood, impact) for a risk made from a gap.

    Category by primary dimension; likelihood 3 + (1 - rating) and impact weight + 2,
    both clamped to 1-5; Don't know counts as rating 0.
    """
    likelihood = _clamp(3 + (1 - a.points))
    impact = _clamp(q.weight + 2)
    return DIMENSION_CATEGORY[q.primary_dimension], likelihood, impact


GAP_TITLE_MAX = 120


def gap_card_title(q: Question) -> str:
    """Title of an action card made from a gap: "PPTF gap: <question>", at most 120 chars."""
    title = "PPTF gap: " + " ".join(q.text_en.split())
    if len(title) > GAP_TITLE_MAX:
        title = title[: GAP_TITLE_MAX - 1].rstrip() + "…"
    return title
