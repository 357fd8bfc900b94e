"""The words of the PPTF wizard and summary in each interview language (en, es, it, nl).

Pure data: the interview's language is used for the questions, the rating scale, the
dimension names and the few fixed phrases around them. Keys and other app chrome stay
English, like the rest of the app.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ecpm_tui.pptf import LANGUAGES, Dimension

LANGUAGE_NAMES: Mapping[str, str] = MappingProxyType(
    {"en": "English", "es": "Español", "it": "Italiano", "nl": "Nederlands"}
)

_DIMENSIONS: Mapping[str, tuple[str, str, str, str]] = MappingProxyType(
    {
        "en": ("People", "Processes", "Technology", "Finance"),
        "es": ("Personas", "Procesos", "Tecnología", "Finanzas"),
        "it": ("Persone", "Processi", "Tecnologia", "Finanza"),
        "nl": ("Mensen", "Processen", "Technologie", "Financiën"),
    }
)

# 0-3, then N/A and Don't know.
_RATINGS: Mapping[str, tuple[str, str, str, str, str, str]] = MappingProxyType(
    {
        "en": (
            "No",
            "Partly / ad hoc",
            "Yes, defined",
            "Yes, evidenced and managed",
            "N/A",
            "Don't know",
        ),
        "es": (
            "No",
            "En parte / ad hoc",
            "Sí, definido",
            "Sí, demostrado y gestionado",
            "N/A",
            "No sé",
        ),
        "it": (
            "No",
            "In parte / ad hoc",
            "Sì, definito",
            "Sì, dimostrato e gestito",
            "N/A",
            "Non so",
        ),
        "nl": (
            "Nee",
            "Deels / ad hoc",
            "Ja, vastgelegd",
            "Ja, aantoonbaar en beheerd",
            "N.v.t.",
            "Weet niet",
        ),
    }
)

_PHRASES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "en": {
            "general": "All four dimensions",
            "question": "question {n} of {m}",
            "weight": "weight {w}",
            "answer": "Answer",
            "unanswered": "not answered yet",
            "original": "Original",
            "note": "Note",
            "action": "Action",
            "overall": "Overall readiness",
            "gaps": "Gaps",
            "answered": "{n} of {m} answered",
        },
        "es": {
            "general": "Las cuatro dimensiones",
            "question": "pregunta {n} de {m}",
            "weight": "peso {w}",
            "answer": "Respuesta",
            "unanswered": "sin responder",
            "original": "Original",
            "note": "Nota",
            "action": "Acción",
            "overall": "Preparación global",
            "gaps": "Brechas",
            "answered": "{n} de {m} respondidas",
        },
        "it": {
            "general": "Tutte e quattro le dimensioni",
            "question": "domanda {n} di {m}",
            "weight": "peso {w}",
            "answer": "Risposta",
            "unanswered": "non ancora risposta",
            "original": "Originale",
            "note": "Nota",
            "action": "Azione",
            "overall": "Prontezza complessiva",
            "gaps": "Lacune",
            "answered": "{n} di {m} risposte",
        },
        "nl": {
            "general": "Alle vier dimensies",
            "question": "vraag {n} van {m}",
            "weight": "gewicht {w}",
            "answer": "Antwoord",
            "unanswered": "nog niet beantwoord",
            "original": "Origineel",
            "note": "Notitie",
            "action": "Actie",
            "overall": "Totale gereedheid",
            "gaps": "Hiaten",
            "answered": "{n} van {m} beantwoord",
        },
    }
)


def _lang(language: str) -> str:
    lang = (language or "en").strip().lower()[:2]
    return lang if lang in LANGUAGES else "en"


def dimension_label(dim: Dimension, language: str) -> str:
    """The dimension's name in *language*."""
    return _DIMENSIONS[_lang(language)][list(Dimension).index(dim)]


def rating_label(rating: int | None, language: str, na: bool = False, unknown: bool = False) -> str:
    """An answer's label in *language*: 0-3, N/A or Don't know."""
    labels = _RATINGS[_lang(language)]
    if na:
        return labels[4]
    if unknown:
        return labels[5]
    return labels[rating] if rating is not None and 0 <= rating <= 3 else "-"


def phrase(name: str, language: str, **values: object) -> str:
    """A fixed phrase of the wizard or summary in *language*, formatted with *values*."""
    return _PHRASES[_lang(language)][name].format(**values)
