"""Suggested project health: a RAG derived from risks, dates and PPTF readiness.

Pure domain code. Red if any open Extreme threat, overdue milestone or red PPTF
dimension; amber for open High threats, overdue cards or an amber PPTF dimension;
green otherwise. The reasons say which signals decided it, so a manager can judge
whether their manual health (which needs a note when it differs) is fair.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecpm_tui.lifecycle import Health


@dataclass(frozen=True)
class HealthSignals:
    """The facts the suggestion is derived from."""

    extreme_threats: int = 0
    high_threats: int = 0
    overdue_milestones: int = 0
    overdue_cards: int = 0
    red_dimensions: tuple[str, ...] = ()
    amber_dimensions: tuple[str, ...] = ()


@dataclass(frozen=True)
class HealthSuggestion:
    """A suggested health with the reasons for it."""

    health: Health
    reasons: tuple[str, ...]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _reasons(
    threats: tuple[int, str], overdue: tuple[int, str], dims: tuple[str, ...], rag: str
) -> list[str]:
    """The reasons of one level: its threat count, its overdue count, its PPTF dimensions
    (each count given with the singular of its noun)."""
    out = [_count(n, noun, noun + "s") for n, noun in (threats, overdue) if n]
    if dims:
        out.append(f"PPTF {rag}: " + ", ".join(dims))
    return out


def suggest_health(signals: HealthSignals) -> HealthSuggestion:
    """The derived health and why (the reasons of the worst level only)."""
    s = signals
    red = _reasons(
        (s.extreme_threats, "open Extreme threat"),
        (s.overdue_milestones, "overdue milestone"),
        s.red_dimensions,
        "red",
    )
    if red:
        return HealthSuggestion(Health.RED, tuple(red))
    amber = _reasons(
        (s.high_threats, "open High threat"),
        (s.overdue_cards, "overdue card"),
        s.amber_dimensions,
        "amber",
    )
    if amber:
        return HealthSuggestion(Health.AMBER, tuple(amber))
    return HealthSuggestion(
        Health.GREEN,
        ("no open High/Extreme threats, nothing overdue, no PPTF dimension below green",),
    )
