"""How the board draws things: card and project lines, column heads, the detail line.

Pure functions of light rows and settings, returning literal Rich ``Text`` / Textual
``Content`` (user text never parsed as markup), so they are cheap to call per visible line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from rich.text import Text
from textual.content import Content

from ecpm_tui import dates, lifecycle
from ecpm_tui.models import Project
from ecpm_tui.screens.card_column import CardColumn
from ecpm_tui.screens.form import FieldDef
from ecpm_tui.store import CardRow, ColumnSetting, ProjectSummary
from ecpm_tui.text import one_line

STATUS_MARK = {"todo": " ", "doing": ">", "blocked": "!", "done": "x"}
STATUS_STYLE = {"todo": "", "doing": "bold", "blocked": "red", "done": "dim"}
STATE_MARK = {"on_hold": "HOLD", "killed": "KILLED", "closed": "CLOSED"}
DATE_HINT = "YYYY-MM-DD, today, +3d, +2w, fri, next mon"

CARD_FIELDS: tuple[FieldDef, ...] = (
    FieldDef("title", "Title"),
    FieldDef("phase", "Phase", "select", [(p.label, p.value) for p in lifecycle.PHASES]),
    FieldDef("status", "Status", "select", [(s.label, s.value) for s in lifecycle.CardStatus]),
    FieldDef("kind", "Kind", "select", [(k.label, k.value) for k in lifecycle.CardKind]),
    FieldDef(
        "workstream", "Workstream", "select", [(w.label, w.value) for w in lifecycle.Workstream]
    ),
    FieldDef("priority", "Priority", "select", [(p.label, p.value) for p in lifecycle.Priority]),
    FieldDef("assignee", "Assignee (login)"),
    FieldDef("department", "Department"),
    FieldDef("due_date", "Due date", placeholder=DATE_HINT),
    FieldDef("estimate", "Estimate (points)"),
    FieldDef("tags", "Tags", placeholder="peak, mvp"),
    FieldDef("description", "Description", "text"),
    FieldDef("acceptance_criteria", "Acceptance criteria", "text"),
    FieldDef("blocked_reason", "Blocked reason (required when blocked)", "text"),
)

SETTING_FIELDS: tuple[FieldDef, ...] = (
    FieldDef("wip_limit", "WIP limit (cards not done; blank: no limit)", placeholder="8"),
    FieldDef("age_limit_days", "Mark cards older than (days; blank: default)", placeholder="14"),
)


@dataclass(frozen=True)
class BoardData:
    """What the board shows: one project's cards, or every project as a card."""

    project: Project | None
    cards: list[CardRow]
    portfolio: list[ProjectSummary]
    settings: dict[str, ColumnSetting] = field(default_factory=dict)
    today: date = date(2000, 1, 1)


@dataclass(frozen=True, slots=True)
class LaneHeading:
    """A swimlane heading inside a column: the group's name and how many cards it has."""

    label: str
    count: int


BoardItem = CardRow | ProjectSummary | LaneHeading

LANES: tuple[str | None, ...] = (None, "workstream", "assignee", "priority")
"""Swimlane groupings, in the order ``s`` cycles through them."""

_WORKSTREAM_ORDER = {w.value: n for n, w in enumerate(lifecycle.Workstream)}
_PRIORITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def _lane_of(card: CardRow, lane: str) -> tuple[tuple[int, str], str]:
    """Sort key and heading label of *card*'s group (blank groups go last)."""
    value = getattr(card, lane)
    if lane == "workstream":
        if not value:
            return (99, ""), "No workstream"
        return (_WORKSTREAM_ORDER.get(value, 50), value), lifecycle.Workstream(value).label
    if lane == "priority":
        return (_PRIORITY_ORDER.get(value, 9), value), f"{str(value).capitalize()} priority"
    if not value:
        return (1, ""), "Unassigned"
    return (0, value.casefold()), f"@{one_line(value, 40)}"


def with_lanes(
    items: list[tuple[str, CardRow]], lane: str | None, phase: str
) -> list[tuple[str, BoardItem]]:
    """*items* grouped under lane headings (rank order kept inside each group)."""
    if lane is None:
        return list(items)
    groups: dict[tuple[int, str], tuple[str, list[tuple[str, CardRow]]]] = {}
    for item_id, card in items:
        key, label = _lane_of(card, lane)
        groups.setdefault(key, (label, []))[1].append((item_id, card))
    out: list[tuple[str, BoardItem]] = []
    for key in sorted(groups):
        label, members = groups[key]
        out.append((f"h:{phase}:{key[1]}", LaneHeading(label, len(members))))
        out.extend(members)
    return out


