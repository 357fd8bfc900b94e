"""PPTF readiness interviews: question bank, ratings, scoring, RAG bands and gaps.

Pure domain code: the only I/O is reading the packaged question bank, on demand.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from importlib.resources import files
from types import MappingProxyType

from ecpm_tui.errors import ValidationError
from ecpm_tui.lifecycle import LabelledEnum, Workstream
from ecpm_tui.risk import CATEGORIES


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

LANGUAGES: tuple[str, ...] = ("en", "es", "it", "nl")
"""Languages the question bank ships in (the interview's language picks one)."""


@dataclass(frozen=True)
class Question:
    """One interview question with a stable key.

    ``seed`` marks the questions of the original Spanish questionnaire; their wording is
    kept verbatim in ``seed_text`` (one seed question may be split into several items,
    which then share it). ``derived_from`` names the seed section a non-seed question
    was written from (G1). ``category`` and ``workstream`` are what a gap on this
    question becomes: the risk category and the action card's workstream.
    """

    key: str
    dimensions: tuple[Dimension, ...]
    weight: int
    text_en: str
    text_es: str | None = None
    seed: bool = False
    category: str = ""
    workstream: str = ""
    text_it: str | None = None
    text_nl: str | None = None
    seed_text: str | None = None
    derived_from: str | None = None

    @property
    def primary_dimension(self) -> Dimension:
        """The first dimension (where a general question is counted first)."""
        return self.dimensions[0]

    @property
    def risk_category(self) -> str:
        """The risk category of a gap here (the question's own, else its dimension's)."""
        return self.category or DIMENSION_CATEGORY[self.primary_dimension]

    @property
    def card_workstream(self) -> str:
        """The workstream of an action card for a gap here."""
        return self.workstream or DIMENSION_WORKSTREAM[self.primary_dimension]

    def text(self, language: str) -> str:
        """The question in *language* (en, es, it, nl), English where no translation exists."""
        lang = language.strip().lower()[:2]
        translated = {"es": self.text_es, "it": self.text_it, "nl": self.text_nl}.get(lang)
        return translated or self.text_en

    def original(self, language: str) -> str | None:
        """The original Spanish seed wording to show under the translation, if it differs."""
        if not self.seed_text or self.seed_text == self.text(language):
            return None
        return self.seed_text


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
        extra = {name: _optional_text(item, name, key) for name in _OPTIONAL_TEXTS}
        category = extra.pop("category") or ""
        if category and category not in CATEGORIES:
            raise ValueError(f"question {key}: category must be one of {', '.join(CATEGORIES)}")
        workstream = extra.pop("workstream") or ""
        if workstream and workstream not in {w.value for w in Workstream}:
            raise ValueError(f"question {key}: unknown workstream {workstream!r}")
        questions.append(
            Question(key, dims, weight, text_en, text_es, seed, category, workstream, **extra)
        )
    return QuestionBank(tuple(questions))


_OPTIONAL_TEXTS = ("category", "workstream", "text_it", "text_nl", "seed_text", "derived_from")


def _optional_text(item: Mapping[str, object], name: str, key: str) -> str | None:
    value = item.get(name)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValueError(f"question {key}: {name} must be text or null")
    return value


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


def gap_risk_defaults(q: Question, a: AnswerValue) -> tuple[str, int, int]:
    """(category, likelihood, impact) proposed for a risk made from a gap.

    A proposal the user confirms or adjusts, not a verdict: likelihood 4 for No or
    Don't know, 3 for Partly; impact = weight + 1. (The former rule, likelihood 3-4 and
    impact weight + 2, made every gap High or Extreme and flooded the register.)
    Ratings above Partly are not gaps; they get likelihood 2.
    """
    if a.unknown or a.points == 0:
        likelihood = 4
    elif a.points == 1:
        likelihood = 3
    else:
        likelihood = 2
    return q.risk_category, likelihood, min(5, q.weight + 1)


GAP_TITLE_MAX = 120

GAP_PREFIX: Mapping[str, str] = MappingProxyType(
    {"en": "PPTF gap", "es": "Brecha PPTF", "it": "Lacuna PPTF", "nl": "PPTF-hiaat"}
)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def gap_card_title(q: Question, language: str = "en") -> str:
    """Title of an action card made from a gap, in the interview's language (<= 120 chars)."""
    prefix = GAP_PREFIX.get(language, GAP_PREFIX["en"])
    return _shorten(f"{prefix}: {q.text(language)}", GAP_TITLE_MAX)


def gap_risk_title(q: Question, team: str, language: str = "en") -> str:
    """Proposed title of a risk made from a gap: the team and the question (<= 300 chars)."""
    return _shorten(f"{team}: {q.text(language)}", 300)


# -- readiness --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InterviewKey:
    """What readiness needs of one interview."""

    id: int
    team: str
    phase: str | None
    status: str
    completed_at: datetime | None


def readiness_interviews(items: Iterable[InterviewKey]) -> list[int]:
    """Ids of the interviews project readiness counts: completed ones only, the latest
    completed per team (case-insensitive) and phase. Interviews in progress never count."""
    latest: dict[tuple[str, str | None], InterviewKey] = {}
    for it in items:
        if it.status != "completed":
            continue
        slot = (" ".join(it.team.split()).lower(), it.phase)
        best = latest.get(slot)
        if best is None or _when(it) > _when(best):
            latest[slot] = it
    return sorted(x.id for x in latest.values())


def _when(it: InterviewKey) -> tuple[datetime, int]:
    return (it.completed_at or datetime.min.replace(tzinfo=UTC), it.id)
