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


def suggest_health(signals: HealthSignals) -> HealthSuggestion:
    """The derived health and why (the reasons of the worst level only)."""
    red: list[str] = []
    if signals.extreme_threats:
        red.append(_count(signals.extreme_threats, "open Extreme threat", "open Extreme threats"))
    if signals.overdue_milestones:
        red.append(_count(signals.overdue_milestones, "overdue milestone", "overdue milestones"))
    if signals.red_dimensions:
        red.append("PPTF red: " + ", ".join(signals.red_dimensions))
    if red:
        return HealthSuggestion(Health.RED, tuple(red))
    amber: list[str] = []
    if signals.high_threats:
        amber.append(_count(signals.high_threats, "open High threat", "open High threats"))
    if signals.overdue_cards:
        amber.append(_count(signals.overdue_cards, "overdue card", "overdue cards"))
    if signals.amber_dimensions:
        amber.append("PPTF amber: " + ", ".join(signals.amber_dimensions))
    if amber:
        return HealthSuggestion(Health.AMBER, tuple(amber))
    return HealthSuggestion(
        Health.GREEN,
        ("no open High/Extreme threats, nothing overdue, no PPTF dimension below green",),
    )