def heading_line(heading: LaneHeading) -> Text:
    """A swimlane heading: a rule with the group name and its card count."""
    return Text(f"── {heading.label} ({heading.count}) ", style="bold reverse", no_wrap=True)


class CardList(CardColumn[BoardItem]):
    """One phase column of the board."""

    def __init__(self, phase: lifecycle.Phase, render: Callable[[BoardItem], Text]) -> None:
        super().__init__(render, id=f"col-{phase.value}", classes="card-list")
        self.phase = phase


def card_line(card: CardRow, today: date, age_limit: int) -> Text:
    """One card as a literal line: status, age (``+`` past the column's limit), priority,
    title, assignee, and the blocked reason."""
    style = STATUS_STYLE.get(card.status, "")
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(f"[{STATUS_MARK.get(card.status, '?')}] ", style=style)
    age = card.age_days(today)
    if age is not None and card.status != "done":
        if age > age_limit:
            # Marked by a sign, not by colour alone.
            line.append(f"{age}d+", style="black on yellow")
        else:
            line.append(f"{age}d", style="dim")
        line.append(" ")
    if card.priority in ("high", "critical"):
        line.append("!" if card.priority == "high" else "!!", style="red bold")
        line.append(" ")
    line.append(one_line(card.title, 120), style=style)
    if card.assignee:
        line.append(f" @{one_line(card.assignee, 20)}", style="cyan")
    if card.status == "blocked" and card.blocked_reason:
        line.append(f" blocked: {one_line(card.blocked_reason, 60)}", style="red")
    return line


def project_line(s: ProjectSummary) -> Text:
    """A project as a portfolio card: key, health letter, state (hold...), name."""
    p = s.project
    line = Text(no_wrap=True, overflow="ellipsis")
    colour = {"green": "green", "amber": "yellow", "red": "red"}.get(p.health, "")
    line.append(f"{one_line(p.key)} ", style="bold")
    line.append(f"[{p.health[:1].upper()}] ", style=colour)
    state = STATE_MARK.get(p.state)
    if state:
        line.append(f"{state} ", style="reverse")
    line.append(one_line(p.name, 80))
    return line


def column_head(
    phase: lifecycle.Phase, shown: int, total: int, wip: int, done: int, limit: int | None
) -> Content:
    """Two lines: the phase name; the card count, WIP count / limit (OVER when past it)
    and done cards, most important first since narrow columns cut the end off."""
    count = f"{shown}/{total}" if shown != total else str(total)
    if limit is None:
        wip_text = f"WIP {wip}"
    else:
        wip_text = f"WIP {wip}/{limit}" + (" OVER" if wip > limit else "")
    return Content(f"{phase.label}\n{count} | {wip_text} | done {done}")


def card_detail(card: CardRow, today: date, setting: ColumnSetting | None) -> Content:
    """The detail line of the selected card: due date, age, tags, blocked reason,
    description."""
    parts = []
    if card.due_date:
        when = dates.relative(card.due_date, today)
        overdue = " OVERDUE" if card.due_date < today and card.status != "done" else ""
        parts.append(f"due {card.due_date.isoformat()} ({when}){overdue}")
    age = card.age_days(today)
    if age is not None:
        limit = setting.age_limit_days if setting else None
        aged = limit is not None and age > limit and card.status != "done"
        old = f" (over {limit}d)" if aged else ""
        parts.append(f"{age}d in column{old}")
    if card.tags:
        parts.append("#" + one_line(card.tags, 80).replace(", ", " #"))
    if card.blocked_reason:
        parts.append(f"BLOCKED: {one_line(card.blocked_reason, 200)}")
    head = " | ".join(parts) or "no due date, no tags"
    description = one_line(card.description, 400) if card.description else "(no description)"
    return Content(f"{head}\n{description}")


def project_detail(summary: ProjectSummary) -> Content:
    """The detail line of a project in portfolio scope (manual and suggested health)."""
    p = summary.project
    state = lifecycle.ProjectState(p.state)
    health = f"health {p.health}"
    if summary.suggested is not None and summary.suggested.health.value != p.health:
        health += f" (suggested {summary.suggested.health.value})"
    parts = [
        f"{one_line(p.key)}: {lifecycle.Phase(p.phase).label}",
        health,
        f"state {state.label}",
    ]
    if p.sponsor:
        parts.append(f"sponsor {one_line(p.sponsor, 60)}")
    if p.state_reason and state is not lifecycle.ProjectState.ACTIVE:
        parts.append(f"why: {one_line(p.state_reason, 200)}")
    return Content(" | ".join(parts) + "\n" + one_line(p.name, 200))
